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

    def __init__(self, root: Path, *, fsync: bool = False,
                 fresh: bool | None = None) -> None:
        self.root = Path(root)
        self.fsync = fsync
        self.written = 0
        self.unchanged = 0
        self._seen: set[str] = set()
        self._resolved_root: Path | None = None
        # A build writes tens of thousands of files into a few thousand
        # folders: each folder is resolved (symlinks followed, checked to stay
        # inside the root) and created once, not once per file.
        self._folders: dict[str, Path] = {}
        self._made: set[str] = set()
        # Into a folder that was empty when the build began there is nothing
        # to compare with: every file is new, so skip reading it back.
        self._fresh = False
        self._told_fresh = fresh   # a worker is told what its parent saw
        self._temp = 0

    @property
    def fresh(self) -> bool:
        """True when the root was missing or empty before this writer began."""
        self._root()
        return self._fresh

    def _root(self) -> Path:
        if self._resolved_root is None:
            existed = self.root.is_dir() and any(os.scandir(self.root))
            self.root.mkdir(parents=True, exist_ok=True)
            self._resolved_root = self.root.resolve()
            self._made.add(str(self._resolved_root))
            self._fresh = not existed if self._told_fresh is None else self._told_fresh
        return self._resolved_root

    def target(self, rel: str) -> Path:
        """The absolute file for ``rel``, checked to stay inside the root."""
        check_relative(rel)
        root = self._root()
        folder_rel, _, name = rel.rpartition("/")
        folder = self._folders.get(folder_rel)
        if folder is None:
            if not folder_rel:
                folder = root
            elif self._fresh:
                # Every folder below a root that began empty was made by this
                # build, so none is a link: the checked relative path is enough.
                folder = root / folder_rel
            else:
                folder = (root / folder_rel).resolve()
            if not folder.is_relative_to(root):
                raise UnsafePathError(f"refusing output path {rel!r}: it leaves {self.root}")
            self._folders[folder_rel] = folder
        path = folder / name
        if not self._fresh and path.is_symlink():
            # A link in place of the file (never in a folder this build
            # started empty): follow it only to stay inside.
            path = path.resolve()
            if path == root or not path.is_relative_to(root):
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
        if not self._fresh and _same_bytes(path, data):
            self.unchanged += 1
            return False
        folder = path.parent
        try:
            self._make(str(folder))
            self._temp += 1
            _atomic_write(path, data, self.fsync, self._temp)
        except OSError as exc:
            raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from exc
        self.written += 1
        return True

    def _make(self, folder: str) -> None:
        if folder in self._made:
            return
        if self._fresh:
            # Top-down from the nearest folder already made: no failed mkdir
            # of a child before its parent (another process may race us).
            self._make(os.path.dirname(folder))   # stops at the root, made first
            try:
                os.mkdir(folder)
            except FileExistsError:
                pass
        else:
            Path(folder).mkdir(parents=True, exist_ok=True)
        self._made.add(folder)

    def exists(self, rel: str) -> bool:
        return self.target(rel).is_file()


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _atomic_write(path: Path, data: bytes, fsync: bool, serial: int = 0) -> None:
    # The temporary file lives in the same folder so the rename is atomic;
    # its name starts with a dot so the web server never serves it. The name
    # is unique per process and write (O_EXCL refuses any clash), which is
    # cheaper than tempfile's random names.
    tmp = f"{path.parent}/.tmp-{os.getpid()}-{serial}-{path.name}.part"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    except FileExistsError:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        try:
            os.fchmod(fd, 0o644)   # whatever the umask: the web server must read it
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
