"""The home page's per-outlet sections, reused from the page already published.

The home page lists every outlet that has stories, each with its newest
few (about 2,000 outlets and 3 MB of HTML at 100,000 stories). Reading
those headlines is one query per outlet, and rendering them is most of the
page's cost, so an incremental build renders again only the sections of
the outlets it touched (or that showed a story it changed: a story can
move to another outlet) and copies every other section out of the
``index.html`` it published last time.

What is kept in the store is small: each section's place in that page, its
newest story's time (sections are ordered by it) and the stories it shows,
plus a digest of the page. A page that is missing, or differs from the
digest (edited by hand, or a build that stopped between writing the page
and keeping its layout), or a layout written by another version, and every
full build, render all sections. Templates and settings are in the build's
fingerprint, so changing either makes the next build full and no fragment
rendered by an old template survives it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Collection

from ..model import Category, Headline
from ..store.base import Store
from .pages import Pages
from .render import render_home_section

HOME_KEY = "publish.home"
#: Bumped whenever what is kept changes shape; an older copy is ignored.
VERSION = 3
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Section:
    category_id: int
    newest: int              # the newest story's time, µs since the epoch (orders sections)
    ids: tuple[int, ...]     # the stories shown, to notice one that changed
    html: str                # as the home template inserts it


def home_sections(store: Store, pages: Pages, cats: list[Category], old_page: bytes | None,
                  touched: Collection[int], changed_ids: Collection[int]) -> list[Section]:
    """The home page's sections in page order.

    ``old_page``: the published ``index.html`` (None renders every section);
    ``touched``: categories that gained or changed stories in this build;
    ``changed_ids``: the stories this build rendered.
    """
    kept = _reuse(store.get_state(HOME_KEY), old_page)
    changed = set(changed_ids)
    stale = set(touched) | {cid for cid, sec in kept.items()
                            if not changed.isdisjoint(sec.ids)}
    size = pages.site.home_per_category
    sections = []
    for cat in cats:
        sec = kept.get(cat.id)
        if sec is None or cat.id in stale:
            sec = _render(pages, cat, store.category_newest(cat.id, size))
        if sec is not None:
            sections.append(sec)
    # The busiest outlets first: newest story first, then category id.
    sections.sort(key=lambda s: (s.newest, s.category_id), reverse=True)
    return sections


def keep_layout(store: Store, sections: list[Section], page: str) -> None:
    """Remember where each section sits in ``page``, once it is published."""
    start = page.find(sections[0].html) if sections else 0
    data = page.encode("utf-8")
    store.set_state(HOME_KEY, json.dumps({
        "version": VERSION, "digest": _digest(data), "start": start,
        "sections": [[s.category_id, s.newest, list(s.ids), len(s.html)] for s in sections],
    }))


def _render(pages: Pages, cat: Category, heads: list[Headline]) -> Section | None:
    if not heads:
        return None   # an outlet without stories has no section
    return Section(cat.id, _micros(heads[0].published), tuple(h.id for h in heads),
                   render_home_section(pages.home_section(cat, heads)))


def _micros(when: datetime) -> int:
    # Exact integer microseconds: orders like the datetimes themselves.
    return (when - _EPOCH) // timedelta(microseconds=1)


def _digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def _reuse(raw: str | None, old_page: bytes | None) -> dict[int, Section]:
    """The sections of ``old_page`` by category, or {} when it cannot be trusted."""
    if not raw or old_page is None:
        return {}
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return {}
        if data["digest"] != _digest(old_page):
            return {}
        page = old_page.decode("utf-8")
        at, out = int(data["start"]), {}
        for cid, newest, ids, length in data["sections"]:
            if not (isinstance(cid, int) and isinstance(newest, int)
                    and isinstance(length, int) and all(isinstance(i, int) for i in ids)):
                return {}
            out[cid] = Section(cid, newest, tuple(ids), page[at:at + length])
            at += length + 1   # the template puts a newline after each section
        return out
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
        return {}   # written by another version or damaged: render them all
