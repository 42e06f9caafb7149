from __future__ import annotations

import os
from pathlib import Path

import pytest

from finews.original.importer import (MAX_BYTES, Imported, Quarantined, Skipped, import_paths,
                                      summarise)
from finews.search.indextext import make_entry

from . import original_samples as samples


def lay_out(root: Path) -> Path:
    """A site folder holding every sample, good and bad, plus non-post files."""
    for name, folder, text in samples.GOOD:
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_bytes(text.encode())
    for name, folder, data in samples.BAD:
        (root / folder / name).write_bytes(data)
    (root / "_posts" / "notes.txt").write_text("not a post")
    (root / "README.md").write_text("# a site\n")
    (root / "_layouts").mkdir()
    (root / "_layouts" / "post.html").write_text("<html></html>")
    return root


def test_folder_with_every_shape(tmp_path):
    events = list(import_paths([lay_out(tmp_path)]))
    imported = {e.article.upstream_id: e for e in events if isinstance(e, Imported)}
    quarantined = [e for e in events if isinstance(e, Quarantined)]
    skipped = [e for e in events if isinstance(e, Skipped)]
    assert len(imported) == len(samples.GOOD)
    assert len(quarantined) == len(samples.BAD)
    assert {p.path.name for p in skipped} == {"notes.txt", "README.md", "post.html"}
    for name, folder, text in samples.GOOD:
        event = imported[name.split("-", 3)[3].removesuffix(".md")]
        assert event.payload.unpack() == text.encode()  # the kept bytes, packed
        assert event.article.category_slug == parse_categories(text)
        assert event.article.extra["folder"] == folder
        # Segmented in the reading worker, from the article's own text.
        a = event.article
        assert event.index_entry == make_entry(a.title, a.digest, a.body_html)
    summary = summarise(iter(events))
    assert (summary.imported, summary.quarantined, summary.skipped) == (
        len(samples.GOOD), len(samples.BAD), 3)
    # quote title, empty time, empty title, early (zone), scripted is only sanitised
    assert summary.repaired == sum(1 for e in imported.values() if e.repairs) >= 4


def parse_categories(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("categories:"))[11:].strip()


@pytest.mark.parametrize("name,reason", [
    ("-NW202203080000000008.md", "no usable date"),
    ("2022-03-09-NW202203090000000009.md", "no front matter"),
    ("2022-03-10-NW202203100000000010.md", "not UTF-8"),
    ("2022-03-11-NW202203110000000011.md", "never closed"),
])
def test_quarantine_reasons(tmp_path, name, reason):
    events = list(import_paths([lay_out(tmp_path)]))
    event = next(e for e in events if isinstance(e, Quarantined) and e.path.name == name)
    assert reason in event.record.reason
    assert event.record.code == "import_format"
    assert event.record.payload == (tmp_path / "_posts" / name).read_bytes()
    assert event.record.upstream_id == name.split("-")[-1].removesuffix(".md")


def test_same_story_in_both_folders_larger_then_posts_wins_last(tmp_path):
    name = "2022-03-01-NW1.md"
    short = samples.MEDIA
    longer = samples.MEDIA.replace("</p>\n", "</p>\n<p>补充内容。</p>\n", 1)
    for folder, text in (("_posts", short), ("old_post", longer)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text(text)
    events = [e for e in import_paths([tmp_path]) if isinstance(e, Imported)]
    assert [e.path.parent.name for e in events] == ["_posts", "old_post"]
    assert {(e.article.source, e.article.upstream_id) for e in events} == {("finews-news", "NW1")}
    # equal sizes: the _posts copy is the newer one and comes last
    (tmp_path / "old_post" / name).write_text(short.replace("新区", "旧区"))
    events = [e for e in import_paths([tmp_path]) if isinstance(e, Imported)]
    assert [e.path.parent.name for e in events] == ["old_post", "_posts"]


def test_large_files_are_quarantined_without_reading(tmp_path):
    (tmp_path / "_posts").mkdir()
    big = tmp_path / "_posts" / "2022-03-01-NW9.md"
    with big.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    (event,) = import_paths([tmp_path])
    assert isinstance(event, Quarantined) and "larger than" in event.record.reason


def test_links_leaving_the_tree_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "2022-03-01-NW1.md").write_text(samples.MEDIA)
    site = tmp_path / "site" / "_posts"
    site.mkdir(parents=True)
    os.symlink(outside / "2022-03-01-NW1.md", site / "2022-03-01-NW1.md")
    os.symlink(outside, site / "linked-dir")
    (site / "2022-03-02-NW2.md").write_text(samples.MEDIA)
    os.symlink(site / "2022-03-02-NW2.md", site / "2022-03-03-NW3.md")
    events = list(import_paths([tmp_path / "site"]))
    kinds = {e.path.name: type(e).__name__ for e in events}
    assert kinds == {"2022-03-01-NW1.md": "Skipped", "linked-dir": "Skipped",
                     "2022-03-02-NW2.md": "Imported", "2022-03-03-NW3.md": "Imported"}


def test_what_a_folder_holds_besides_posts_is_counted_not_entered(tmp_path):
    site = tmp_path / "site"
    posts = site / "_posts"
    (posts / "2022").mkdir(parents=True)
    (posts / "2022" / "2022-03-01-NW1.md").write_text(samples.MEDIA)   # nested: still a post
    (posts / "notes.txt").write_text("not a post")
    (posts / ".md").write_text(samples.MEDIA)                          # a suffix, no name
    os.mkfifo(posts / "2022-03-02-NW2.md")                             # no regular file
    for unwalked in (".git", "_site"):
        (site / unwalked).mkdir()
        (site / unwalked / "2022-03-03-NW3.md").write_text(samples.MEDIA)
    os.symlink(site / "_site", posts / "_site")                        # a link to one
    events = list(import_paths([site]))
    reasons = {e.path.name: getattr(e, "reason", type(e).__name__) for e in events}
    assert reasons == {"2022-03-01-NW1.md": "Imported", "notes.txt": "not a post file",
                       ".md": "not a post file", "2022-03-02-NW2.md": "not a regular file"}


def test_a_single_file_can_be_named(tmp_path):
    path = tmp_path / "2022-03-01-NW1.md"
    path.write_text(samples.MEDIA)
    (event,) = import_paths([path])
    assert isinstance(event, Imported) and event.article.upstream_id == "NW1"
