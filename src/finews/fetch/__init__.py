"""The fetch stage: HTTP GETs that answer questions (see :class:`Fetcher`)."""

from .client import Fetcher
from .policy import check_url, check_url_async
from .result import FetchResult

__all__ = ["Fetcher", "FetchResult", "check_url", "check_url_async"]
