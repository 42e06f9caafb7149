"""Builds into a missing or empty folder are staged: the site appears whole or not at all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from finews.errors import PublishError
from finews.publish import build_site
from finews.publish import parallel
from finews.publish.writer import STAGING, SiteWriter
from finews.store.sqlite import SQLiteStore

from .conftest import add, article
from .test_site import SITE, snapshot


def _staging(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}{STAGING}*"))


def test_a_first_build_shows_nothing_until_it_is_whole(store: SQLiteStore, tmp_path: Path):
    add(store, *[article(n) for n in range(6)])
    out = tmp_path / "site"
    seen = []

    def progress(stage, done, total):
        seen.append(([p.name for p in out.iterdir()] if out.exists() else None,
                     len(_staging(out))))

    report = build_site(store, out, SITE, progress=progress)
    assert report.full and seen
    # While pages were being written, the output folder held none of them.
    assert all(listing in (None, []) and staged == 1 for listing, staged in seen)
    assert (out / "index.html").is_file() and _staging(out) == []
    # ... and a staged build equals one written in place, byte for byte.
    in_place = tmp_path / "in-place"
    in_place.mkdir()
    (in_place / "keep.txt").write_text("not empty, so not staged")
    store.set_state("publish.seq", "0")
    build_site(store, in_place, SITE, full=True)
    (in_place / "keep.txt").unlink()
    assert snapshot(out) == {k: v for k, v in snapshot(in_place).items()
                             if not k.startswith(".finews-partial")}


def test_an_empty_output_folder_is_replaced(store: SQLiteStore, tmp_path: Path):
    add(store, article(1))
    out = tmp_path / "site"
    (out / ".finews-partial" / "999999999").mkdir(parents=True)   # a dead writer's leftovers
    build_site(store, out, SITE)
    assert (out / "index.html").is_file() and _staging(out) == []


def test_parallel_workers_write_into_the_staging_folder(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_STORIES", 1)
    store = SQLiteStore.open(tmp_path / "p.sqlite3", SITE.tz)
    add(store, *[article(n, media=("甲报", "乙报")[n % 2]) for n in range(12)])
    out = tmp_path / "site"
    report = build_site(store, out, SITE, workers=2)
    one = tmp_path / "one"
    store.set_state("publish.seq", "0")
    build_site(store, one, SITE, workers=1)
    store.close()
    assert report.stories == 12 and _staging(out) == []
    assert snapshot(out) == snapshot(one)


def test_a_linked_output_folder_is_written_in_place(store: SQLiteStore, tmp_path: Path):
    add(store, article(1))
    real = tmp_path / "www"
    real.mkdir()
    out = tmp_path / "site"
    out.symlink_to(real, target_is_directory=True)
    build_site(store, out, SITE)
    assert out.is_symlink() and (real / "index.html").is_file()


def test_a_failed_build_leaves_the_folder_as_it_was(store: SQLiteStore, tmp_path: Path,
                                                    monkeypatch):
    add(store, *[article(n) for n in range(3)])
    out = tmp_path / "site"

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("finews.publish.listings.ListingWriter.write_site_wide", broken)
    with pytest.raises(RuntimeError):
        build_site(store, out, SITE)
    assert not out.exists() and _staging(out) == []


def test_a_dead_builds_staging_folder_is_removed(store: SQLiteStore, tmp_path: Path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    out = tmp_path / "site"
    left = tmp_path / f".site{STAGING}{dead}"
    (left / "a" / "b").mkdir(parents=True)
    (left / "a" / "b" / "half.html").write_text("<html><bo")
    add(store, article(1))
    build_site(store, out, SITE)
    assert not left.exists() and (out / "index.html").is_file()


def test_finishing_refuses_to_replace_a_folder_filled_meanwhile(tmp_path: Path):
    out = tmp_path / "site"
    writer = SiteWriter(out, stage=True)
    writer.write("index.html", "<p>new</p>")
    out.mkdir()
    (out / "other.html").write_text("someone else's")
    with pytest.raises(PublishError, match="during the build"):
        writer.finish()
    assert (out / "other.html").read_text() == "someone else's"
    writer.abandon()
    assert _staging(out) == []
