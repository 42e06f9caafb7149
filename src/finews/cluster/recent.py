"""The fingerprints a process clustered lately, kept in memory so the next
stories are compared with them without reading them back from the store.

Only an accelerator: the store stays the authority. Which stories share a
key is always asked of the store (another process may have clustered
stories since), and a story not held here is read from the store as
before, so a cold cache, a small one or none gives the same clusters.
What it holds cannot go stale: a story's cluster, time and fingerprint are
written once and never changed (a story clustered again is ignored by the
store). The one way it could differ from the store, another process having
clustered the same stories first, is seen when the store reports fewer
stories added than given; that batch is then not remembered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable

from ..store.base import ClusterCandidate, ClusterEntry

#: Stories held: about two weeks of a busy archive (~4,000 stories a day),
#: ~0.6 KB each (~30 MB in all). The comparison window is two days, but a
#: key's newest stories may be older, and those are read from the store.
CAPACITY = 50_000


@dataclass(frozen=True, slots=True)
class Held:
    """One clustered story as the store has it: its time (Unix seconds, to
    compare without time zones; stories' times are whole seconds, as the
    store keeps them) and what the store would give for it."""

    published: float
    candidate: ClusterCandidate


@dataclass(slots=True)
class RecentFingerprints:
    """Clustered stories by article id, the most recently remembered kept."""

    capacity: int = CAPACITY
    _held: dict[int, Held] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self._held)

    @property
    def get(self) -> Callable[[int], Held | None]:
        """The held story of an article id, or None (the dict's own look-up:
        it runs for every candidate of every story)."""
        return self._held.get

    def remember(self, entries: Iterable[ClusterEntry]) -> None:
        """Stories just written to the store (and accepted by it)."""
        held = self._held
        for entry in entries:
            held[entry.article_id] = Held(entry.published.timestamp(), ClusterCandidate(
                entry.article_id, entry.cluster_id, entry.fingerprint))
        if len(held) > self.capacity:
            # Dicts keep insertion order: the first keys are the oldest remembered.
            for aid in list(islice(held, len(held) - self.capacity)):
                del held[aid]
