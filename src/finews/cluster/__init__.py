"""Story clusters: the same news re-published by several outlets, found and kept together.

``fingerprint`` holds the pure functions (what two stories are compared by,
and when they are near-duplicates); ``assign`` puts stories into clusters
as they arrive, through the store.
"""

from .assign import PEERS_SHOWN, WINDOW, cluster_new, cluster_story, collapse

__all__ = ["PEERS_SHOWN", "WINDOW", "cluster_new", "cluster_story", "collapse"]
