"""The SQLite backend: one file in WAL mode, FTS5 shards for search."""

from .store import SQLiteStore

__all__ = ["SQLiteStore"]
