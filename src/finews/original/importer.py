"""Import the original finews's post files: folders in, events out.

``import_paths`` walks files and folders and yields one event per file:
``Imported`` (an Article, the file's bytes, the repairs made), ``Quarantined``
(a QuarantineRecord with the reason and the bytes) or ``Skipped`` (not a
post file). One bad file never stops the walk.

Which files are posts: ``.md``/``.markdown`` files inside a ``_posts`` or
``old_post`` folder, files given by name, and files anywhere whose name looks
like ``<YYYY-MM-DD>-<id>.md``. Hidden folders and ``_site`` are not entered;
symbolic links are followed only when they stay inside the folder given.

The same story in two files (``_posts/`` and ``old_post/`` both hold
``2022-03-01-NW1.md``, maybe with different text): both are yielded, one
right after the other, so that the store's update leaves the winner. The
winner is the larger file (more text fetched), then the one in ``_posts/``
(the original only moved posts out of it, so its copy is the newer), then the
later path in sort order: deterministic whatever the walk order.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Sequence, Union
from zoneinfo import ZoneInfo

from ..errors import FinewsError, ImportFormatError
from ..model import Article, PackedPayload, QuarantineRecord
from ..search import segment
from ..search.indextext import IndexEntry, make_entry
from .convert import file_name_parts, post_to_article
from .parallel import ordered_map
from .post import FOLDERS, parse_post

MAX_BYTES = 5 * 1024 * 1024
SUFFIXES = (".md", ".markdown")
QUARANTINE_SOURCE = "finews-import"
_POST_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-.+\.(?:md|markdown)$")
_SKIP_DIRS = {"_site", "node_modules"}
CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class Imported:
    path: Path
    article: Article
    payload: PackedPayload    # the post's bytes, packed here as the store keeps them
    repairs: tuple[str, ...] = ()
    # Segmented here, in the reading worker, so the store's writer only inserts it.
    index_entry: IndexEntry | None = None


@dataclass(frozen=True, slots=True)
class Quarantined:
    path: Path
    record: QuarantineRecord


@dataclass(frozen=True, slots=True)
class Skipped:
    path: Path
    reason: str


ImportEvent = Union[Imported, Quarantined, Skipped]


@dataclass(frozen=True, slots=True)
class ImportSummary:
    imported: int = 0
    repaired: int = 0          # imported with at least one repair
    quarantined: int = 0
    skipped: int = 0

    def counted(self, event: ImportEvent) -> ImportSummary:
        if isinstance(event, Imported):
            return replace(self, imported=self.imported + 1,
                           repaired=self.repaired + (1 if event.repairs else 0))
        if isinstance(event, Quarantined):
            return replace(self, quarantined=self.quarantined + 1)
        return replace(self, skipped=self.skipped + 1)


@dataclass(frozen=True, slots=True)
class _Candidate:
    path: Path
    folder: str
    size: int


def _folder_of(path: Path) -> str:
    return _folder_kind(path.parent)


def _is_post_file(path: Path, explicit: bool, folder: str | None = None) -> bool:
    if os.path.splitext(path.name)[1].lower() not in SUFFIXES:
        return False
    folder = _folder_of(path) if folder is None else folder
    return explicit or folder in FOLDERS or bool(_POST_NAME.match(path.name))


def _folder_kind(folder: Path) -> str:
    """What :func:`_folder_of` says of every file in ``folder``."""
    for part in reversed(folder.parts):
        if part in FOLDERS:
            return part
    return folder.name


def _candidates(paths: Sequence[Path]) -> Iterator[_Candidate | Skipped]:
    for root in paths:
        if root.is_dir():
            yield from _scan(root, root.resolve())
        else:
            yield _checked(root, root.resolve().parent, explicit=True)


def _scan(folder: Path, top: Path) -> Iterator[_Candidate | Skipped]:
    """Every file under ``folder``, top-down, each folder's entries in name order.

    ``os.scandir`` says from the folder listing itself whether an entry is a
    plain file, folder or link, so an ordinary post file costs one ``stat``
    (its size) instead of four: walking 100,000 posts took 3.7 s.
    """
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        yield Skipped(folder, f"cannot read this folder: {exc.strerror or exc}")
        return
    kind = _folder_kind(folder)
    folders = []
    for entry in entries:
        name = entry.name
        try:
            if entry.is_symlink():
                if not (entry.is_dir() and _unwalked(name)):
                    yield _checked(folder / name, top, explicit=False)
            elif entry.is_dir():
                if not _unwalked(name):
                    folders.append(name)
            elif entry.is_file():
                path = folder / name
                if not _is_post_file(path, False, kind):
                    yield Skipped(path, "not a post file")
                else:
                    yield _Candidate(path, kind, entry.stat(follow_symlinks=False).st_size)
            else:
                yield _checked(folder / name, top, explicit=False)
        except OSError as exc:
            yield Skipped(folder / name, f"cannot read: {exc.strerror or exc}")
    for name in folders:
        yield from _scan(folder / name, top)


def _unwalked(folder_name: str) -> bool:
    return folder_name.startswith(".") or folder_name in _SKIP_DIRS


def _checked(path: Path, top: Path, explicit: bool) -> _Candidate | Skipped:
    """A file named on the command line, or a link or special file met in a folder."""
    if path.is_symlink() and not path.resolve().is_relative_to(top):
        return Skipped(path, "symbolic link leading outside the imported folder")
    if path.is_symlink() and path.is_dir():
        return Skipped(path, "linked folder (its files are imported where they live)")
    if not path.is_file():
        return Skipped(path, "not a regular file")
    if not _is_post_file(path, explicit):
        return Skipped(path, "not a post file")
    return _Candidate(path, _folder_of(path), path.stat().st_size)


def _group_key(candidate: _Candidate) -> str:
    try:
        return file_name_parts(candidate.path.name)[1]
    except ImportFormatError:
        return "\0" + str(candidate.path)


def _winner_last(group: list[_Candidate]) -> list[_Candidate]:
    return sorted(group, key=lambda c: (c.size, c.folder == "_posts", str(c.path)))


def _read(candidate: _Candidate, tz: ZoneInfo) -> Imported | Quarantined:
    path = candidate.path
    payload = b""
    try:
        if candidate.size > MAX_BYTES:
            raise ImportFormatError(f"{path.name} is larger than {MAX_BYTES // (1024 * 1024)} MB; "
                                    "an original post is never that big")
        payload = path.read_bytes()
        post = parse_post(path.name, payload, folder=candidate.folder)
        article, repairs = post_to_article(post, tz=tz)
        entry = make_entry(article.title, article.digest, article.body_html)
        return Imported(path, article, PackedPayload.pack(payload), tuple(repairs), entry)
    except FinewsError as exc:
        return _quarantine(path, exc.code, str(exc), payload)
    except OSError as exc:
        return _quarantine(path, "import_read", f"cannot read {path}: {exc.strerror or exc}",
                           payload)


def _quarantine(path: Path, code: str, reason: str, payload: bytes) -> Quarantined:
    try:
        upstream_id: str | None = file_name_parts(path.name)[1]
    except ImportFormatError:
        upstream_id = None
    return Quarantined(path, QuarantineRecord(source=QUARANTINE_SOURCE, reason=reason,
                                              code=code, upstream_id=upstream_id,
                                              payload=payload))


def import_paths(paths: Sequence[Path], *, tz: ZoneInfo = CHINA,
                 workers: int | None = None) -> Iterator[ImportEvent]:
    """One event per file under ``paths``; see the module notes for the order.

    A large import reads its files in ``workers`` processes (default: one
    per core); the events come out in the same order either way.
    """
    groups: dict[str, list[_Candidate]] = {}
    for found in _candidates(paths):
        if isinstance(found, Skipped):
            yield found
        else:
            groups.setdefault(_group_key(found), []).append(found)
    ordered = [(candidate, tz) for key in sorted(groups)
               for candidate in _winner_last(groups[key])]
    groups.clear()
    segment.load()   # the workers segment each story: load the dictionary once, before they fork
    yield from ordered_map(_read_pair, ordered, workers, prepare=_read_ahead)


def _read_pair(pair: tuple[_Candidate, ZoneInfo]) -> Imported | Quarantined:
    return _read(*pair)


def _read_ahead(pairs: Sequence[tuple[_Candidate, ZoneInfo]]) -> None:
    """Ask the kernel to start reading a chunk's files at once.

    An archive being imported is rarely in the page cache, and read one
    after another each small file costs a wait on the disk while the worker
    idles (~80 µs a post on this project's test machine's virtual disk,
    milliseconds on a spinning one). Asked for together, the reads overlap
    each other and the parsing.
    """
    if not hasattr(os, "posix_fadvise"):
        return
    for candidate, _ in pairs:
        try:
            # Non-blocking: a file swapped for a FIFO since the walk must not hang here.
            fd = os.open(candidate.path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            continue            # reading it for real reports the problem
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def summarise(events: Iterator[ImportEvent]) -> ImportSummary:
    summary = ImportSummary()
    for event in events:
        summary = summary.counted(event)
    return summary
