"""``open_store(url)``: the one place that picks a store backend.

``sqlite:///PATH`` (a file; relative paths are relative to the working
folder, ``sqlite:////abs/path`` or ``sqlite:///abs/path`` both work) or
``postgresql://user@host:port/database`` (also ``postgres://``; every libpq
connection parameter is accepted, e.g. ``?host=/run/postgresql`` for a unix
socket). Nothing outside ``store/`` constructs a backend or opens a
database file.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import ConfigError
from .base import Store

SQLITE = "sqlite:///"
POSTGRES = ("postgresql://", "postgres://")


def backend_of(url: str) -> str:
    """``sqlite`` or ``postgresql``; ConfigError for any other URL."""
    if url.startswith(SQLITE):
        return "sqlite"
    if url.startswith(POSTGRES):
        return "postgresql"
    raise ConfigError(f"store.url {url!r} is not supported: use sqlite:///PATH "
                      "or postgresql://USER@HOST/DATABASE")


def sqlite_path(url: str) -> Path:
    """The file a ``sqlite:///`` URL names."""
    backend_of(url)
    return Path(url[len(SQLITE):])


def sqlite_url(path: Path | str) -> str:
    return f"{SQLITE}{path}"


def exists(url: str) -> bool:
    """Whether a store is there to read (a SQLite file; a PostgreSQL URL is
    taken to name one: asking would mean connecting)."""
    return backend_of(url) != "sqlite" or sqlite_path(url).exists()


def location(url: str) -> str:
    """Where the store is, for a sentence: the file, or the URL without its password."""
    if backend_of(url) == "sqlite":
        return str(sqlite_path(url))
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def size_bytes(url: str) -> int | None:
    """The bytes a SQLite store takes on disk; None for PostgreSQL (the server knows)."""
    if backend_of(url) != "sqlite":
        return None
    from ..metrics import sqlite_bytes
    return sqlite_bytes(sqlite_path(url))


def open_store(url: str, tz: ZoneInfo, *, readonly: bool = False) -> Store:
    """The store at ``url``, its schema brought up to date unless ``readonly``."""
    if backend_of(url) == "sqlite":
        from .sqlite import SQLiteStore
        return SQLiteStore.open(sqlite_path(url), tz, readonly=readonly)
    from .postgres import PostgresStore
    return PostgresStore.open(url, tz, readonly=readonly)
