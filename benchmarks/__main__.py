"""``python -m benchmarks``: finews against Hugo and Jekyll, results to a Markdown file.

    python -m benchmarks                      # N = 10,000 and 100,000, 3 repetitions
    python -m benchmarks --sizes 500 --reps 1 --results -   # a quick look
    python -m benchmarks --backends sqlite,postgresql --sizes 2000 --reps 1
                                              # the two store backends side by side
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .measure import empty_trash
from .report import render
from .runner import FRESH, Options, run_all
from .tools import ensure_tools

MARK = "<!-- results below are written by python -m benchmarks -->"
BACKENDS_MARK = "<!-- backends: written by python -m benchmarks --backends -->"
BACKENDS_END = "<!-- end of the backends' results -->"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="story counts, comma-separated")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each measurement")
    parser.add_argument("--work", type=Path, default=Path("bench-work"),
                        help="where corpora, stores and sites go (reused if present)")
    parser.add_argument("--results", default="BENCHMARKS.md",
                        help="Markdown file whose results section is replaced ('-': print)")
    parser.add_argument("--jekyll-limit", type=float, default=900.0,
                        help="skip a Jekyll build expected to take longer (seconds)")
    parser.add_argument("--stock-jekyll-upto", type=int, default=10_000,
                        help="largest N also built with unpatched (quadratic) Jekyll 4.3.1; "
                             "0: never")
    parser.add_argument("--no-install", action="store_true",
                        help="do not install hugo and jekyll when missing")
    parser.add_argument("--backends", default="",
                        help="instead: compare store backends, e.g. sqlite,postgresql")
    parser.add_argument("--postgres-url", default="",
                        help="a PostgreSQL server for --backends (default: a throw-away "
                             "one from scripts/ensure-postgres.sh)")
    args = parser.parse_args(argv)
    if args.backends:
        return _backends(args, argv)
    tools = ({"hugo": None, "jekyll": None} if args.no_install else ensure_tools())
    if args.no_install:
        from .tools import _version
        tools = {"hugo": _version(["hugo", "version"]),
                 "jekyll": _version(["jekyll", "--version"])}
    opts = Options(sizes=tuple(int(s) for s in args.sizes.split(",")), reps=args.reps,
                   work=args.work, jekyll_limit=args.jekyll_limit,
                   stock_jekyll_upto=args.stock_jekyll_upto, tools=dict(tools))
    results = run_all(opts)
    try:
        return _report(args, argv, results, tools)
    finally:
        # Deleting the run's earlier outputs (tens of gigabytes at 100,000)
        # takes minutes; the results are on disk first.
        print("deleting the outputs set aside during the run…", file=sys.stderr)
        empty_trash(opts.work)


def _backends(args, argv) -> int:
    from .backends import render as render_backends, run_backends
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        raise SystemExit(f"unknown backend {sorted(unknown)[0]!r}: use sqlite, postgresql")
    opts = Options(sizes=tuple(int(s) for s in args.sizes.split(",")), reps=args.reps,
                   work=args.work)
    try:
        results = run_backends(opts, backends, args.postgres_url)
    finally:
        empty_trash(opts.work)
    text = render_backends(results, backends, "python -m benchmarks " + " ".join(
        argv if argv is not None else sys.argv[1:]))
    if args.results == "-":
        print(text)
        return 0
    path = Path(args.results)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{BACKENDS_MARK}\n\n{text}\n{BACKENDS_END}"
    if BACKENDS_MARK in old and BACKENDS_END in old:
        head, rest = old.split(BACKENDS_MARK, 1)
        new = head + block + rest.split(BACKENDS_END, 1)[1]
    elif MARK in old:
        head, rest = old.split(MARK, 1)
        new = head.rstrip("\n") + "\n\n" + block + "\n\n" + MARK + rest
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")
    return 0


def _report(args, argv, results: dict, tools: dict) -> int:
    text = render(results, command="python -m benchmarks " + " ".join(
        argv if argv is not None else sys.argv[1:]), tools=tools, fresh=FRESH)
    if args.results == "-":
        print(text)
        return 0
    path = Path(args.results)
    head = path.read_text(encoding="utf-8").split(MARK)[0] if path.exists() else ""
    path.write_text(head.rstrip("\n") + "\n\n" + MARK + "\n\n" + text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
