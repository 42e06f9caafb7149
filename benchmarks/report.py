"""BENCHMARKS.md tables from one run's results."""

from __future__ import annotations

import os
import platform

from .measure import Run, stat


def machine() -> str:
    mem = 0
    try:
        with open("/proc/meminfo") as fh:
            mem = int(fh.readline().split()[1]) // 1024
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {mem / 1024:.1f} GiB memory, {platform.platform()}"


def _runs(raw: list) -> list[Run]:
    return [r if isinstance(r, Run) else Run(**r) for r in raw]


def _ratio(a: float, b: float | None) -> str:
    return f"{a / b:.2f}" if b else "—"


def full_table(size: dict) -> list[str]:
    n = size["n"]
    rows = [f"### Full build, N = {n:,}", "",
            "| tool | wall s | CPU s | peak RSS MiB | pages | pages/s | wall ÷ Hugo |",
            "|---|---|---|---|---|---|---|"]
    hugo = size["full"].get("hugo")
    hugo_wall = stat([r.wall for r in _runs(hugo)]).median if hugo else None
    for tool, raw in size["full"].items():
        runs = _runs(raw)
        wall = stat([r.wall for r in runs])
        rate = stat([r.pages / r.wall for r in runs])
        rows.append(f"| {tool} | {wall.text()} | {stat([r.cpu for r in runs]).text()} | "
                    f"{stat([r.rss_mb for r in runs]).text('{:.0f}')} | {runs[0].pages:,} | "
                    f"{rate.text('{:.0f}')} | {_ratio(wall.median, hugo_wall)} |")
    return rows + [""]


def fresh_table(size: dict, fresh: int) -> list[str]:
    rows = [f"### Freshness: {fresh} new stories into N = {size['n']:,}", "",
            "| tool | seconds to last page | ÷ Hugo |", "|---|---|---|"]
    hugo = size["fresh"].get("hugo")
    hugo_wall = stat([r.wall for r in _runs(hugo)]).median if hugo else None
    for tool, raw in size["fresh"].items():
        wall = stat([r.wall for r in _runs(raw)])
        rows.append(f"| {tool} | {wall.text('{:.3f}')} | {_ratio(wall.median, hugo_wall)} |")
    return rows + [""]


def ingest_table(results: dict) -> list[str]:
    rows = ["### Ingest", "", "| path | stories | stories/s |", "|---|---|---|"]
    for size in results["sizes"]:
        runs = _runs(size["import"]["finews"])
        rate = stat([size["n"] / r.wall for r in runs])
        rows.append(f"| `finews import` of the post folder | {size['n']:,} | "
                    f"{rate.text('{:.0f}')} |")
    fetch = _runs(results.get("fetch", []))
    if fetch:
        rate = stat([r.pages / r.wall for r in fetch])
        rows.append(f"| fetch from the local upstream (list + full text + store) | "
                    f"{fetch[0].pages:,} | {rate.text('{:.0f}')} |")
    return rows + [""]


def memory_table(results: dict) -> list[str]:
    rows = ["### Peak memory of a full build", "", "| N | " + " | ".join(
        results["sizes"][0]["full"]) + " |", "|---|" + "---|" * len(results["sizes"][0]["full"])]
    for size in results["sizes"]:
        cells = []
        for tool in results["sizes"][0]["full"]:
            runs = _runs(size["full"].get(tool, []))
            cells.append(f"{stat([r.rss_mb for r in runs]).median:.0f} MiB" if runs else "—")
        rows.append(f"| {size['n']:,} | " + " | ".join(cells) + " |")
    return rows + [""]


def render(results: dict, *, command: str, tools: dict, fresh: int) -> str:
    lines = ["## Results", "", f"- machine: {machine()}",
             f"- Hugo: {tools.get('hugo') or 'not installed'}",
             f"- Jekyll: {tools.get('jekyll') or 'not installed'}",
             f"- command: `{command}`", "- figures: median (min–max) of the repetitions", ""]
    for size in results["sizes"]:
        lines += full_table(size)
    for size in results["sizes"]:
        lines += fresh_table(size, fresh)
    lines += ingest_table(results) + memory_table(results)
    return "\n".join(lines)
