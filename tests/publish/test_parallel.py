"""Story and category pages of a full build rendered by worker processes: same
site, same counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from finews.config import SiteSettings
from finews.publish import parallel
from finews.publish.listings import PAGES_KEY
from finews.publish.site import build_site
from finews.store.sqlite import SQLiteStore

from .conftest import add, article


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("stories,chunk", [(30, 7), (12, 100)])
def test_workers_write_the_same_site_as_one_process(store: SQLiteStore, tmp_path: Path,
                                                    monkeypatch, stories: int,
                                                    chunk: int) -> None:
    add(store, *(article(n, media=("甲报", "乙报", "丙报")[n % 3]) for n in range(stories)))
    site = SiteSettings(page_size=2)   # several numbered pages per category
    one = build_site(store, tmp_path / "one", site, full=True, workers=1)
    counts_one = store.get_state(PAGES_KEY)
    store.set_state(PAGES_KEY, "{}")
    monkeypatch.setattr(parallel, "MIN_STORIES", 1)
    monkeypatch.setattr(parallel, "CHUNK", chunk)
    monkeypatch.setattr(parallel, "CATEGORY_CHUNK", 2)   # categories over several tasks
    assert parallel.can_split(store, stories, 2)
    two = build_site(store, tmp_path / "two", site, full=True, workers=2)
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")
    # The workers' page counts reach the store, as one process's do.
    assert store.get_state(PAGES_KEY) == counts_one
    assert json.loads(counts_one) and all(v >= 1 for v in json.loads(counts_one).values())
    assert (two.written, two.unchanged, two.stories) == (one.written, 0, stories)
    # A second full build with workers finds every file already in place.
    again = build_site(store, tmp_path / "two", site, full=True, workers=2)
    assert (again.written, again.unchanged) == (0, one.written)


def test_small_or_threaded_builds_stay_in_process(store: SQLiteStore) -> None:
    assert not parallel.can_split(store, parallel.MIN_STORIES - 1, 2)
    assert not parallel.can_split(store, parallel.MIN_STORIES, 1)


def test_a_failing_listing_stops_the_workers(store: SQLiteStore, tmp_path: Path,
                                             monkeypatch) -> None:
    from finews.errors import PublishError
    from finews.publish.listings import ListingWriter

    add(store, *(article(n) for n in range(20)))
    monkeypatch.setattr(parallel, "MIN_STORIES", 1)
    monkeypatch.setattr(parallel, "CHUNK", 3)

    def broken(self, **_) -> None:
        raise PublishError("listing failed")

    monkeypatch.setattr(ListingWriter, "write_everything", broken)
    with pytest.raises(PublishError, match="listing failed"):
        build_site(store, tmp_path / "site", SiteSettings(), full=True, workers=2)
    assert parallel.multiprocessing.active_children() == []
