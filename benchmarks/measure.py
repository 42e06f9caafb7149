"""Running one command and measuring it: wall and CPU time, peak memory.

``os.wait4`` returns the resource usage of the finished child including its
own waited-for children, so no outside ``time`` program is needed.
``ru_maxrss`` is the peak resident set of the largest process in that tree
(on Linux, in KiB).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


class CommandFailed(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Run:
    wall: float       # seconds
    cpu: float        # user + system seconds
    rss_mb: float     # peak resident set, MiB
    pages: int = 0    # files in the output folder afterwards


def run(cmd: Sequence[str], *, cwd: Path | None = None, env: dict | None = None,
        log: Path | None = None) -> Run:
    """Run ``cmd`` to the end; CommandFailed (with the log's tail) on a non-zero exit."""
    out = open(log, "ab") if log else subprocess.DEVNULL
    peak_file = Path(tempfile.mkstemp(prefix="finews-bench-", suffix=".rss")[1])
    # A forked child starts as a copy of this (large) process, which would
    # set its ru_maxrss; GNU time is exec'd small and measures only its child.
    wrap = [TIME, "-f", "%M", "-o", str(peak_file)] if TIME else []
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(wrap + list(cmd), cwd=cwd, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak_kib = _peak(peak_file) or usage.ru_maxrss
    finally:
        peak_file.unlink(missing_ok=True)
        if log:
            out.close()
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log else ""
        raise CommandFailed(f"{' '.join(map(str, cmd))} exited {proc.returncode}\n{tail}")
    return Run(wall, usage.ru_utime + usage.ru_stime, peak_kib / 1024)


def _peak(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


#: Outputs of earlier repetitions are moved here, not deleted, until the run ends.
TRASH = ".bench-trash"


def set_aside(path: Path) -> None:
    """Move ``path`` out of the way, into the trash folder beside it.

    Deleting a tree of 100,000 files just before the next build slows that
    build down on ext4: for a few minutes the allocator skips the freed
    inodes one by one (``recently_deleted`` in a kernel profile), which
    doubled the system time of the repetitions after the first. A rename
    frees nothing; :func:`empty_trash` deletes it all after the run.
    """
    if not path.exists():
        return
    trash = path.parent / TRASH
    trash.mkdir(exist_ok=True)
    path.rename(trash / f"{path.name}-{time.time_ns()}")


#: Trash folders sit beside what was set aside, at most this deep in the work folder.
TRASH_DEPTH = 4


def empty_trash(root: Path) -> None:
    """Delete every trash folder below ``root`` (at the end of a run: nothing is timed then).

    Looked for level by level, not with ``rglob``: the work folder holds the
    corpora and sites, millions of files, and walking them all took longer
    than the deleting.
    """
    for depth in range(TRASH_DEPTH):
        for trash in list(root.glob("/".join(["*"] * depth + [TRASH]))):
            shutil.rmtree(trash, ignore_errors=True)


def fresh_dir(path: Path) -> Path:
    set_aside(path)
    path.mkdir(parents=True)
    return path


@dataclass(frozen=True, slots=True)
class Stat:
    median: float
    low: float
    high: float
    n: int

    def text(self, fmt: str = "{:.2f}") -> str:
        if self.n == 1:
            return fmt.format(self.median)
        return f"{fmt.format(self.median)} ({fmt.format(self.low)}–{fmt.format(self.high)})"


def stat(values: Sequence[float]) -> Stat:
    return Stat(statistics.median(values), min(values), max(values), len(values))
