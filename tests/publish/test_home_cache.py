"""The home page's kept sections: an incremental build shows what a full build shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from finews.config import SiteSettings
from finews.publish.home import HOME_KEY
from finews.publish.site import build_site
from finews.store.sqlite import SQLiteStore

from .conftest import add, article


def _home_after_full(store: SQLiteStore, out: Path) -> bytes:
    build_site(store, out, SiteSettings(), full=True)
    return (out / "index.html").read_bytes()


@pytest.mark.parametrize("change", ["new", "moved", "retitled", "garbled", "edited",
                                    "emptied"])
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
    elif change == "garbled":
        store.set_state(HOME_KEY, '{"1": [["not", "a", "headline"]]}')
        add(store, article(42, media="乙报"))
    elif change == "edited":   # the published page no longer matches what was kept
        page = tmp_path / "inc" / "index.html"
        before = page.read_bytes()
        page.write_bytes(before.replace("新闻 10<".encode(), "改过 10<".encode()))
        assert page.read_bytes() != before
        add(store, article(43, media="丙报"))
    else:
        (tmp_path / "inc" / "index.html").write_bytes(b"")
        add(store, article(44, media="甲报"))
    report = build_site(store, tmp_path / "inc", site)
    assert not report.full
    assert (tmp_path / "inc" / "index.html").read_bytes() == _home_after_full(
        store, tmp_path / "full")


def test_several_incremental_builds_keep_matching_full(store: SQLiteStore,
                                                       tmp_path: Path) -> None:
    media = ("甲报", "乙报", "丙报", "丁报")
    add(store, *(article(n, media=media[n % 4]) for n in range(10)))
    build_site(store, tmp_path / "inc", SiteSettings())
    for round_ in range(3):
        add(store, article(20 + round_, media=media[round_]),
            article(3 + round_, media=media[(round_ + 1) % 4], title=f"第{round_}次改",
                    category_slug=None))
        assert not build_site(store, tmp_path / "inc", SiteSettings()).full
    assert (tmp_path / "inc" / "index.html").read_bytes() == _home_after_full(
        store, tmp_path / "full")


def test_incremental_build_reads_only_touched_sections(store: SQLiteStore, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    add(store, *(article(n, media=f"报{n % 6}") for n in range(30)))
    build_site(store, tmp_path, SiteSettings())
    add(store, article(50, media="报1"))
    newest = store.newest(1)[0]   # story 50, the only change
    touched = store.category_by_slug(newest.category_slug).id
    read: list[int] = []
    original = type(store).category_newest

    def counting(self, category_id: int, limit: int):
        read.append(category_id)
        return original(self, category_id, limit)

    monkeypatch.setattr(type(store), "category_newest", counting)
    build_site(store, tmp_path, SiteSettings())
    assert read and set(read) == {touched}
