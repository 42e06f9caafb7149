"""An article's index text: its words as the search index holds them.

Backend-neutral: the SQLite backend writes these columns into FTS5, the
PostgreSQL backend into a weighted ``tsvector``. Segmenting is most of the
cost of indexing and needs nothing but the text, so a bulk import makes
entries in its worker processes and the store's single writer only stores
them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .plaintext import index_text
from .segment import index_tokens


def _text(digest: str, body_html: str) -> str:
    body = index_text(body_html)
    # The digest is usually the body's first sentences; index it only when it
    # says something the body does not, so it does not count twice in ranking.
    digest = (digest or "").strip()
    head = digest.rstrip("…")
    if head and head not in body and head not in " ".join(body.split()):
        return f"{digest}\n{body}"
    return body


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """An article's index columns, segmented ahead of storing.

    Each column is tokens joined by one space. ``text_key`` ties an entry to
    the exact text it was made from: given with any other text it is ignored.

    * ``title`` / ``body`` — plain segmentation in reading order (phrases match);
    * ``title_more`` / ``body_more`` — search-mode sub-words and single Han
      characters (short words match inside long ones).
    """

    text_key: bytes
    title: str
    body: str
    title_more: str
    body_more: str


def text_key(title: str, digest: str, body_html: str) -> bytes:
    key = hashlib.blake2b(digest_size=16)
    for part in (title, digest, body_html):
        data = part.encode("utf-8", "surrogatepass")
        key.update(len(data).to_bytes(8, "little"))
        key.update(data)
    return key.digest()


def make_entry(title: str, digest: str, body_html: str) -> IndexEntry:
    """The index columns of one article (pure; safe to run in any process)."""
    text = _text(digest, body_html)
    title_words, title_more = index_tokens(title)
    body_words, body_more = index_tokens(text)
    return IndexEntry(text_key(title, digest, body_html), " ".join(title_words),
                      " ".join(body_words), " ".join(title_more), " ".join(body_more))


def entry_for(title: str, digest: str, body_html: str,
              entry: IndexEntry | None = None) -> IndexEntry:
    """``entry`` when it was made from this text, else a new one."""
    if entry is None or entry.text_key != text_key(title, digest, body_html):
        return make_entry(title, digest, body_html)
    return entry
