"""A story's near-duplicate fingerprint: pure functions, no store, no I/O.

A re-publication keeps a story's facts and most of its words but not its
bytes: the title is re-worded, the body trimmed at the end or given a
by-line, the markup is another outlet's. So the text compared is the title
and the *lead* of the body (its first ``LEAD_TOKENS`` words, which a trimmed
copy still has), segmented into words by rjieba (jieba's dictionary, the
segmenter search uses), normalised the way search normalises (NFKC, lower
case, traditional characters as simplified), and cut into overlapping word
pairs ("shingles"). Two stories are near-duplicates when their shingle sets
overlap enough *and* they state the same figures: financial news of one
company on one day shares most of its phrasing ("公司拟以自有资金…回购"),
so the numbers in it (amounts, percentages, codes) tell two announcements
apart where the words do not.

The overlap is estimated with MinHash (``datasketch``): ``PERMUTATIONS``
32-bit values per story, whose agreement rate estimates the Jaccard
similarity of the two shingle sets. Candidates are found by LSH banding:
the signature is cut into ``BANDS`` bands of ``ROWS`` values, and stories
sharing any band's key are compared. See ``benchmarks/clusters`` for why
MinHash rather than SimHash, and for the measured precision and recall.
"""

from __future__ import annotations

import hashlib
import re
import struct
import threading
import zlib
from dataclasses import dataclass
from itertools import compress

import numpy as np

from ..search.segment import load as load_segmenter
from ..search.segment import normalise

#: Values in a signature: more estimate overlap better, and cost more.
PERMUTATIONS = 64
#: LSH banding over the first BANDS × ROWS values. With 2 rows a band, a pair
#: whose Jaccard similarity is 0.5 shares a band with probability
#: 1-(1-0.5²)^16 ≈ 0.99 (0.3: 0.78). 32 bands found 2 more of 600 labelled
#: copies and cost twice the keys (benchmarks/clusters).
BANDS, ROWS = 16, 2
#: Words of the body, after the title's, that are compared.
LEAD_TOKENS = 120
#: Near-duplicates: estimated containment of the smaller shingle set in the
#: larger at least this (a trimmed copy is contained in its original)…
MIN_CONTAINMENT = 0.6
#: …an estimated Jaccard similarity at least this (a short story made of
#: stock phrases is contained in many longer ones)…
MIN_JACCARD = 0.4
#: …titles sharing at least this share of their words (a re-worded title
#: keeps its company, action and figure; news that only reads alike does not)…
MIN_TITLE_OVERLAP = 0.2
#: …and, when the smaller story states figures, at least this share of them
#: stated by the other too.
MIN_SHARED_NUMBERS = 0.75
_SEED = 20240101   # fixes the permutations: signatures are comparable across runs

_WORD = re.compile(r"\w", re.UNICODE)
_NUMBER = re.compile(r"\d")
_HEADER = struct.Struct("<HHH")   # shingle count, figure count, title word count


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What clustering keeps of a story."""

    signature: tuple[int, ...]    # PERMUTATIONS MinHash values
    size: int                     # distinct shingles
    numbers: frozenset[int]       # CRC32s of the figures the text states
    title: frozenset[int] = frozenset()   # CRC32s of the title's words

    def pack(self) -> bytes:
        """Bytes for the store (opaque there)."""
        numbers, title = sorted(self.numbers)[:65535], sorted(self.title)[:65535]
        return (_HEADER.pack(min(self.size, 65535), len(numbers), len(title))
                + np.asarray(self.signature, dtype="<u4").tobytes()
                + np.asarray(numbers, dtype="<u4").tobytes()
                + np.asarray(title, dtype="<u4").tobytes())

    @classmethod
    def unpack(cls, data: bytes) -> "Fingerprint":
        size, count, words = _HEADER.unpack_from(data)
        start = _HEADER.size
        end = start + 4 * PERMUTATIONS
        signature = tuple(np.frombuffer(data[start:end], dtype="<u4").tolist())
        numbers = frozenset(np.frombuffer(data[end:end + 4 * count], dtype="<u4").tolist())
        end += 4 * count
        title = frozenset(np.frombuffer(data[end:end + 4 * words], dtype="<u4").tolist())
        return cls(signature, size, numbers, title)


_local = threading.local()


def _minhash():
    """This thread's MinHash, cleared and reused for each story: building one
    parses its permutations again (0.2 ms, more than hashing a story)."""
    mh = getattr(_local, "minhash", None)
    if mh is None:
        from datasketch import MinHash
        # Permutations drawn from a fixed seed: signatures compare across runs.
        mh = _local.minhash = MinHash(num_perm=PERMUTATIONS, seed=_SEED,
                                      hashfunc=zlib.crc32)
    mh.clear()
    return mh


class _Wordy(dict):
    """Whether a token is a word (has a letter, digit or Han character), each
    distinct token judged once: news repeats its words, and a dict look-up
    from C beats a call per token. Bounded, like search's own token cache."""

    def __missing__(self, word: str) -> bool:
        if len(self) >= 200_000:
            self.clear()
        # isalnum answers most tokens (Han words, Latin, digits) without a regex.
        found = self[word] = word.isalnum() or _WORD.search(word) is not None
        return found


_WORDY = _Wordy()


def _words(tokens: list[str]) -> list[str]:
    return list(compress(tokens, map(_WORDY.__getitem__, tokens)))


