"""What several finews processes sharing one store agree through it.

Three things, each chosen by the store's URL like ``open_store``:

* :func:`hold_publisher`: only one process publishes a store at a time (the
  publisher's watermark lives in the store). PostgreSQL: a session advisory
  lock, freed by the server when the holder's connection ends, a kill
  included. SQLite: an ``flock`` on a file beside the database.
* :func:`hold_fetcher`: on SQLite only one fetch worker may run (one writer,
  and no row locks to share sources with); PostgreSQL has no such limit,
  its workers share the sources through leases (``Store.lease_sources``).
* :func:`listen_changes`: a publisher woken as soon as any worker commits
  new stories. PostgreSQL: ``LISTEN``/``NOTIFY`` (the writers notify when
  they number their changes, delivered when they commit). SQLite: the
  waiting ends at the timeout and the caller looks at the store itself.
"""

from __future__ import annotations

from typing import Protocol

from .open import backend_of, sqlite_path


class Held(Protocol):
    """A role held until :meth:`release` (or the process ends)."""

    def check(self) -> None:
        """RoleBusyError when the role was lost (the database connection that
        held it dropped and another process took it meanwhile)."""

    def release(self) -> None: ...


class ChangeListener(Protocol):
    def wait(self, timeout: float) -> bool:
        """True when a change was announced within ``timeout`` seconds."""

    def close(self) -> None: ...


def hold_publisher(url: str, holder: str) -> Held:
    """The publisher's role for the store at ``url``, for ``holder`` (who and
    where, shown to a process that is refused); RoleBusyError naming the one
    holding it."""
    if backend_of(url) == "sqlite":
        from .sqlite.locks import hold_file
        return hold_file(sqlite_path(url), holder, "publish")
    from .postgres.signals import hold_publisher as hold
    return hold(url, holder)


def hold_fetcher(url: str, holder: str) -> Held:
    """The fetch worker's role: one per SQLite store, any number on PostgreSQL."""
    if backend_of(url) == "sqlite":
        from .sqlite.locks import hold_file
        return hold_file(sqlite_path(url), holder, "fetch")
    return _NoHold()


def listen_changes(url: str) -> ChangeListener:
    if backend_of(url) == "sqlite":
        return _Sleeper()
    from .postgres.signals import Listener
    return Listener(url)


class _NoHold:
    def check(self) -> None:
        return None

    def release(self) -> None:
        return None


class _Sleeper:
    def __init__(self) -> None:
        import threading
        self._closed = threading.Event()

    def wait(self, timeout: float) -> bool:
        self._closed.wait(timeout)
        return False

    def close(self) -> None:
        self._closed.set()
