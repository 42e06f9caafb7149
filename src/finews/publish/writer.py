"""The only way finews writes into the output folder.

The writer refuses any path that would leave its root, refuses to write one
path twice in a build (two pages fighting over one URL is a bug, not a
choice), writes through a temporary file and a rename so a reader never sees
half a page, and leaves a file alone when it already holds the same bytes,
so a rebuild with nothing new touches nothing on disk.

A build into a missing or empty folder is *staged* when the caller asks for
it: every file is written straight into a sibling folder
(``.<name>.finews-building-<pid>``), which takes the output folder's place
in one rename when the build is done (:meth:`SiteWriter.finish`). Readers
see no site, then the whole site; never a part, never half a page. A file
costs one ``open`` instead of an ``open`` and a ``rename`` across folders,
about a sixth of what a full build spends per page. A build killed on the
way leaves only its staging folder, which the next build removes.
"""

from __future__ import annotations

import os
import shutil
import re
import tempfile
from pathlib import Path

from ..errors import PublishError, UnsafePathError


def check_relative(rel: str) -> str:
    """``rel`` when it is a safe relative site path; UnsafePathError saying why not."""
    if not rel or "\x00" in rel or "\\" in rel:
        raise UnsafePathError(f"refusing unsafe output path {rel!r}")
    if rel.startswith("/"):
        raise UnsafePathError(f"refusing absolute output path {rel!r}")
    if rel.endswith("/") or any(part in ("..", ".") for part in rel.split("/")):
        raise UnsafePathError(f"refusing output path {rel!r}: it must name a file "
                              "without '.' or '..' segments")
    return rel