def _title_words(title: str) -> list[str]:
    return _words(load_segmenter().cut(normalise(title)))


def tokens(title: str, text: str, head: list[str] | None = None) -> list[str]:
    """The compared words: the title's (``head``, when cut already), then the
    body lead's."""
    cut = load_segmenter().cut
    head = _title_words(title) if head is None else head
    body = _words(cut(normalise(text[:LEAD_TOKENS * 4])))[:LEAD_TOKENS]
    return head + body


def fingerprint(title: str, text: str) -> Fingerprint:
    """The fingerprint of a story with this title and plain-text body."""
    head = _title_words(title)
    words = tokens(title, text, head)
    encoded = [w.encode() for w in words]
    shingles = {a + b" " + b for a, b in zip(encoded, encoded[1:])} or set(encoded) or {b""}
    mh = _minhash()
    # The minimum of each permutation does not depend on the order given.
    mh.update_batch(shingles)
    numbers = frozenset(zlib.crc32(w.encode()) for w in set(words) if _NUMBER.search(w))
    heading = frozenset(zlib.crc32(w.encode()) for w in head)
    return Fingerprint(tuple(mh.hashvalues.tolist()), len(shingles), numbers, heading)


# One keyed hash per band (the band number is its salt), copied for each story.
_BAND_HASHES = [hashlib.blake2b(digest_size=8, salt=band.to_bytes(16, "little"))
                for band in range(BANDS)]


def band_keys(fp: Fingerprint) -> list[int]:
    """One LSH key per band (signed 64-bit, as SQLite stores integers)."""
    data = np.asarray(fp.signature[:BANDS * ROWS], dtype="<u4").tobytes()
    width = 4 * ROWS
    keys = []
    for band, base in enumerate(_BAND_HASHES):
        digest = base.copy()
        digest.update(data[band * width:(band + 1) * width])
        keys.append(int.from_bytes(digest.digest(), "little", signed=True))
    return keys


def jaccard(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    same = sum(map(int.__eq__, a.signature, b.signature))
    return same / PERMUTATIONS


def containment(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated share of the smaller shingle set found in the larger."""
    j = jaccard(a, b)
    common = j * (a.size + b.size) / (1 + j)
    return min(1.0, common / max(1, min(a.size, b.size)))


def shared_numbers(a: Fingerprint, b: Fingerprint) -> float:
    """Share of the figures of the story stating fewer that the other states
    too (1.0 when either states none)."""
    small, large = sorted((a.numbers, b.numbers), key=len)
    if not small:
        return 1.0
    return len(small & large) / len(small)


def title_overlap(a: Fingerprint, b: Fingerprint) -> float:
    """Jaccard similarity of the two titles' word sets."""
    union = len(a.title | b.title)
    return len(a.title & b.title) / union if union else 1.0


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """How alike two stories are, 0…1 (the estimated containment); 0 when
    their figures disagree, their titles share too few words or their
    texts overlap too little."""
    if (shared_numbers(a, b) < MIN_SHARED_NUMBERS or title_overlap(a, b) < MIN_TITLE_OVERLAP
            or jaccard(a, b) < MIN_JACCARD):
        return 0.0
    return containment(a, b)


def near_duplicates(a: Fingerprint, b: Fingerprint) -> bool:
    return similarity(a, b) >= MIN_CONTAINMENT


class Matcher:
    """One story's fingerprint, compared with many packed ones quickly: the
    exact checks (figures, title words) first, the signature only for those
    that pass, read straight from the packed bytes."""

    __slots__ = ("fp", "_signature")

    def __init__(self, fp: Fingerprint) -> None:
        self.fp = fp
        self._signature = np.asarray(fp.signature, dtype="<u4")

    def scores(self, packed: list[bytes]) -> list[float]:
        """``score`` of each; the signatures compared all at once first, so
        only the few that overlap enough are unpacked."""
        if not packed:
            return []
        start, end = _HEADER.size, _HEADER.size + 4 * PERMUTATIONS
        others = np.frombuffer(b"".join([p[start:end] for p in packed]),
                               dtype="<u4").reshape(len(packed), PERMUTATIONS)
        agree = np.count_nonzero(others == self._signature, axis=1)
        floor = MIN_JACCARD * PERMUTATIONS
        return [self.score(p) if n >= floor else 0.0 for p, n in zip(packed, agree.tolist())]

    def score(self, packed: bytes) -> float:
        """``similarity(self.fp, Fingerprint.unpack(packed))``."""
        size, count, words = _HEADER.unpack_from(packed)
        end = _HEADER.size + 4 * PERMUTATIONS
        numbers = set(struct.unpack_from(f"<{count}I", packed, end)) if count else set()
        title = set(struct.unpack_from(f"<{words}I", packed, end + 4 * count)) if words else set()
        mine = self.fp
        small, large = sorted((mine.numbers, numbers), key=len)
        if small and len(small & large) / len(small) < MIN_SHARED_NUMBERS:
            return 0.0
        union = len(mine.title | title)
        if union and len(mine.title & title) / union < MIN_TITLE_OVERLAP:
            return 0.0
        other = np.frombuffer(packed, dtype="<u4", count=PERMUTATIONS, offset=_HEADER.size)
        j = int(np.count_nonzero(self._signature == other)) / PERMUTATIONS
        if j < MIN_JACCARD:
            return 0.0
        common = j * (mine.size + size) / (1 + j)
        return min(1.0, common / max(1, min(mine.size, size)))
