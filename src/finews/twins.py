"""Where a story's twin lives: the category and address its own list gave it.

A story served by two lists (East Money's rolling list and a per-media list,
say) is stored once, under the list that served it first; the other list's
copy is kept as an alias (``store.aliases``). The original finews wrote one
post per list, so the copy had a page of its own, filed under its own
category: the Jekyll export writes that post again, and finews's own site
keeps its address as a redirect to the one story. The store gives the copy
its address when it records it (reserved like a story's path, so no page
can take it); both ask here which category the copy belongs to. A copy
whose category was never stored (no story of its own reached it) gets the
slug a new category would get, without creating one.
"""

from __future__ import annotations

from typing import Callable, Sequence

from .model import Article, Category
from .process.slug import media_slug, safe_slug

#: (column, value) → the stored category with that ``original_slug``,
#: ``slug`` or ``name`` (the oldest one), or None.
Lookup = Callable[[str, str], Category | None]


def twin_category(copy: Article, find: Lookup) -> Category:
    """The stored category of ``copy``, or (id 0) the one it would be given."""
    wanted = copy.category_slug
    if wanted is not None:
        found = find("original_slug", wanted) or find("slug", wanted)
    else:
        found = find("name", copy.media)
    if found is not None:
        return found
    tag = copy.tags[0] if copy.tags else f"{copy.media}新闻"
    if wanted is not None:
        return Category(0, safe_slug(wanted), copy.media, tag, wanted)
    return Category(0, media_slug(copy.media), copy.media, tag)


def lookup_in(categories: Sequence[Category]) -> Lookup:
    """A :data:`Lookup` over a list of categories."""
    index: dict[tuple[str, str], Category] = {}
    for cat in sorted(categories, key=lambda c: c.id, reverse=True):
        for column, value in (("original_slug", cat.original_slug), ("slug", cat.slug),
                              ("name", cat.name)):
            if value is not None:
                index[(column, value)] = cat
    return lambda column, value: index.get((column, value))
