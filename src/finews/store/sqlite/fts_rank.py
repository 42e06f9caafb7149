"""FTS5's BM25, computed in Python for the few matches of a sparse shard.

FTS5's ``bm25()`` first counts, for every query word, the stories of the
shard that hold it, by reading the word's whole list: 0.2–1 ms a word per
shard of 50,000 stories, whatever the number of matches. A query of common
words that seldom meet (逆回购 科创50 扩产 沪指) has a few dozen matches in
each of twenty shards, and that counting was half its cost.

Here the counting is done once, in one reference shard, and every other
shard's few matches are ranked with the same formula from their stored
tokens (``_content``) and token counts (``_docsize``)::

    idf(w)  = ln((N − n(w) + 0.5) / (n(w) + 0.5)), at least 1e-6
    f(w, d) = Σ over columns of weight(column) × occurrences of w
    bm25(d) = −Σ idf(w) × f(w, d)(k1 + 1) / (f(w, d) + k1(1 − b + b·|d| / avg|d|))

with k1 = 1.2, b = 0.75 and N, n(w), avg|d| taken from the reference
shard — exactly what FTS5 computes there (checked in the tests). Per-shard
statistics were already an approximation of the archive's; using one
shard's for all keeps every score on one scale.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

K1, B = 1.2, 0.75

_FTS_STRING = re.compile(r'"((?:[^"]|"")*)"')


def fts_phrases(expression: str) -> list[str] | None:
    """The phrases of a MATCH expression, in order, as FTS5 numbers them.

    None when a phrase has more than one token: ranking those needs token
    positions, which only FTS5 has.
    """
    phrases = [m.group(1).replace('""', '"') for m in _FTS_STRING.finditer(expression)]
    if any(" " in phrase or not phrase for phrase in phrases):
        return None
    return phrases


def _varints(blob: bytes) -> list[int]:
    """SQLite's variable-length integers, one after another."""
    out, i = [], 0
    while i < len(blob):
        value = 0
        for _ in range(8):
            byte = blob[i]
            i += 1
            value = (value << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        else:
            value = (value << 8) | blob[i]
            i += 1
        out.append(value)
    return out


@dataclass(frozen=True, slots=True)
class ShardStats:
    """What FTS5's BM25 reads from a whole shard before ranking a row."""

    rows: int
    avg_tokens: float             # tokens per story, all columns together
    docs: Mapping[str, int]       # stories holding each word

    def idf(self, word: str) -> float:
        hits = self.docs.get(word, 0)
        idf = math.log((self.rows - hits + 0.5) / (hits + 0.5))
        return idf if idf > 0.0 else 1e-6


def _averages(conn: sqlite3.Connection, table: str) -> tuple[int, int, bytes]:
    """(stories, tokens in all columns, the record) of one shard, from FTS5's averages record."""
    row = conn.execute(f"SELECT block FROM {table}_data WHERE id = 1").fetchone()
    blob = bytes(row[0]) if row and row[0] else b""
    numbers = _varints(blob) or [0]
    return numbers[0], sum(numbers[1:]), blob


def shard_rows(conn: sqlite3.Connection, table: str) -> int:
    """How many stories one shard holds (no counting: FTS5 keeps the number)."""
    return _averages(conn, table)[0]


#: Word counts already made, by (database, shard, averages record, word), so a
#: server asked for the same words again skips the counting. Adding or
#: removing a story changes the shard's averages record (its story and token
#: totals), which retires every count of that shard; only an update that
#: keeps each column's token count exactly could leave a count off by one
#: story until the shard's next change.
_COUNTS: OrderedDict[tuple[str, str, bytes, str], int] = OrderedDict()
_COUNTS_MAX = 4096
#: The web server searches in several threads at once: a look-up and its
#: move to the end must not meet another thread's eviction.
_COUNTS_LOCK = threading.Lock()


def shard_stats(conn: sqlite3.Connection, table: str, words: Iterable[str]) -> ShardStats:
    """Row count, average length and each word's story count in one shard."""
    rows, tokens, blob = _averages(conn, table)
    database = conn.execute("PRAGMA database_list").fetchone()[2]
    docs = {}
    for word in dict.fromkeys(words):
        key = (database, table, blob, word)
        with _COUNTS_LOCK:
            found = _COUNTS.get(key)
            if found is not None:
                _COUNTS.move_to_end(key)
        if found is None:
            quoted = '"' + word.replace('"', '""') + '"'
            found = conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {table} MATCH ?",
                                 (quoted,)).fetchone()[0]
            with _COUNTS_LOCK:
                _COUNTS[key] = found
                if len(_COUNTS) > _COUNTS_MAX:
                    _COUNTS.popitem(last=False)
        docs[word] = found
    return ShardStats(rows, tokens / rows if rows else 1.0, docs)


def bm25(conn: sqlite3.Connection, table: str, ids: Sequence[int], phrases: Sequence[str],
         stats: ShardStats, weights: Sequence[float]) -> dict[int, float]:
    """FTS5's ``bm25()`` value (negative; lower is better) of each story in ``ids``."""
    if not ids:
        return {}
    idf = [stats.idf(p) for p in phrases]
    needles = [f" {p} " for p in phrases]
    marks = ",".join("?" * len(ids))
    found = conn.execute(
        f"SELECT c.id, c.c0, c.c1, c.c2, c.c3, d.sz FROM {table}_content c "
        f"JOIN {table}_docsize d ON d.id = c.id WHERE c.id IN ({marks})", list(ids))
    scores = {}
    w_title, w_body, w_title_more, w_body_more = weights
    for story, title, body, title_more, body_more, sizes in found:
        norm = K1 * (1.0 - B + B * sum(_varints(sizes)) / stats.avg_tokens)
        # Columns are tokens joined by one space: padded, with the spaces
        # doubled where a word may repeat back to back, ``str.count(" word ")``
        # counts every occurrence. A ``more`` column holds each word once,
        # and never a word of its plain column.
        title, body = _spaced(title, True), _spaced(body, True)
        title_more, body_more = _spaced(title_more, False), _spaced(body_more, False)
        score = 0.0
        for needle, weight in zip(needles, idf):
            in_title = title.count(needle)
            in_body = body.count(needle)
            freq = (w_title * in_title + w_body * in_body
                    + (0 if in_title else w_title_more * (needle in title_more))
                    + (0 if in_body else w_body_more * (needle in body_more)))
            if freq:
                score += weight * freq * (K1 + 1.0) / (freq + norm)
        scores[story] = -score
    return scores


def _spaced(column: str | None, repeats: bool) -> str:
    if not column:
        return ""
    return " " + (column.replace(" ", "  ") if repeats else column) + " "
