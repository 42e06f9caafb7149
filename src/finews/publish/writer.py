"""The only way finews writes into the output folder.

The writer refuses any path that would leave its root, refuses to write one
path twice in a build (two pages fighting over one URL is a bug, not a
choice), writes through a temporary file and a rename so a reader never sees
half a page, and leaves a file alone when it already holds the same bytes,
so a rebuild with nothing new touches nothing on disk.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath

from ..errors import PublishError, UnsafePathError


def check_relative(rel: str) -> PurePosixPath:
    """A relative site path, or UnsafePathError saying why it is refused."""
    if not rel or "\x00" in rel or "\\" in rel:
        raise UnsafePathError(f"refusing unsafe output path {rel!r}")
    pure = PurePosixPath(rel)
    if pure.is_absolute() or rel.startswith("/"):
        raise UnsafePathError(f"refusing absolute output path {rel!r}")
    if any(part in ("..", ".") for part in rel.split("/")) or rel.endswith("/"):
        raise UnsafePathError(f"refusing output path {rel!r}: it must name a file "
                              "without '.' or '..' segments")
    return pure


class SiteWriter:
    """Writes files below ``root``; counts what it wrote and what it left alone."""

    def __init__(self, root: Path, *, fsync: bool = False) -> None:
        self.root = Path(root)
        self.fsync = fsync
        self.written = 0
        self.unchanged = 0
        self._seen: set[str] = set()
        self._resolved_root: Path | None = None

    def target(self, rel: str) -> Path:
        """The absolute file for ``rel``, checked to stay inside the root."""
        pure = check_relative(rel)
        if self._resolved_root is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._resolved_root = self.root.resolve()
        path = (self._resolved_root / pure).resolve()
        if path == self._resolved_root or not path.is_relative_to(self._resolved_root):
            raise UnsafePathError(f"refusing output path {rel!r}: it leaves {self.root}")
        return path

    def write(self, rel: str, data: bytes | str) -> bool:
        """Write ``data`` at ``rel``; True if the file changed on disk."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = self.target(rel)
        key = str(path)
        if key in self._seen:
            raise PublishError(f"{rel} was written twice in one build; two pages "
                               "claim the same path")
        self._seen.add(key)
        if _same_bytes(path, data):
            self.unchanged += 1
            return False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(path, data, self.fsync)
        except OSError as exc:
            raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from exc
        self.written += 1
        return True

    def exists(self, rel: str) -> bool:
        return self.target(rel).is_file()


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _atomic_write(path: Path, data: bytes, fsync: bool) -> None:
    # The temporary file lives in the same folder so the rename is atomic;
    # its name starts with a dot so the web server never serves it.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
