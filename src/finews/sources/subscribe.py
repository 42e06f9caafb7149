"""New ``[[sources]]`` tables from feeds found by discovery or in an OPML file.

Pure: the configured sources in, the tables to append and what was left out
(and why) out. A feed already configured, by URL, is a duplicate; names are
kept from an export when free, else made from the feed's title.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from ..config import SourceSettings
from ..errors import ConfigError
from .configfile import source_name
from .opml import OpmlProblem, OpmlReading, feed_key


@dataclass(slots=True)
class ImportPlan:
    tables: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[OpmlProblem] = field(default_factory=list)


def plan_import(reading: OpmlReading, existing: Sequence[SourceSettings]) -> ImportPlan:
    """The tables for an OPML file's feeds that are not configured yet."""
    known = {feed_key(s.url): s.name for s in existing}
    taken = {s.name for s in existing}
    plan = ImportPlan(duplicates=list(reading.duplicates))
    for feed in reading.feeds:
        if feed_key(feed.url) in known:
            plan.duplicates.append(OpmlProblem(feed.where, f"{feed.url} is configured "
                                               f"already as {known[feed_key(feed.url)]!r}"))
            continue
        wanted = feed.finews.get("name", "")
        name = wanted if wanted and wanted not in taken else source_name(
            feed.title, feed.url, taken)
        taken.add(name)
        plan.tables.append({
            "name": name, "kind": "feed", "url": feed.url, "media": feed.finews.get("media"),
            "tags": feed.tags, "fulltext": feed.finews.get("fulltext"),
            "fulltext_selector": feed.finews.get("fulltext_selector"),
            "fulltext_remove": feed.finews.get("fulltext_remove"),
            "enabled": False if feed.finews.get("enabled") == "false" else None})
    return plan


def feed_table(url: str, title: str, existing: Sequence[SourceSettings], *,
               name: str | None = None, **keys: Any) -> dict[str, Any]:
    """The table for one discovered feed; ConfigError when it is configured already."""
    known = {feed_key(s.url): s.name for s in existing}
    if feed_key(url) in known:
        raise ConfigError(f"{url} is configured already as {known[feed_key(url)]!r}")
    taken = {s.name for s in existing}
    if name is not None and name in taken:
        raise ConfigError(f"a source named {name!r} exists already; choose another --name")
    return {"name": name or source_name(title, url, taken), "kind": "feed", "url": url,
            **keys}
