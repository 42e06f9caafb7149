"""The site writer: guarded paths, one write per path, atomic and idempotent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from finews.errors import PublishError, UnsafePathError
from finews.publish.writer import SiteWriter


@pytest.mark.parametrize("rel", [
    "../x", "/etc/x", "a/../../b", "a/../b", "a\x00b", "a\\..\\b", "", ".", "a/./b",
    "dir/", "..", "//x",
])
def test_refuses_unsafe_paths(tmp_path: Path, rel: str) -> None:
    out = tmp_path / "site"
    with pytest.raises(UnsafePathError):
        SiteWriter(out).write(rel, "x")
    assert not (tmp_path / "x").exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_refuses_symlinked_folder_leading_out(tmp_path: Path) -> None:
    out, outside = tmp_path / "site", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafePathError):
        SiteWriter(out).write("link/page.html", "x")
    assert list(outside.iterdir()) == []


@given(st.text(min_size=1, max_size=30))
@settings(max_examples=200, deadline=None)
def test_any_path_either_lands_inside_or_is_refused(tmp_path_factory, rel: str) -> None:
    out = tmp_path_factory.mktemp("w") / "site"
    writer = SiteWriter(out)
    try:
        target = writer.target(rel)
    except UnsafePathError:
        return
    assert target.is_relative_to(out.resolve()) and target != out.resolve()


def test_refuses_second_write_of_one_path(tmp_path: Path) -> None:
    writer = SiteWriter(tmp_path)
    writer.write("a/b.html", "one")
    with pytest.raises(PublishError, match="twice"):
        writer.write("a/b.html", "two")
    assert (tmp_path / "a/b.html").read_text() == "one"


def test_writes_atomically_without_leftovers(tmp_path: Path) -> None:
    writer = SiteWriter(tmp_path, fsync=True)
    assert writer.write("deep/er/page.html", "内容") is True
    assert (tmp_path / "deep/er/page.html").read_text(encoding="utf-8") == "内容"
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.startswith(".tmp")]
    assert leftovers == []


def test_unchanged_file_is_not_rewritten(tmp_path: Path) -> None:
    (tmp_path / "p.html").write_bytes(b"same")
    os.utime(tmp_path / "p.html", (1, 1))
    first = SiteWriter(tmp_path)
    assert first.write("p.html", b"same") is False
    assert (first.written, first.unchanged) == (0, 1)
    assert (tmp_path / "p.html").stat().st_mtime == 1
    second = SiteWriter(tmp_path)
    assert second.write("p.html", b"other") is True
    assert (second.written, second.unchanged) == (1, 0)
    assert (tmp_path / "p.html").read_bytes() == b"other"


def test_replacing_keeps_inode_semantics_of_rename(tmp_path: Path) -> None:
    # A reader holding the old file keeps reading the old bytes: the new
    # content arrives by rename, never by rewriting in place.
    (tmp_path / "p.html").write_bytes(b"old")
    with open(tmp_path / "p.html", "rb") as held:
        SiteWriter(tmp_path).write("p.html", b"new content")
        assert held.read() == b"old"
    assert (tmp_path / "p.html").read_bytes() == b"new content"


def test_leftovers_of_a_killed_writer_are_swept_by_the_next_build(tmp_path):
    import os
    import subprocess
    from finews.publish.writer import PARTIAL, SiteWriter
    first = SiteWriter(tmp_path)
    first.write("a.html", "<p>a</p>")
    partial = tmp_path / PARTIAL
    assert [p.name for p in partial.iterdir()] == [str(os.getpid())]   # its own folder
    # a writer that died mid-write: its pid is no longer running
    dead = subprocess.Popen(["true"])
    dead.wait()
    (partial / str(dead.pid)).mkdir()
    (partial / str(dead.pid) / "1-b.html.part").write_bytes(b"<p>hal")
    (partial / f".tmp-{dead.pid}-1-c.html.part").write_bytes(b"<p>h")   # older layout
    live = partial / str(os.getpid()) / "99-c.html.part"   # a concurrent build's
    live.write_bytes(b"<p>in progress")
    SiteWriter(tmp_path).write("a.html", "<p>a2</p>")
    assert [p.name for p in partial.iterdir()] == [str(os.getpid())]
    assert [p.name for p in (partial / str(os.getpid())).iterdir()] == [live.name]
    assert (tmp_path / "a.html").read_text() == "<p>a2</p>"