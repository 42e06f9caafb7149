"""The archive's storage: one protocol (``base``), one set of rules (``rules``)
and two backends (``sqlite``, ``postgres``), picked by ``open_store(url)``."""

from .open import open_store

__all__ = ["open_store"]
