"""What a user typed → a safe FTS5 MATCH expression.

Syntax, deliberately small:

* words separated by spaces must all match (``央行 降准``);
* ``"…"`` (or “…”) is a phrase: its words consecutive, in order. FTS5 finds
  the stories with all its words, then the engine keeps those whose title or
  text, as segmented words joined without spaces, contains the phrase: a
  plain FTS5 phrase would miss 贵州茅台 发布 in 贵州茅台发布公告, where jieba
  made one word of 发布公告. Phrases inside ``OR`` or after ``-`` use the
  FTS5 phrase (consecutive words as segmented);
* ``OR`` (capitals) between two words or phrases matches either; it binds
  tighter than the implicit AND, so ``降准 央行 OR 证监会`` is
  降准 AND (央行 OR 证监会);
* ``-word`` or ``-"phrase"`` excludes stories that have it.

Every word goes through the same segmentation as the index and every token
reaches FTS5 only as a double-quoted string, so FTS5 operators typed by a user
(``NEAR(``, ``*``, ``^``, ``:``, ``AND``, ``NOT``) are plain words or are
dropped as punctuation. An unquoted word that segments into several tokens
(贵州茅台减持) needs all of them, anywhere in the story.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from ..errors import QueryError
from .segment import segment_query_term

MAX_QUERY_CHARS = 200
MAX_TERMS = 16

_QUOTES = str.maketrans({"“": '"', "”": '"', "＂": '"', "„": '"', "«": '"', "»": '"'})
_PIECE = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A search: the user's words and the optional filters.

    ``media`` is a category slug or a media name; ``stock`` a stock code
    (``600519``) with an optional market prefix (``1.600519``); the dates are
    days in the site's time zone, both inclusive.
    """

    text: str
    media: str | None = None
    stock: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    positive: str              # FTS5 expression of what must match
    negative: str | None       # FTS5 expression of what must not, if anything
    terms: tuple[str, ...]     # the normalised positive tokens, for highlighting
    phrases: tuple[str, ...] = ()  # required phrases, tokens joined, checked on the text

    def match(self, columns: str | None = None) -> str:
        """The MATCH expression; ``columns`` (``"{title body}"``) limits the positive part."""
        positive = f"{columns} : ({self.positive})" if columns else self.positive
        if self.negative is None:
            return positive
        return f"({positive}) NOT ({self.negative})"


@dataclass(frozen=True, slots=True)
class _Term:
    tokens: tuple[str, ...]
    phrase: bool
    exclude: bool


def _fts_string(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _expr(term: _Term, checked: bool = False) -> str:
    """FTS5 for one term; a ``checked`` phrase needs only its words, in any order."""
    if term.phrase and not checked:
        return _fts_string(" ".join(term.tokens))
    if len(term.tokens) == 1:
        return _fts_string(term.tokens[0])
    return "(" + " AND ".join(_fts_string(t) for t in term.tokens) + ")"


def _clean(text: str) -> str:
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the search is too long ({len(text)} characters); "
                         f"use at most {MAX_QUERY_CHARS}")
    # Control and format characters act as spaces; NFKC would not remove them.
    visible = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return unicodedata.normalize("NFKC", visible.translate(_QUOTES)).strip()


def _pieces(text: str) -> list[str | _Term]:
    """Terms and the ``OR`` markers between them, in order."""
    out: list[str | _Term] = []
    for match in _PIECE.finditer(text):
        minus, phrase, word = match.groups()
        if word is not None:
            if word == "OR":
                out.append("OR")
                continue
            exclude = word.startswith("-") and len(word) > 1
            tokens = segment_query_term(word[1:] if exclude else word)
            is_phrase = False
        else:
            exclude, is_phrase = bool(minus), True
            tokens = segment_query_term(phrase)
        if tokens:                      # pure punctuation says nothing: drop it
            out.append(_Term(tuple(tokens), is_phrase, exclude))
    return out


def _groups(pieces: list[str | _Term]) -> list[list[_Term]]:
    """Split into AND-ed groups of OR-ed terms; reject a dangling OR."""
    groups: list[list[_Term]] = []
    joining = False
    for piece in pieces:
        if piece == "OR":
            if not groups or joining:
                raise QueryError("OR needs a word or phrase on each side")
            joining = True
            continue
        assert isinstance(piece, _Term)
        if joining:
            if piece.exclude or groups[-1][-1].exclude:
                raise QueryError("OR cannot join an excluded (-) word")
            groups[-1].append(piece)
        else:
            groups.append([piece])
        joining = False
    if joining:
        raise QueryError("OR needs a word or phrase on each side")
    return groups


def parse(text: str) -> ParsedQuery:
    """The FTS5 expression for ``text``; QueryError when there is nothing to find."""
    groups = _groups(_pieces(_clean(text or "")))
    if not groups:
        raise QueryError("the search has no words to look for")
    if len(groups) > MAX_TERMS:
        raise QueryError(f"the search has too many words ({len(groups)}); "
                         f"use at most {MAX_TERMS}")
    wanted = [g for g in groups if not g[0].exclude]
    unwanted = [g[0] for g in groups if g[0].exclude]
    if not wanted:
        raise QueryError("the search only excludes words; add a word to look for")
    parts, phrases = [], []
    for group in wanted:
        if len(group) == 1 and group[0].phrase and len(group[0].tokens) > 1:
            phrases.append("".join(group[0].tokens))
            parts.append(_expr(group[0], checked=True))
            continue
        exprs = [_expr(t) for t in group]
        parts.append(exprs[0] if len(exprs) == 1 else "(" + " OR ".join(exprs) + ")")
    negative = " OR ".join(_expr(t) for t in unwanted) if unwanted else None
    terms = tuple(dict.fromkeys(tok for g in wanted for t in g for tok in t.tokens))
    return ParsedQuery(" AND ".join(parts), negative, terms, tuple(phrases))
