"""What a user typed → a small query tree that each store backend renders.

Syntax, deliberately small:

* words separated by spaces must all match (``央行 降准``);
* ``"…"`` (or “…”) is a phrase: its words consecutive, in order. The index
  finds the stories with all its words, then the backend keeps those whose
  title or text, as segmented words joined without spaces, contains the
  phrase: a phrase of consecutive index tokens would miss 贵州茅台 发布 in
  贵州茅台发布公告, where jieba made one word of 发布公告. Phrases inside
  ``OR`` or after ``-`` are matched as consecutive words as segmented;
* ``OR`` (capitals) between two words or phrases matches either; it binds
  tighter than the implicit AND, so ``降准 央行 OR 证监会`` is
  降准 AND (央行 OR 证监会);
* ``-word`` or ``-"phrase"`` excludes stories that have it.

Every word goes through the same segmentation as the index; the backends
quote every token when they render the tree (``store.sqlite.fts_query``,
``store.postgres.search``), so operators typed by a user (``NEAR(``, ``*``,
``^``, ``:``, ``AND``, ``NOT``, ``&``, ``!``) are plain words or are dropped
as punctuation. An unquoted word that segments into several tokens
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
class Term:
    """One word or phrase as the index holds it: its tokens, in order."""

    tokens: tuple[str, ...]
    phrase: bool = False       # the tokens consecutive, as segmented
    exclude: bool = False


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A search as a small tree, which each backend renders in its own syntax.

    Every group must match; a group matches when any of its terms does.
    No ``excluded`` term may match. A required phrase (a group of one
    multi-token phrase) is kept as a ``checked`` group: its tokens must all
    match, in any order, and ``phrases`` holds its tokens joined, which the
    backend finds in the segmented title or text joined without spaces.
    """

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]
    terms: tuple[str, ...]     # the normalised positive tokens, for highlighting
    phrases: tuple[str, ...] = ()  # required phrases, tokens joined, checked on the text

    def checked(self, group: tuple[Term, ...]) -> bool:
        """Whether ``group`` is a required phrase checked on the text."""
        return len(group) == 1 and group[0].phrase and len(group[0].tokens) > 1


def _clean(text: str) -> str:
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the search is too long ({len(text)} characters); "
                         f"use at most {MAX_QUERY_CHARS}")
    # Control and format characters act as spaces; NFKC would not remove them.
    visible = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return unicodedata.normalize("NFKC", visible.translate(_QUOTES)).strip()


def _pieces(text: str) -> list[str | Term]:
    """Terms and the ``OR`` markers between them, in order."""
    out: list[str | Term] = []
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
            out.append(Term(tuple(tokens), is_phrase, exclude))
    return out


def _groups(pieces: list[str | Term]) -> list[list[Term]]:
    """Split into AND-ed groups of OR-ed terms; reject a dangling OR."""
    groups: list[list[Term]] = []
    joining = False
    for piece in pieces:
        if piece == "OR":
            if not groups or joining:
                raise QueryError("OR needs a word or phrase on each side")
            joining = True
            continue
        assert isinstance(piece, Term)
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
    """The query tree of ``text``; QueryError when there is nothing to find."""
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
    phrases = tuple("".join(g[0].tokens) for g in wanted
                    if len(g) == 1 and g[0].phrase and len(g[0].tokens) > 1)
    terms = tuple(dict.fromkeys(tok for g in wanted for t in g for tok in t.tokens))
    return ParsedQuery(tuple(tuple(g) for g in wanted), tuple(unwanted), terms, phrases)
