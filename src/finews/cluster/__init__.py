"""Story clusters: the same news re-published by several outlets, found and kept together.

``fingerprint`` holds the pure functions (what two stories are compared by,
and when they are near-duplicates); ``assign`` puts stories into clusters
as they arrive, through the store; ``recent`` keeps what a process
clustered lately in memory.
"""

from .assign import PEERS_SHOWN, WINDOW, cluster_new, cluster_story, collapse
from .recent import RecentFingerprints

__all__ = ["PEERS_SHOWN", "WINDOW", "RecentFingerprints", "cluster_new", "cluster_story",
           "collapse"]
