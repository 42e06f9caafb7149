"""What a faulty list contains: hostile, repeated, missing or incomplete items.

These faults keep the HTTP answer well-formed (status 200, valid JSON) and
change only the items, the way a real upstream serves odd data.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from . import shapes
from .faults import Fault, strip_fields
from .generator import CHINA, Story, hostile_story

#: Where each list shape keeps its items, for faults that edit the items.
ITEM_PATHS: dict[str, tuple[str, ...]] = {
    "rolling": ("records",),
    "media": ("nodeList",),
    "market": ("record",),
    "fast": ("data", "fastNewsList"),
    "columns": ("data", "list"),
    "zhibo": ("result", "data", "feed", "list"),
}


def faulty_stories(stories: list[Story], fault: Fault | None) -> list[Story]:
    """The stories a list serves under ``fault`` (newest first)."""
    if fault is None:
        return stories
    if fault.empty:
        return []
    if fault.hostile:
        when = stories[0].published if stories else datetime.now(CHINA)
        stories = [hostile_story(when)] + stories
    if fault.duplicate:
        stories = [story for story in stories for _ in (0, 1)]
    return stories


def _items_holder(answer: Any, name: str) -> tuple[Any, str]:
    *outer, last = ITEM_PATHS[name]
    holder = answer
    for key in outer:
        holder = holder[key]
    return holder, last


def list_body(name: str, stories: list[Story], base: str, fault: Fault | None) -> bytes:
    """The JSON body of list ``name``, with missing fields if the fault says so."""
    answer = shapes.LISTS[name](stories, base)
    if fault is not None and fault.missing:
        holder, key = _items_holder(answer, name)
        holder[key] = strip_fields(holder[key], fault.missing)
    return shapes.dump_json(answer)


def item_fields(name: str) -> list[str]:
    """The field names an item of list ``name`` carries (for tests choosing faults)."""
    sample = shapes.LISTS[name]([hostile_story(datetime.now(CHINA))], "http://x")
    holder, key = _items_holder(json.loads(shapes.dump_json(sample)), name)
    return sorted(holder[key][0])
