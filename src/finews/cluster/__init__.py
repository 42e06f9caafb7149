"""Story clusters: the same news re-published by several outlets, found and kept together.

``fingerprint`` holds the pure functions (what two stories are compared by,
and when they are near-duplicates); ``assign`` puts stories into clusters
as they arrive, through the store; ``recent`` keeps what a process
clustered lately in memory.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["PEERS_SHOWN", "WINDOW", "RecentFingerprints", "cluster_new", "cluster_story",
           "collapse"]

_HOME = {"PEERS_SHOWN": ".shown", "collapse": ".shown", "WINDOW": ".assign",
         "cluster_new": ".assign", "cluster_story": ".assign",
         "RecentFingerprints": ".recent"}


def __getattr__(name: str) -> Any:
    # Loaded on first use: publishing needs only ``.shown``, and the
    # clustering modules pull in NumPy.
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOME[name], __name__), name)
