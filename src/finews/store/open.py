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


def open_store(url: str, tz: ZoneInfo, *, readonly: bool = False) -> Store:
    """The store at ``url``, its schema brought up to date unless ``readonly``."""
    if backend_of(url) == "sqlite":
        from .sqlite import SQLiteStore
        return SQLiteStore.open(sqlite_path(url), tz, readonly=readonly)
    from .postgres import PostgresStore
    return PostgresStore.open(url, tz, readonly=readonly)