class SiteWriter:
    """Writes files below ``root``; counts what it wrote and what it left alone."""

    def __init__(self, root: Path, *, fsync: bool = False,
                 fresh: bool | None = None, stage: bool = False,
                 direct: bool = False) -> None:
        """``stage``: build into a staging folder when ``root`` is missing or
        empty (see the module notes; call :meth:`finish` at the end).
        ``direct``: ``root`` is a staging folder, write files straight in
        (a worker of a staged build)."""
        self.root = Path(root)
        self.fsync = fsync
        self.written = 0
        self.unchanged = 0
        self.removed = 0      # files taken off the site (a day left without stories)
        self._seen: set[str] = set()
        self._resolved_root: Path | None = None
        # A build writes tens of thousands of files into a few thousand
        # folders: each folder is resolved (symlinks followed, checked to stay
        # inside the root) and created once, not once per file.
        self._folders: dict[str, str] = {}
        self._made: set[str] = set()
        # Into a folder that was empty when the build began there is nothing
        # to compare with: every file is new, so skip reading it back.
        self._fresh = False
        self._told_fresh = fresh   # a worker is told what its parent saw
        self._temp = 0
        self._partial_pid = 0
        self._partial = ""
        self._stage = stage
        self._staging: Path | None = None
        self._direct = direct

    @property
    def fresh(self) -> bool:
        """True when the root was missing or empty before this writer began."""
        self._root()
        return self._fresh

    @property
    def output(self) -> Path:
        """The folder files go into now: the staging folder while a build is staged."""
        return self._root()

    @property
    def direct(self) -> bool:
        """True when files are written straight in, without a rename (staged)."""
        self._root()
        return self._direct

    def _root(self) -> Path:
        if self._resolved_root is None:
            existed = self.root.is_dir() and any(
                e.name != PARTIAL for e in os.scandir(self.root))
            own_build = self._told_fresh is None   # the build's own writer, not a worker's
            self._fresh = not existed if own_build else self._told_fresh
            if own_build:
                _sweep_staging(self.root)
            if own_build and self._stage and self._fresh:
                self._staging = _begin_staging(self.root)
            top = self._staging or self.root
            top.mkdir(parents=True, exist_ok=True)
            self._resolved_root = top.resolve()
            self._made.add(str(self._resolved_root))
            self._direct = self._direct or self._staging is not None
            if not self._direct:
                partial = self._resolved_root / PARTIAL
                partial.mkdir(exist_ok=True)
                if own_build:
                    sweep_partial(partial)
        return self._resolved_root

    def finish(self) -> None:
        """Put a staged build in the output folder's place (nothing to do otherwise)."""
        staging = self._staging
        if staging is None:
            return
        try:
            partial = self.root / PARTIAL
            if partial.is_dir():          # an earlier build's leftovers: the folder must be empty
                sweep_partial(partial)
                partial.rmdir()
            # Over an empty folder, rename replaces it in one step.
            os.rename(staging, self.root)
        except OSError as exc:
            raise PublishError(
                f"cannot move the finished site from {staging} to {self.root}: "
                f"{exc.strerror or exc} (was something written into {self.root} "
                "during the build?)") from exc
        # Anything written after this goes into the published folder, the usual way.
        self._staging = None
        self._resolved_root, self._direct, self._fresh = None, False, False
        self._folders.clear()
        self._made.clear()

    def abandon(self) -> None:
        """Remove a staged build that failed; the output folder stays as it was."""
        staging, self._staging = self._staging, None
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)

    def target(self, rel: str) -> Path:
        """The absolute file for ``rel``, checked to stay inside the root."""
        return Path(self._target(rel))

    def _target(self, rel: str) -> str:
        # Strings, not Path objects: a full build asks this 100,000 times.
        check_relative(rel)
        root = self._root()
        folder_rel, _, name = rel.rpartition("/")
        folder = self._folders.get(folder_rel)
        if folder is None:
            if not folder_rel:
                folder = str(root)
            elif self._fresh:
                # Every folder below a root that began empty was made by this
                # build, so none is a link: the checked relative path is enough.
                folder = f"{root}/{folder_rel}"
            else:
                resolved = (root / folder_rel).resolve()
                if not resolved.is_relative_to(root):
                    raise UnsafePathError(
                        f"refusing output path {rel!r}: it leaves {self.root}")
                folder = str(resolved)
            self._folders[folder_rel] = folder
        path = f"{folder}/{name}"
        if not self._fresh and os.path.islink(path):
            # A link in place of the file (never in a folder this build
            # started empty): follow it only to stay inside.
            resolved = Path(path).resolve()
            if resolved == root or not resolved.is_relative_to(root):
                raise UnsafePathError(f"refusing output path {rel!r}: it leaves {self.root}")
            path = str(resolved)
        return path

    def write(self, rel: str, data: bytes | str) -> bool:
        """Write ``data`` at ``rel``; True if the file changed on disk."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = self._target(rel)
        if path in self._seen:
            raise PublishError(f"{rel} was written twice in one build; two pages "
                               "claim the same path")
        self._seen.add(path)
        if not self._fresh and _same_bytes(path, data):
            self.unchanged += 1
            return False
        try:
            self._make(path.rpartition("/")[0])
            if self._direct:
                _direct_write(path, data, self.fsync)
            else:
                self._temp += 1
                _atomic_write(path, data, self.fsync, self._temp, self._own_partial())
        except OSError as exc:
            raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from exc
        self.written += 1
        return True

    def _own_partial(self) -> str:
        """This process's folder for partial files (a forked worker gets its own).

        One folder per process: when every writer of a build created its
        files in one shared folder, the kernel serialised them on that
        folder's lock (a third of a full build's system time was spent
        spinning there).
        """
        pid = os.getpid()
        if self._partial_pid != pid:
            own = self._resolved_root / PARTIAL / str(pid)
            own.mkdir(exist_ok=True)
            self._partial_pid, self._partial = pid, str(own)
        return self._partial

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

    def remove(self, rel: str) -> bool:
        """Take the file at ``rel`` off the site; True if there was one."""
        path = self._target(rel)
        if path in self._seen:
            raise PublishError(f"{rel} was written and removed in one build")
        self._seen.add(path)
        try:
            os.unlink(path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise PublishError(f"cannot remove {path}: {exc.strerror or exc}") from exc
        self.removed += 1
        return True

    def read(self, rel: str) -> bytes | None:
        """The bytes now at ``rel`` (None when there is no such file)."""
        try:
            return self.target(rel).read_bytes()
        except OSError:
            return None

    def exists(self, rel: str) -> bool:
        return self.target(rel).is_file()


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as fh:
            return fh.read() == data
    except OSError:
        return False


#: Where files are written before they are renamed into place: one folder of
#: the site (so the rename stays on one file system and is atomic) whose name
#: starts with a dot (so the web server never serves it), with a folder per
#: writing process named by its pid.
PARTIAL = ".finews-partial"
_PARTIAL_NAME = re.compile(r"\.tmp-(\d+)-")     # files of the older flat layout


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_partial(folder: Path) -> int:
    """Remove what writers killed mid-write left behind; returns how many files.

    The folder of a process still alive (a concurrent build) is left alone.
    """
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name.isdigit() and _alive(int(entry.name)):
                continue
            removed += sum(len(files) for _, _, files in os.walk(entry.path))
            shutil.rmtree(entry.path, ignore_errors=True)
            continue
        match = _PARTIAL_NAME.match(entry.name)
        if match is None or not _alive(int(match.group(1))):
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError:
                pass
    return removed


def _atomic_write(path: str, data: bytes, fsync: bool, serial: int,
                  partial: str) -> None:
    # The name is unique per write in the process's own folder (O_EXCL
    # refuses any clash), which is cheaper than tempfile's random names.
    tmp = f"{partial}/{serial}-{path.rpartition('/')[2][-100:]}.part"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    except FileExistsError:
        fd, tmp = tempfile.mkstemp(dir=partial, suffix=".part")
    try:
        _fill(fd, data, fsync)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _direct_write(path: str, data: bytes, fsync: bool) -> None:
    # Only into a staging folder, which no reader sees: a half-written file
    # there is removed with the folder. O_EXCL: every file is new.
    _fill(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644), data, fsync)


def _fill(fd: int, data: bytes, fsync: bool) -> None:
    """Write all of ``data`` to the new file ``fd``, readable by all, and close it."""
    try:
        os.fchmod(fd, 0o644)   # whatever the umask: the web server must read it
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


#: The name of a staging folder after the output folder's: ``.site.finews-building-<pid>``.
STAGING = ".finews-building-"


def _staging_name(root: Path) -> str:
    return f".{root.name}{STAGING}"


def _begin_staging(root: Path) -> Path | None:
    """A new staging folder beside ``root``; None when ``root`` cannot be replaced by a rename."""
    try:
        if not root.name or root.is_symlink():
            return None            # renaming over a link would replace the link itself
        parent = root.parent
        parent.mkdir(parents=True, exist_ok=True)
        if root.exists() and os.stat(root).st_dev != os.stat(parent).st_dev:
            return None            # a mount point: a rename cannot replace it
        staging = parent / f"{_staging_name(root)}{os.getpid()}"
        if staging.exists():       # left by an earlier process with this pid
            shutil.rmtree(staging)
        os.mkdir(staging)
        return staging
    except OSError:
        return None                # e.g. the parent is read-only: write in place


def _sweep_staging(root: Path) -> None:
    """Remove staging folders of builds that died (their process is gone)."""
    prefix = _staging_name(root)
    try:
        entries = [e for e in os.scandir(root.parent) if e.name.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(prefix):]
        if pid.isdigit() and not _alive(int(pid)) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
