"""How clusters are shown on pages: the part of clustering that publishing needs.

Kept apart from :mod:`.assign` so that building the site does not import the
clustering machinery (datasketch and NumPy cost ~100 ms of start-up that a
``finews build`` never uses).
"""

from __future__ import annotations

from typing import Iterable, Protocol, TypeVar

#: A story page lists at most this many other stories of its cluster.
PEERS_SHOWN = 10


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=_HasId)


def collapse(heads: Iterable[T], clusters: dict[int, int], limit: int) -> list[T]:
    """``heads`` with each cluster shown once (where it first comes), at most ``limit``."""
    shown: set[int] = set()
    out: list[T] = []
    for head in heads:
        cluster = clusters.get(head.id)
        if cluster is not None:
            if cluster in shown:
                continue
            shown.add(cluster)
        out.append(head)
        if len(out) >= limit:
            break
    return out
