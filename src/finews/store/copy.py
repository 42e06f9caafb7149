"""``finews copy-store FROM TO``: move a whole archive between backends.

Every table the archive keeps — categories, stories, raw payloads,
revisions, aliases (with each twin's own copy), seen list items, stock
mentions, quarantine, sources' state, the small key/value state and story
clusters — is copied row for row, ids and
change numbers included, so story paths, slugs and the publisher's
watermark mean the same in the new store; both backends store the same
columns the same way (``store.rows``). The search index is rebuilt in the
target from the copied stories (its form is the backend's own).

Resumable. Rows are copied in key order, a batch per transaction; a copy
started again (after a kill, a lost connection) asks the target for the
last key it holds in each table and goes on from there. Before anything is
written, the target's rows must be the source's first ones (the same count
up to its last key, and that last row the same): a store of another
archive is refused. At the end every table's row count is compared, and a
difference is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..errors import StoreError
from .base import Store


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]


#: In an order that satisfies every foreign key.
TABLES: tuple[Table, ...] = (
    Table("categories", ("id",), ("id", "slug", "name", "tag", "original_slug")),
    Table("articles", ("id",), (
        "id", "source", "upstream_id", "category_id", "path", "title", "digest",
        "body_html", "published", "day", "media", "url", "tags", "stocks", "shape",
        "extra", "content_hash", "seq", "first_seen", "updated")),
    Table("raw_payloads", ("article_id",), ("article_id", "data")),
    Table("revisions", ("id",), (
        "id", "article_id", "title", "digest", "body_html", "published", "content_hash",
        "raw", "replaced_at", "stocks")),
    Table("aliases", ("source", "upstream_id"), (
        "source", "upstream_id", "article_id", "content_hash", "title", "digest",
        "published", "media", "url", "tags", "shape", "category_slug", "extra", "payload",
        "path")),
    Table("seen_items", ("source", "upstream_id"), ("source", "upstream_id", "item_hash")),
    Table("stock_mentions", ("article_id", "market", "code"),
          ("article_id", "market", "code", "name")),
    Table("quarantine", ("id",), (
        "id", "source", "upstream_id", "code", "reason", "payload", "fingerprint",
        "created")),
    Table("sources", ("name",), (
        "name", "last_attempt", "last_success", "last_error", "error_count",
        "next_attempt", "etag", "last_modified", "served", "new", "updated",
        "unchanged", "quarantined")),
    Table("state", ("key",), ("key", "value")),
    Table("story_clusters", ("article_id",),
          ("article_id", "cluster_id", "published", "fingerprint")),
    Table("cluster_keys", ("key", "article_id"), ("key", "article_id")),
)

#: Rows per batch (one transaction in the target).
BATCH = 2000

Progress = Callable[[str, int, int], None]    # (table, copied, total)


@dataclass(frozen=True, slots=True)
class CopyReport:
    counts: dict[str, int]        # rows in each table, equal on both sides
    copied: int                   # rows copied by this run (a resumed run: the rest)
    indexed: int                  # stories indexed for search in the target


def copy_store(source: Store, target: Store, *, progress: Progress | None = None,
               batch: int = BATCH) -> CopyReport:
    """Copy every table of ``source`` into ``target`` (empty, or a copy left unfinished)."""
    copied = 0
    counts: dict[str, int] = {}
    # What the target holds must be the source's first rows (an earlier run
    # of this copy), not another archive: checked before anything is written.
    resume: dict[str, tuple | None] = {}
    for table in TABLES:
        after = resume[table.name] = target.copy_last_key(table)
        if after is not None and (
                source.copy_count_upto(table, after) != target.copy_count(table)
                or source.copy_row(table, after) != target.copy_row(table, after)):
            raise StoreError(f"copy-store: the target's {table.name} are not the first "
                             "rows of the source; copy into an empty store")
    for table in TABLES:
        total = source.copy_count(table)
        done = target.copy_count(table)
        after = resume[table.name]
        if progress is not None:
            progress(table.name, done, total)
        while True:
            rows = source.copy_read(table, after, batch)
            if not rows:
                break
            target.copy_write(table, rows)
            copied += len(rows)
            done += len(rows)
            after = tuple(rows[-1][table.columns.index(k)] for k in table.key)
            if progress is not None:
                progress(table.name, done, total)
        counts[table.name] = total
    target.copy_finish()
    indexed = target.reindex(progress=(lambda d, t: progress("search index", d, t))
                             if progress is not None else None)
    for table in TABLES:
        have = target.copy_count(table)
        if have != counts[table.name]:
            raise StoreError(f"copy-store: {table.name} has {counts[table.name]} rows in the "
                             f"source but {have} in the target; was the target empty?")
    return CopyReport(counts, copied, indexed)
