"""The home page's kept sections: an incremental build shows what a full build shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from finews.config import SiteSettings
from finews.publish.listings import HOME_KEY
from finews.publish.site import build_site
from finews.store.sqlite import SQLiteStore

from .conftest import add, article


def _home_after_full(store: SQLiteStore, out: Path) -> bytes:
    build_site(store, out, SiteSettings(), full=True)
    return (out / "index.html").read_bytes()


@pytest.mark.parametrize("change", ["new", "moved", "retitled", "garbled"])
def test_incremental_home_equals_full_home(store: SQLiteStore, tmp_path: Path,
                                           change: str) -> None:
    add(store, *(article(n, media=("甲报", "乙报")[n % 2]) for n in range(12)))
    site = SiteSettings()
    build_site(store, tmp_path / "inc", site)
    if change == "new":
        add(store, article(40, media="丙报"), article(41, media="甲报"))
    elif change == "moved":   # story 11 (newest of 乙报) now belongs to 甲报
        add(store, article(11, media="甲报", title="改换来源", category_slug=None))
    elif change == "retitled":
        add(store, article(3, media="乙报", title="新的标题"))
    else:
        store.set_state(HOME_KEY, '{"1": [["not", "a", "headline"]]}')
        add(store, article(42, media="乙报"))
    report = build_site(store, tmp_path / "inc", site)
    assert not report.full
    assert (tmp_path / "inc" / "index.html").read_bytes() == _home_after_full(
        store, tmp_path / "full")
