"""Source adapters: upstream bytes in, :class:`~finews.model.RawItem` records out.

Adapters never touch the network or the store; ``fetch`` hands them bytes and
``ingest`` takes their records further. One module per upstream shape:
``jsonlist`` (news-list JSON APIs, driven by a declarative ``mapping``),
``feed`` (RSS/Atom) and ``presets`` (the mappings finews knows by name).
"""

from .jsonlist import ListResult, parse_fulltext, parse_list
from .mapping import ListMapping

__all__ = ["ListMapping", "ListResult", "parse_fulltext", "parse_list"]
