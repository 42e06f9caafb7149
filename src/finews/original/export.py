"""Export the store as a Jekyll site in the original finews's shape.

``export_jekyll`` writes ``_posts/<date>-<id>.md`` per story, one
``category/<slug>.html`` per category that has exported stories, the
layouts, the home page and ``_config.yml``. Imported stories are written
from their kept bytes (see ``writer.imported_post_bytes`` for the only
repairs made); stories from upstream lists in the shape the original would
have written, from the list item and body as received. A story that two
lists served (stored once, the second copy kept as an alias) is written
once per list, as the original did: each copy under its own id, category
and back-links, whichever list came first. A post that could not be written
as it came, because Jekyll could read part of it as active content, is
written repaired and listed (``ExportSummary.repairs``).

Category files: a category keeps its imported slug as its ``categories:``
value and file name when the slug is made of ``[A-Za-z0-9_-]`` and does not
collide, ignoring case, with a file name already given (``TechWeb`` and
``Techweb`` cannot live side by side on a case-insensitive disk); otherwise
the file is named by the store's URL-safe slug. Categories are taken in id
order, so the first one stored keeps its old URL.

Every write goes to a temporary name and is renamed into place; a file whose
bytes are already there is not touched, so a second export is cheap and
leaves modification times alone.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from ..config import SiteSettings
from ..errors import ImportFormatError, PublishError, UnsafePathError
from ..model import Category, StoredAlias, StoredArticle
from ..store.base import Store
from ..twins import Lookup, lookup_in, twin_category
from .convert import SOURCE_NEWS, SOURCE_ROLLING
from .listed import listed_copy
from .site import category_page, static_files
from .writer import PostCategory, imported_post_bytes, new_post_text, post_file_name

_SAFE_FILE = re.compile(r"[A-Za-z0-9_-]{1,150}")


@dataclass(frozen=True, slots=True)
class ExportSummary:
    posts: int = 0
    categories: int = 0
    written: int = 0
    unchanged: int = 0
    repaired: int = 0              # posts written with a safe repair
    repairs: tuple[str, ...] = ()  # "<file>: <what>" for each repaired post


@dataclass(slots=True)
class _Writer:
    """Atomic, incremental, confined to ``root``; refuses a path twice."""

    root: Path
    written: int = 0
    unchanged: int = 0
    seen: set[str] = field(default_factory=set)

    def write(self, rel: str, data: bytes) -> None:
        if rel in self.seen:
            raise PublishError(f"the export would write {rel} twice")
        self.seen.add(rel)
        path = self.root / rel
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise UnsafePathError(f"{rel} would be written outside {self.root}")
        try:
            if path.is_file() and path.read_bytes() == data:
                self.unchanged += 1
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from exc
        self.written += 1


class CategoryFiles:
    """Category → (file stem, ``categories:`` value), given in id order."""

    def __init__(self, categories: list[Category]) -> None:
        self._files: dict[tuple[int, str], tuple[str, str]] = {}
        self._used: set[str] = set()
        for cat in sorted(categories, key=lambda c: c.id):
            self.of(cat)

    def of(self, cat: Category) -> tuple[str, str]:
        key = (cat.id, cat.slug)
        if key not in self._files:
            value = cat.original_slug or cat.slug
            stem = value if _SAFE_FILE.fullmatch(value) else cat.slug
            if stem.casefold() in self._used or not _SAFE_FILE.fullmatch(stem):
                stem = f"{re.sub(r'[^A-Za-z0-9_-]+', '-', cat.slug).strip('-')}-{cat.id}"
            self._used.add(stem.casefold())
            self._files[key] = (stem, value)
        return self._files[key]


def category_files(categories: list[Category]) -> dict[int, tuple[str, str]]:
    """Category id → (file stem, ``categories:`` value)."""
    files = CategoryFiles(categories)
    return {cat.id: files.of(cat) for cat in categories}


def _in_range(when: datetime, since: date | datetime | None,
              until: date | datetime | None, site: SiteSettings) -> bool:
    """Bounds are inclusive; a date bound compares the story's local date."""
    def seen_as(bound: date) -> date | datetime:
        return when if isinstance(bound, datetime) else when.astimezone(site.tz).date()

    if since is not None and seen_as(since) < since:
        return False
    return until is None or seen_as(until) <= until


