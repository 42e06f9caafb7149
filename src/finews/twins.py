"""Where a story's twin lives: the category and address its own list gave it.

A story served by two lists (East Money's rolling list and a per-media list,
say) is stored once, under the list that served it first; the other list's
copy is kept as an alias (``store.aliases``). The original finews wrote one
post per list, so the copy had a page of its own, filed under its own
category: the Jekyll export writes that post again, and finews's own site
keeps its address as a redirect to the one story. Both must agree on the
copy's category and path, so both ask here. A copy whose category was never
stored (no story of its own reached it) gets the slug a new category would
get, without creating one.
"""

from __future__ import annotations

from typing import Sequence
from zoneinfo import ZoneInfo

from .model import Article, Category
from .process.slug import media_slug, safe_slug
from .urls import story_path


def twin_category(copy: Article, categories: Sequence[Category]) -> Category:
    """The stored category of ``copy``, or (id 0) the one it would be given."""
    wanted = copy.category_slug
    for cat in sorted(categories, key=lambda c: c.id):
        if wanted is not None and wanted in (cat.original_slug, cat.slug):
            return cat
        if wanted is None and cat.name == copy.media:
            return cat
    tag = copy.tags[0] if copy.tags else f"{copy.media}新闻"
    if wanted is not None:
        return Category(0, safe_slug(wanted), copy.media, tag, wanted)
    return Category(0, media_slug(copy.media), copy.media, tag)


def twin_path(copy: Article, categories: Sequence[Category], tz: ZoneInfo) -> str:
    """The copy's story address, as its own list would have given it."""
    return story_path(twin_category(copy, categories).slug, copy.published,
                      copy.upstream_id, tz)
