"""SIGKILL ``finews fetch`` / ``build`` / ``run`` at random points, restart, check.

After every kill: the SQLite file passes its integrity check and no page,
feed or JSON file in the output is half written. After every restart that
completes: every story the upstream serves is stored exactly once. At the
end, the site built through all those crashes is the same, byte for byte,
as a site built without interruption into a fresh folder — except for the
feeds' ``<updated>`` times, which say when finews stored a story and so
differ between any two runs.

CI runs a few trials; ``FINEWS_SLOW=1`` runs many (see RELIABILITY.md).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
from pathlib import Path

import pytest

from finews.config import load
from finews.fetch import Fetcher
from finews.ingest import fetch_pass
from finews.building import build_once
from finews.store.sqlite import SQLiteStore
from finews.store import open_store
from finews.upstream import UpstreamServer

from .conftest import SLOW, START
from .crash import (Workdir, finish, half_written, integrity, kill_after, make_workdir,
                    site_files, start, temp_files)

TRIALS = int(os.environ.get("FINEWS_CRASH_TRIALS", "200" if SLOW else "8"))
SEED = int(os.environ.get("FINEWS_CRASH_SEED", "20240313"))
#: Where the figures of the last run go, for RELIABILITY.md.
FIGURES = os.environ.get("FINEWS_FIGURES")

_UPDATED = re.compile(rb"<updated>[^<]*</updated>")


def comparable(files: dict[str, bytes]) -> dict[str, bytes]:
    """The site's bytes, with the store-time stamps of feeds blanked."""
    return {rel: _UPDATED.sub(b"<updated/>", data) if rel.endswith(".xml") else data
            for rel, data in files.items()}


def check_stories(work: Workdir, upstream: UpstreamServer) -> int:
    """Every story the upstream serves is stored exactly once; returns how many are lost."""
    settings = load(work.config, {})
    with open_store(settings.store, settings.site.tz, readonly=True) as store:
        stories = upstream.stories()
        assert len(stories) <= 100, "the feed must carry every story for this check"
        found = {}
        lost = 0
        for story in stories:
            stored = store.article_by_key("t-rss", story.code)
            if stored is None:
                lost += 1
                continue
            assert stored.article.title == story.title
            found.setdefault(stored.id, story.code)
        duplicated = store.count_articles() - len(found)
        assert duplicated == 0, f"{duplicated} stories are stored twice"
    return lost


def reference_site(tmp: Path, upstream: UpstreamServer) -> dict[str, bytes]:
    """The site an uninterrupted fetch and build make in a fresh folder."""
    work = make_workdir(tmp, upstream)
    settings = load(work.config, {})
    with open_store(settings.store, settings.site.tz) as store:
        async def go():
            async with Fetcher(settings.fetch) as fetcher:
                return await fetch_pass(settings, store, fetcher)
        report = asyncio.run(go())
        assert not [s.error for s in report.sources if s.error]
    build_once(settings)  # exactly what `finews build` does
    return site_files(settings.site_dir)


def one_trial(work: Workdir, upstream: UpstreamServer, rng: random.Random,
              stats: dict) -> None:
    command = rng.choice(["fetch", "build", "run"])
    if command == "build":
        finish(work, "fetch")  # so the build has changes to publish
    args = ["run", "--no-serve"] if command == "run" else [command]
    # Aimed inside the command's own run time, measured on its last full run,
    # so the kill lands anywhere from start-up to the last write.
    killed = kill_after(start(work, *args), rng.uniform(0.05, 1.0) * stats["took"][command])
    stats["kills"] += killed
    stats["by_command"][command] += killed
    assert integrity(work.db) == "ok"
    assert half_written(work.site) == [] if work.site.exists() else True
    # Restart: the same work again, this time to the end.
    stats["took"]["fetch"] = stats["took"]["run"] = finish(work, "fetch")
    stats["lost"] += check_stories(work, upstream)
    stats["took"]["build"] = finish(work, "build")
    assert integrity(work.db) == "ok"
    assert half_written(work.site) == []
    assert temp_files(work.site) == [], "a build leaves no temporary files behind"


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX signals")
def test_killed_runs_lose_nothing_and_converge(tmp_path):
    rng = random.Random(SEED)
    stats = {"trials": 0, "kills": 0, "lost": 0,
             "by_command": {"fetch": 0, "build": 0, "run": 0},
             "took": {"fetch": 2.0, "build": 1.5, "run": 3.0}}
    with UpstreamServer(seed=9, stories=24, start=START) as upstream:
        work = make_workdir(tmp_path / "crashed", upstream)
        every = max(1, TRIALS // 30)  # keep every story on the 100-item feed
        for trial in range(TRIALS):
            if trial % every == 0:
                upstream.add_stories(2)
            one_trial(work, upstream, rng, stats)
            stats["trials"] += 1
        assert stats["lost"] == 0
        crashed = comparable(site_files(work.site))
        fresh = comparable(reference_site(tmp_path / "fresh", upstream))
    assert sorted(crashed) == sorted(fresh)
    differ = [rel for rel in fresh if crashed[rel] != fresh[rel]]
    assert differ == [], f"{len(differ)} files differ from an uninterrupted build: {differ[:5]}"
    assert stats["kills"] >= TRIALS // 2, stats  # most trials really killed something
    if FIGURES:
        Path(FIGURES).write_text(json.dumps(stats), encoding="utf-8")
