"""The query tree (``search.query``) rendered as an FTS5 ``MATCH`` expression.

Every token reaches FTS5 only as a double-quoted string, so FTS5 operators
typed by a user are plain words.
"""

from __future__ import annotations

from ...search.query import ParsedQuery, Term


def fts_string(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _expr(term: Term, checked: bool = False) -> str:
    """FTS5 for one term; a ``checked`` phrase needs only its words, in any order."""
    if term.phrase and not checked:
        return fts_string(" ".join(term.tokens))
    if len(term.tokens) == 1:
        return fts_string(term.tokens[0])
    return "(" + " AND ".join(fts_string(t) for t in term.tokens) + ")"


def positive(parsed: ParsedQuery) -> str:
    """FTS5 of what must match."""
    parts = []
    for group in parsed.groups:
        if parsed.checked(group):
            parts.append(_expr(group[0], checked=True))
            continue
        exprs = [_expr(t) for t in group]
        parts.append(exprs[0] if len(exprs) == 1 else "(" + " OR ".join(exprs) + ")")
    return " AND ".join(parts)


def negative(parsed: ParsedQuery) -> str | None:
    """FTS5 of what must not match, if anything."""
    if not parsed.excluded:
        return None
    return " OR ".join(_expr(t) for t in parsed.excluded)


def match(parsed: ParsedQuery, columns: str | None = None) -> str:
    """The MATCH expression; ``columns`` (``"{title body}"``) limits the positive part."""
    pos = positive(parsed)
    pos = f"{columns} : ({pos})" if columns else pos
    neg = negative(parsed)
    return pos if neg is None else f"({pos}) NOT ({neg})"
