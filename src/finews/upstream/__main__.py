"""``python -m finews.upstream --port 8001``: run the local upstream on its own."""

from __future__ import annotations

import argparse
import json
import threading

from .server import UpstreamServer


def _toml(sources: list[dict]) -> str:
    """The ``[[sources]]`` tables to paste into finews.toml."""
    lines = []
    for source in sources:
        lines.append("[[sources]]")
        for key, value in source.items():
            if key != "mapping":
                lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        if source.get("mapping"):
            lines.append("[sources.mapping]")
            for key, value in source["mapping"].items():
                lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m finews.upstream",
                                     description="Serve invented news in upstream shapes.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stories", type=int, default=150, help="stories to start with")
    parser.add_argument("--republish", type=float, default=0.25,
                        help="share of stories that are re-worded copies of recent ones")
    parser.add_argument("--every", type=float, default=5.0,
                        help="seconds between new stories (0: none)")
    parser.add_argument("--print-sources", action="store_true",
                        help="print [[sources]] tables for finews.toml")
    args = parser.parse_args(argv)
    server = UpstreamServer(port=args.port, host=args.host, seed=args.seed,
                            stories=args.stories, rate=args.every or None,
                            republish=args.republish)
    server.start()
    print(server.url, flush=True)
    if args.print_sources:
        print(_toml(server.source_settings(pages=True)), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
