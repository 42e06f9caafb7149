"""What a failing store means, said to the one who sees it.

A store error reaches two kinds of user: a web client, who gets a 503 with
the usual JSON error (what is wrong, never a file name or a driver's
exception), and someone at the command line, who gets one sentence naming
the file and what to do. Both come from :func:`store_failure`, which reads
the driver's error wherever it is in the chain (a :class:`StoreError`
raised by the store keeps the driver's error as its cause).
"""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass
from types import ModuleType

from ..errors import StoreError


def _psycopg() -> ModuleType | None:
    """psycopg if some store has loaded it. A psycopg error can only come from
    a PostgreSQL store, which imports the driver itself, so a command on a
    SQLite store never pays the driver's ~60 ms import to classify errors."""
    return sys.modules.get("psycopg")


def driver_errors(*, load: bool = False) -> tuple[type[BaseException], ...]:
    """Driver errors that mean "the store", caught at the edges (CLI, web) when
    a store lets one through untranslated. ``load`` imports psycopg when no
    store has yet (an error handler registered before any store is opened
    must know the class)."""
    if load:
        import psycopg
        return (sqlite3.Error, psycopg.Error)
    pg = _psycopg()
    return (sqlite3.Error,) if pg is None else (sqlite3.Error, pg.Error)


@dataclass(frozen=True, slots=True)
class StoreFailure:
    reason: str       # locked, full, damaged, missing, empty, read_only, io, unreachable,
                      # denied, unavailable
    what: str         # completes "the store FILE …"
    advice: str       # what to do about it
    retry_after: int | None = None   # seconds, when waiting is the cure

    @property
    def code(self) -> str:
        return f"store_{self.reason}"

    def sentence(self, location: str) -> str:
        """One sentence for the command line."""
        return f"the store {location} {self.what}; {self.advice}"

    def public_message(self) -> str:
        """For a web client: what is wrong, without paths or driver text."""
        if self.reason == "unavailable":
            return "the store is not available right now"
        return f"the store is not available right now: it {self.what}"


_LOCKED = StoreFailure("locked", "is locked by another process",
                       "try again when that process has finished its write", retry_after=5)
_FULL = StoreFailure("full", "cannot grow: the disk (or its quota) is full",
                     "free some space on that disk and try again")
_DAMAGED = StoreFailure("damaged", "is damaged or is not a finews database",
                        "restore it from a backup, or move it away and run `finews fetch` "
                        "or `finews import` to start a new one")
_MISSING = StoreFailure("missing", "does not exist or cannot be opened",
                        "check store.url and data_dir in finews.toml, or run `finews fetch` "
                        "to create it")
_EMPTY = StoreFailure("empty", "holds no finews data yet",
                      "run `finews fetch` or `finews import` to fill it")
_READ_ONLY = StoreFailure("read_only", "cannot be written",
                          "give finews write access to the file and its folder")
_IO = StoreFailure("io", "cannot be read or written (a disk error)",
                   "check the disk, then restore the file from a backup if it is damaged")

_UNREACHABLE = StoreFailure("unreachable", "cannot be reached",
                            "check that its PostgreSQL server is running and that store.url "
                            "names it", retry_after=5)
_DENIED = StoreFailure("denied", "refuses finews's login",
                       "check the user and password in store.url and the server's access rules")

#: PostgreSQL's SQLSTATE codes (or their two-character classes).
_BY_SQLSTATE = {
    "08": _UNREACHABLE, "57P01": _UNREACHABLE, "57P03": _UNREACHABLE,
    "28": _DENIED, "3D000": _MISSING, "42P01": _EMPTY, "53100": _FULL,
    "25006": _READ_ONLY, "55P03": _LOCKED, "40P01": _LOCKED, "XX001": _DAMAGED,
    "58": _IO,
}

_BY_NAME = {
    "SQLITE_BUSY": _LOCKED, "SQLITE_LOCKED": _LOCKED,
    "SQLITE_FULL": _FULL,
    "SQLITE_CORRUPT": _DAMAGED, "SQLITE_NOTADB": _DAMAGED,
    "SQLITE_CANTOPEN": _MISSING,
    "SQLITE_READONLY": _READ_ONLY, "SQLITE_PERM": _READ_ONLY,
    "SQLITE_IOERR": _IO,
}
_BY_TEXT = (
    ("locked", _LOCKED), ("disk is full", _FULL), ("malformed", _DAMAGED),
    ("not a database", _DAMAGED), ("unable to open", _MISSING), ("no such table", _EMPTY),
    ("readonly", _READ_ONLY), ("disk i/o", _IO),
)


def _classify_postgres(exc: BaseException, pg: ModuleType) -> StoreFailure:
    state = getattr(exc, "sqlstate", None) or ""
    found = _BY_SQLSTATE.get(state) or _BY_SQLSTATE.get(state[:2])
    if found is not None:
        return found
    if isinstance(exc, pg.OperationalError):   # no SQLSTATE: no connection
        return _UNREACHABLE
    return StoreFailure("unavailable", f"cannot be used ({exc.__class__.__name__})",
                        "check the PostgreSQL server's log")


def _classify(exc: sqlite3.Error) -> StoreFailure:
    name = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, failure in _BY_NAME.items():
        if name == prefix or name.startswith(prefix + "_"):
            return failure
    text = str(exc).lower()
    for needle, failure in _BY_TEXT:
        if needle in text:
            return failure
    return StoreFailure("unavailable", f"cannot be used ({exc})",
                        "check the file and the disk it is on")


class StoreFailedElsewhere(StoreError):
    """A store failure met in another process (a search worker), already
    classified there: a driver's exception does not cross a process
    boundary with its chain, so the worker sends what :func:`store_failure`
    made of it."""

    def __init__(self, message: str, failure: StoreFailure | None = None) -> None:
        super().__init__(message)
        self.failure = failure


def store_failure(exc: BaseException) -> StoreFailure | None:
    """The store failure behind ``exc`` (a driver error anywhere in its chain),
    or None when there is none: a :class:`StoreError` of finews's own (a
    store newer than this finews…) already says what to do."""
    pg = _psycopg()
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, StoreFailedElsewhere):
            return current.failure
        if isinstance(current, sqlite3.Error):
            return _classify(current)
        if pg is not None and isinstance(current, pg.Error):
            return _classify_postgres(current, pg)
        current = current.__cause__ or current.__context__
    return None


def is_store_error(exc: BaseException) -> bool:
    return isinstance(exc, (StoreError, *driver_errors())) or store_failure(exc) is not None
