"""Export the store as a Jekyll site in the original finews's shape.

``export_jekyll`` writes ``_posts/<date>-<id>.md`` per story, one
``category/<slug>.html`` per category that has exported stories, the
layouts, the home page and ``_config.yml``. Imported stories are written
from their kept bytes (see ``writer.imported_post_bytes`` for the only
repairs made); stories from upstream lists in the shape the original would
have written.

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

from ..config import SiteSettings
from ..errors import ImportFormatError, PublishError, UnsafePathError
from ..model import Category, StoredArticle
from ..store.base import Store
from .convert import SOURCE_NEWS, SOURCE_ROLLING
from .site import category_page, static_files
from .writer import imported_post_bytes, new_post_text, post_file_name

_SAFE_FILE = re.compile(r"[A-Za-z0-9_-]{1,150}")


@dataclass(frozen=True, slots=True)
class ExportSummary:
    posts: int = 0
    categories: int = 0
    written: int = 0
    unchanged: int = 0
    repaired: int = 0              # imported posts written with a safe repair
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


def category_files(categories: list[Category]) -> dict[int, tuple[str, str]]:
    """Category id → (file stem, ``categories:`` value)."""
    out: dict[int, tuple[str, str]] = {}
    used: set[str] = set()
    for cat in sorted(categories, key=lambda c: c.id):
        value = cat.original_slug or cat.slug
        stem = value if _SAFE_FILE.fullmatch(value) else cat.slug
        if stem.casefold() in used or not _SAFE_FILE.fullmatch(stem):
            stem = f"{re.sub(r'[^A-Za-z0-9_-]+', '-', cat.slug).strip('-')}-{cat.id}"
        used.add(stem.casefold())
        out[cat.id] = (stem, value)
    return out


def _in_range(when: datetime, since: date | datetime | None,
              until: date | datetime | None, site: SiteSettings) -> bool:
    """Bounds are inclusive; a date bound compares the story's local date."""
    def seen_as(bound: date) -> date | datetime:
        return when if isinstance(bound, datetime) else when.astimezone(site.tz).date()

    if since is not None and seen_as(since) < since:
        return False
    return until is None or seen_as(until) <= until


def _post_bytes(store: Store, stored: StoredArticle, files: dict[int, tuple[str, str]],
                site: SiteSettings) -> tuple[bytes, list[str]]:
    article = stored.article
    if article.source in (SOURCE_ROLLING, SOURCE_NEWS) and "file_name" in article.extra:
        raw = store.raw_payload(stored.id)
        if raw:
            try:
                return imported_post_bytes(stored, raw, site.tz)
            except ImportFormatError:
                pass  # the kept file no longer parses: write the story afresh
    stem, value = files[stored.category.id]
    text = new_post_text(stored, category_file=stem, category_value=value, site=site,
                         tz=site.tz)
    return text.encode("utf-8"), []


def _wanted_category(stored: StoredArticle, category: str | None) -> bool:
    cat = stored.category
    return category is None or category in (cat.slug, cat.original_slug)


def export_jekyll(store: Store, out: Path, site: SiteSettings, *,
                  since: date | datetime | None = None, until: date | datetime | None = None,
                  category: str | None = None) -> ExportSummary:
    """Write the Jekyll site for the stories selected; see the module notes."""
    writer = _Writer(out)
    categories = store.categories()
    files = category_files(categories)
    exported: set[int] = set()
    posts, repairs = 0, []
    for stored in store.iter_articles():
        if stored.category.id not in files:  # created after we listed them
            files = category_files(store.categories())
        if not (_wanted_category(stored, category)
                and _in_range(stored.article.published, since, until, site)):
            continue
        data, fixed = _post_bytes(store, stored, files, site)
        name = post_file_name(stored, site.tz)
        if f"_posts/{name}" in writer.seen:
            name = f"{name.rsplit('.', 1)[0]}-{stored.id}.md"
        writer.write(f"_posts/{name}", data)
        posts += 1
        exported.add(stored.category.id)
        if fixed:
            repairs.append(f"{name}: {', '.join(fixed)}")
    for cat_id in sorted(exported):
        stem, value = files[cat_id]
        writer.write(f"category/{stem}.html", category_page(value).encode("utf-8"))
    for rel, text in static_files(site).items():
        writer.write(rel, text.encode("utf-8"))
    return ExportSummary(posts=posts, categories=len(exported), written=writer.written,
                         unchanged=writer.unchanged, repaired=len(repairs),
                         repairs=tuple(repairs))
