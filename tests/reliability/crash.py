"""Helpers of the crash tests: finews as a real process, killed, and checked.

``Workdir`` is one finews data folder with its finews.toml pointing at a
local upstream; ``start`` runs ``python -m finews.cli …`` in it; the check
functions say what a crash may never leave behind.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from finews.upstream import UpstreamServer
from finews.upstream.__main__ import _toml

#: The temporary names publish/writer.py writes through (see _atomic_write).
TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".part"
#: Sources used by the crash tests: every shape, fewer market lists.
CRASH_SOURCES = ("t-rolling", "t-media", "t-market37", "t-fast", "t-columns", "t-zhibo",
                 "t-rss")


@dataclass
class Workdir:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "finews.toml"

    @property
    def db(self) -> Path:
        return self.root / "data" / "finews.sqlite3"

    @property
    def site(self) -> Path:
        return self.root / "data" / "site"


def make_workdir(root: Path, upstream: UpstreamServer) -> Workdir:
    root.mkdir(parents=True, exist_ok=True)
    sources = [s for s in upstream.source_settings("t", interval=1)
               if s["name"] in CRASH_SOURCES]
    (root / "finews.toml").write_text(
        'data_dir = "data"\n[fetch]\nretries = 0\nconnect_timeout = 2\nread_timeout = 5\n\n'
        + _toml(sources), encoding="utf-8")
    return Workdir(root)


def start(work: Workdir, *args: str) -> subprocess.Popen:
    # The test's own FINEWS_* switches are not finews settings: finews would refuse them.
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINEWS_")}
    return subprocess.Popen([sys.executable, "-m", "finews.cli", "--config", str(work.config),
                             *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, start_new_session=True)


def finish(work: Workdir, *args: str, timeout: float = 120) -> float:
    """Run finews to the end; returns how long it took (to aim the next kills)."""
    began = time.monotonic()
    proc = start(work, *args)
    _, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"finews {' '.join(args)} failed: {err.decode()[-2000:]}"
    return time.monotonic() - began


def kill_after(proc: subprocess.Popen, delay: float) -> bool:
    """SIGKILL ``proc`` after ``delay`` seconds; False if it had ended already."""
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            proc.communicate()
            return False
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)  # this very process only, by its id
    proc.communicate()
    return True


def integrity(db: Path) -> str:
    if not db.exists():
        return "ok"  # killed before it made the store: nothing to damage
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def temp_files(site: Path) -> list[Path]:
    return [p for p in site.rglob("*")
            if p.name.startswith(TEMP_PREFIX) and p.name.endswith(TEMP_SUFFIX)]


def half_written(site: Path) -> list[str]:
    """Every published file that is not whole (temporary files are not published)."""
    bad = []
    for path in site.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue
        data = path.read_bytes()
        rel = str(path.relative_to(site))
        if path.suffix == ".html":
            text = data.decode("utf-8", "replace").rstrip()
            if not text.endswith("</html>") or HTMLParser(text).body is None:
                bad.append(rel)
        elif path.suffix == ".xml":
            try:
                ET.fromstring(data)
            except ET.ParseError:
                bad.append(rel)
        elif path.suffix == ".json":
            try:
                json.loads(data)
            except ValueError:
                bad.append(rel)
    return bad


def site_files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file()}
