"""Chinese word segmentation for the search index and for queries.

Segmenter: **rjieba** (the Python binding of jieba-rs). It uses jieba's own
dictionary and algorithm, and on generated news text its output is identical
to jieba's (0 differing documents out of 5,000), but it segments ~17× faster
(≈23,000 vs ≈1,350 stories/s in search mode on one core; see
``benchmarks/search/segmenters.py``). Pure-Python jieba alone could not reach
the 2,000 stories/s indexing target; jieba-rs is actively maintained.

What is indexed, per text:

* ``words`` — the plain segmentation (``cut``) in reading order, so a quoted
  phrase matches as consecutive words.
* ``more`` — what lets shorter queries match inside longer words: the
  search-mode sub-words jieba finds in long words (银行 in 招商银行, 减持 in
  拟减持) and every distinct Han character once (so a one-character query such
  as 央 finds 央行 and 中央). Characters are kept once per document, not once
  per occurrence, which keeps this column smaller than the text.

Text is NFKC-normalised (full-width Latin and digits become ASCII),
converted to simplified characters (``chinese``: 銀行 is indexed and queried
as 银行) and lower-cased; Latin words and numbers stay whole (``pmi``, ``600519``,
``1.2``); punctuation is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import chain

from .chinese import to_simplified


_rjieba = None


def load():
    """The segmenter, loaded on first use (its dictionary is ~30 MB, which a
    build or a server that never segments should not carry). Call it before
    forking workers that segment, so they share one loaded copy."""
    global _rjieba
    if _rjieba is None:
        import rjieba
        _rjieba = rjieba
    return _rjieba


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
# A token is kept when it has a letter, digit or Han character. Inner dots stay
# (``1.2``); the index tokenizer treats ``.`` as part of a token.
_WORDY = re.compile(r"\w", re.UNICODE)
_EDGE = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_SEP = re.compile(r"[^\w.]+|_+|(?<!\d)\.|\.(?!\d)", re.UNICODE)


# Chinese text is full of full-width punctuation, which alone makes nearly
# every story fail NFKC's quick check. The full-width forms present are
# replaced by their NFKC forms first (one regex scan to find them, then a
# ``str.replace`` each: ``translate`` with a table walks the text char by
# char in Python objects, ~0.1 ms a story), so most texts then pass the check
# and skip the full normalisation.
_WIDE = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in [*range(0xFF01, 0xFF5F), 0x3000]}
_WIDE_FOUND = re.compile("[\uff01-\uff5e\u3000]")


def normalise(text: str) -> str:
    """NFKC, lower case, simplified characters: the one normal form shared by
    the index and queries (so 銀行 finds 银行 and 银行 finds 銀行)."""
    if not unicodedata.is_normalized("NFKC", text):
        for wide in set(_WIDE_FOUND.findall(text)):
            text = text.replace(wide, _WIDE[wide])
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    return to_simplified(text).lower()


@lru_cache(maxsize=100_000)
def _pieces(token: str) -> tuple[str, ...]:
    # News repeats its words, so each distinct token is cleaned once.
    if not _WORDY.search(token):
        return ()
    # jieba keeps ``a.b`` or ``x_y`` whole; split them where the index
    # tokenizer would, so both sides see the same tokens.
    pieces = (_EDGE.sub("", piece) for piece in _SEP.split(token))
    return tuple(piece for piece in pieces if piece)


def _clean(tokens: list[str]) -> list[str]:
    return [piece for token in tokens for piece in _pieces(token)]


def _grams(word: str, n: int) -> list[str]:
    has_word = load().has_word
    return [word[i:i + n] for i in range(len(word) - n + 1) if has_word(word[i:i + n])]


def _search_extras(word: str) -> tuple[str, ...]:
    """What search mode adds for one plain word: its dictionary 2- and 3-grams, its Han chars.

    The same rule as jieba's ``cut_for_search`` (2-grams of words longer than
    two characters, 3-grams of words longer than three), applied per distinct
    word instead of re-cutting the whole text: a story repeats its words, and
    the result depends on nothing but the word.
    """
    grams = (_grams(word, 2) if len(word) > 2 else []) + (_grams(word, 3) if len(word) > 3 else [])
    return tuple(_clean(grams)) + tuple(_HAN.findall(word))


_ANALYSED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
_ANALYSED_MAX = 200_000


def _analyse(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(index pieces, search extras) of one plain word, cached: news repeats its words."""
    found = _ANALYSED.get(word)
    if found is None:
        if len(_ANALYSED) >= _ANALYSED_MAX:     # bounded: a long reindex sees every word
            _ANALYSED.clear()
        found = _ANALYSED[word] = (_pieces(word), _search_extras(word))
    return found


def index_tokens(text: str) -> tuple[list[str], list[str]]:
    """(words in order, extra words) of ``text``: the two halves of its index entry.

    Extra words are the search-mode sub-words of long words and each distinct
    Han character, once each, in first-seen order, leaving out what is
    already a word. Equal to cutting ``text`` a second time in search mode
    (checked in the tests), at half the cost.
    """
    words = load().cut(normalise(text))
    analysed = _ANALYSED.get
    pieces_of: dict[str, tuple[str, ...]] = {}
    extra: dict[str, None] = {}
    # Extras are kept once each in first-seen order, so only each word's
    # first occurrence adds any: walk the distinct words for them.
    for word in dict.fromkeys(words):
        pieces, extras = analysed(word) or _analyse(word)
        pieces_of[word] = pieces
        for token in extras:
            extra[token] = None
    plain = list(chain.from_iterable(map(pieces_of.__getitem__, words)))
    known = set(chain.from_iterable(pieces_of.values()))
    return plain, [token for token in extra if token not in known]


def segment(text: str) -> str:
    """All index tokens of ``text`` (words, then sub-words and characters), space-separated."""
    plain, extra = index_tokens(text)
    return " ".join(plain + extra)


def segment_query_term(term: str) -> list[str]:
    """The tokens one query word or phrase must match, in order.

    A query is segmented like indexed text (plain mode): 贵州茅台减持 →
    [贵州, 茅台, 减持]; a word jieba keeps whole (银行, 央) stays one token and
    is found either as a word or through the ``more`` column.
    """
    return _clean(load().cut(normalise(term)))
