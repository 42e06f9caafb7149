"""The finews exception hierarchy.

Every error finews raises on purpose is a :class:`FinewsError`. Each carries a
stable ``code`` (for logs, quarantine records and the JSON API) and a message
a user can act on. Foreign exceptions (httpx, sqlite3, json, yaml…) are
translated into these at the boundary where they happen, with the cause
chained (``raise … from exc``).
"""

from __future__ import annotations


class FinewsError(Exception):
    """Base class of every error finews raises on purpose."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(FinewsError):
    """The configuration file, an environment variable or a flag is wrong."""

    code = "config"


class FetchError(FinewsError):
    """A request to an upstream failed (network, status, size, policy).

    ``kind`` says which way, for counting errors by kind: ``network``,
    ``timeout``, ``status`` (an error status), ``too_large``, ``redirect``,
    ``decode`` or ``blocked``.
    """

    code = "fetch"

    def __init__(self, message: str, *, url: str = "", retryable: bool = True,
                 retry_after: float | None = None, kind: str = "network") -> None:
        super().__init__(message)
        self.url = url
        self.retryable = retryable
        self.retry_after = retry_after
        self.kind = kind


class BlockedURLError(FetchError):
    """A URL was refused by policy (scheme, private address) before any request."""

    code = "blocked_url"

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message, url=url, retryable=False, kind="blocked")


class ParseError(FinewsError):
    """Bytes from outside (an upstream answer, a feed, a post file) cannot be read."""

    code = "parse"


class ItemError(FinewsError):
    """One item cannot become an article (missing id, bad time, empty text…).

    The ingest loop quarantines the item with this reason and goes on.
    """

    code = "item"


class ImportFormatError(ParseError):
    """A post file of the original finews cannot be understood."""

    code = "import_format"


class StoreError(FinewsError):
    """The store cannot be opened, migrated or written."""

    code = "store"


class PublishError(FinewsError):
    """The site cannot be written (unsafe path, duplicate path, disk error)."""

    code = "publish"


class UnsafePathError(PublishError):
    """A computed output path would leave its output folder."""

    code = "unsafe_path"


class QueryError(FinewsError):
    """A search query or API parameter is malformed."""

    code = "query"


class RoleBusyError(FinewsError):
    """A role that only one process may hold is held by another (the
    publisher of a store, the one fetch worker of a SQLite store)."""

    code = "role_busy"
