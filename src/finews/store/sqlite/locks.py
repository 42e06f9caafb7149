"""A role held by an ``flock`` on a file beside a SQLite database.

The kernel frees the lock when the holder's process ends, however it ends,
so a killed worker never leaves the role taken. The file keeps the holder's
description for the sentence a refused process prints.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ...errors import RoleBusyError


class FileHold:
    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def check(self) -> None:
        return None            # an flock cannot be lost while the file is open

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def hold_file(database: Path, holder: str, role: str) -> FileHold:
    path = database.with_name(f"{database.name}.{role}.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise RoleBusyError(f"cannot take the {role} role: {path}: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        other = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "another process"
        os.close(fd)
        raise RoleBusyError(_refusal(role, database, other)) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, holder.encode(), 0)
    return FileHold(fd)


def _refusal(role: str, database: Path, other: str) -> str:
    if role == "fetch":
        return (f"a fetch worker already runs against the SQLite store {database} "
                f"({other}); more than one fetch worker needs a PostgreSQL store "
                "(store.url = \"postgresql://…\", see the README's \"Several machines\")")
    return (f"the store {database} is already being published by {other}; "
            "one publisher per store: stop that one first, or start this one with --standby "
            "to take over when it stops")
