"""Serving the output folder: safe path resolution and content types.

A URL path is mapped to a file only after every check passes: no NUL, no
backslash, no encoded slash, no ``.``/``..`` or hidden segment, and the
resolved file must still lie inside the site folder (which also stops
symbolic links that point out of it).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

#: Content types finews sets itself; everything else comes from ``mimetypes``.
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}
ATOM = "application/atom+xml"
XML = "application/xml"


def content_type(rel: str) -> str:
    suffix = Path(rel).suffix.lower()
    if suffix == ".xml":
        # Sitemaps are plain XML; every other .xml file of the site is a feed.
        return XML if rel == "sitemap.xml" or rel.startswith("sitemap/") else ATOM
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, _ = mimetypes.guess_type(rel)
    return guessed or "application/octet-stream"


def safe_relative(path: str, raw_path: bytes) -> str | None:
    """The site-relative path for a decoded URL path, or None if it is refused."""
    raw = raw_path.lower()
    if b"%2f" in raw or b"%5c" in raw or b"%00" in raw:
        return None
    if "\x00" in path or "\\" in path or not path.startswith("/"):
        return None
    segments = path[1:].split("/")
    for seg in segments[:-1]:
        if not seg or seg.startswith("."):
            return None
    if segments[-1].startswith("."):
        return None
    return "/".join(segments)


class SiteFiles:
    """Finds the file answering a request inside ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def find(self, rel: str) -> tuple[Path, str] | str | None:
        """A (file, relative path) pair; a redirect target (str) for a folder
        asked without its slash; or None when there is nothing to serve."""
        try:
            root = self.root.resolve()
            target = (root / rel).resolve() if rel else root
        except (OSError, RuntimeError, ValueError):
            return None
        if target != root and not target.is_relative_to(root):
            return None
        if target.is_dir():
            if rel and not rel.endswith("/"):
                return "/" + rel + "/"
            target = target / "index.html"
            rel = rel + "index.html"
        if not target.is_file():
            return None
        return target, rel