def _post_category(cat: Category, files: CategoryFiles) -> PostCategory:
    stem, value = files.of(cat)
    return PostCategory(stem=stem, value=value, name=cat.name, tag=cat.tag)


def _post_bytes(store: Store, stored: StoredArticle, files: CategoryFiles,
                site: SiteSettings) -> tuple[bytes, list[str]]:
    article = stored.article
    raw = store.raw_payload(stored.id)
    if article.source in (SOURCE_ROLLING, SOURCE_NEWS) and "file_name" in article.extra:
        if raw:
            try:
                return imported_post_bytes(stored, raw, site.tz)
            except ImportFormatError:
                pass  # the kept file no longer parses: write the story afresh
        raw = None
    text, fixed = new_post_text(stored, listed_copy(article, raw),
                                _post_category(stored.category, files), site=site, tz=site.tz)
    return text.encode("utf-8"), fixed


def _twin_posts(alias: StoredAlias, stored: StoredArticle, files: CategoryFiles,
                categories: Lookup, site: SiteSettings
                ) -> tuple[str, Category, bytes, list[str]]:
    """(file name, category, bytes, repairs) of the post another list's copy had."""
    copy = alias.article
    cat = twin_category(copy, categories)
    text, fixed = new_post_text(stored, listed_copy(copy, alias.payload),
                                _post_category(cat, files), site=site, tz=site.tz)
    name = post_file_name(stored, site.tz, upstream_id=copy.upstream_id)
    return name, cat, text.encode("utf-8"), fixed


def _wanted_category(stored: StoredArticle, category: str | None) -> bool:
    cat = stored.category
    return category is None or category in (cat.slug, cat.original_slug)


def export_jekyll(store: Store, out: Path, site: SiteSettings, *,
                  since: date | datetime | None = None, until: date | datetime | None = None,
                  category: str | None = None) -> ExportSummary:
    """Write the Jekyll site for the stories selected; see the module notes."""
    writer = _Writer(out)
    categories = store.categories()
    files = CategoryFiles(categories)
    exported: dict[tuple[int, str], Category] = {}
    posts, repairs = 0, []

    def write_post(name: str, data: bytes, fixed: list[str], cat: Category) -> None:
        nonlocal posts
        writer.write(f"_posts/{name}", data)
        posts += 1
        exported.setdefault((cat.id, cat.slug), cat)
        if fixed:
            repairs.append(f"{name}: {', '.join(fixed)}")

    for batch in _batches(store.iter_articles()):
        if any(s.category.id not in {c.id for c in categories} for s in batch):
            categories = store.categories()   # created after we listed them
        find = lookup_in(categories)
        twins: dict[int, list[StoredAlias]] = {}
        for alias in store.aliases([s.id for s in batch]):
            twins.setdefault(alias.article_id, []).append(alias)
        for stored in batch:
            if not (_wanted_category(stored, category)
                    and _in_range(stored.article.published, since, until, site)):
                continue
            data, fixed = _post_bytes(store, stored, files, site)
            name = post_file_name(stored, site.tz)
            if f"_posts/{name}" in writer.seen:
                name = f"{name.rsplit('.', 1)[0]}-{stored.id}.md"
            write_post(name, data, fixed, stored.category)
            # Each list's copy as the original wrote it (two lists, two posts);
            # the same id from two lists of one shape was one file there too.
            for alias in twins.get(stored.id, ()):
                name, cat, data, fixed = _twin_posts(alias, stored, files, find, site)
                if f"_posts/{name}" not in writer.seen:
                    write_post(name, data, fixed, cat)
    for cat in sorted(exported.values(), key=lambda c: (c.id == 0, c.id, c.slug)):
        stem, value = files.of(cat)
        writer.write(f"category/{stem}.html", category_page(value).encode("utf-8"))
    for rel, text in static_files(site).items():
        writer.write(rel, text.encode("utf-8"))
    return ExportSummary(posts=posts, categories=len(exported), written=writer.written,
                         unchanged=writer.unchanged, repaired=len(repairs),
                         repairs=tuple(repairs))


def _batches(stories: Iterator[StoredArticle], size: int = 500) -> Iterator[list[StoredArticle]]:
    batch: list[StoredArticle] = []
    for stored in stories:
        batch.append(stored)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
