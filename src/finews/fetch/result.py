"""What one fetch answered: the record the fetcher hands to the rest of finews."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The answer to one :meth:`Fetcher.get`, after redirects and retries.

    ``body`` is already decoded from gzip and never longer than
    ``FetchSettings.max_bytes``. A conditional GET that the upstream answered
    with 304 has ``not_modified=True`` and an empty body; its ``etag`` and
    ``last_modified`` are the validators to send next time (the upstream's if
    it sent new ones, else the ones asked with).
    """

    #: The URL asked for.
    url: str
    #: The URL that finally answered, after redirects.
    final_url: str
    status: int
    body: bytes
    #: The ``charset`` parameter of Content-Type, lower-cased, if any.
    charset: str | None
    #: The media type of Content-Type without parameters, lower-cased ("" if absent).
    content_type: str
    not_modified: bool
    etag: str | None
    last_modified: str | None
    #: Seconds the upstream asked us to wait before the next request, if it said.
    retry_after: float | None
    #: Seconds from the first attempt to the end of the last, back-off included.
    elapsed: float
    #: Requests made, counting the first (redirect hops not counted).
    attempts: int

    @property
    def ok(self) -> bool:
        """True when the body holds fresh content (a 2xx answer)."""
        return 200 <= self.status < 300 and not self.not_modified
