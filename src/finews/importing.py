"""``finews import``: original finews posts into the store, in batches.

Reading and understanding the files is ``finews.original.importer``'s job;
this module only feeds its events to the store: articles in batches (one
transaction each), bad files to the quarantine with their reason. Nothing is
dropped without a count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence
from zoneinfo import ZoneInfo

from .model import Article
from .search.indextext import IndexEntry
from .original.importer import Imported, ImportSummary, Quarantined, import_paths
from .store.base import Store

BATCH = 500


@dataclass(frozen=True, slots=True)
class ImportReport:
    files: ImportSummary
    new: int
    updated: int
    unchanged: int

    def line(self) -> str:
        f = self.files
        return (f"imported {f.imported} posts ({f.repaired} repaired), "
                f"quarantined {f.quarantined}, skipped {f.skipped} other files; "
                f"stored {self.new} new, {self.updated} updated, "
                f"{self.unchanged} unchanged")


def import_posts(store: Store, paths: Sequence[Path], *, tz: ZoneInfo,
                 progress: Callable[[int, int], None] | None = None) -> ImportReport:
    summary = ImportSummary()
    totals = [0, 0, 0]
    batch: list[tuple[Article, bytes]] = []
    entries: list[IndexEntry | None] = []

    def flush() -> None:
        if batch:
            outcome = store.upsert_articles(batch, index_entries=entries)
            totals[0] += outcome.new
            totals[1] += outcome.updated
            totals[2] += outcome.unchanged
            batch.clear()
            entries.clear()

    seen = 0
    for event in import_paths(paths, tz=tz):
        summary = summary.counted(event)
        if isinstance(event, Imported):
            batch.append((event.article, event.payload))
            entries.append(event.index_entry)
            if len(batch) >= BATCH:
                flush()
        elif isinstance(event, Quarantined):
            store.quarantine(event.record)
        seen += 1
        if progress and seen % BATCH == 0:
            progress(seen, 0)
    flush()
    if progress:
        progress(seen, seen)
    return ImportReport(summary, *totals)
