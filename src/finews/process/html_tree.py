"""Small helpers around selectolax's Lexbor parser, shared by process modules.

Bodies are HTML fragments. They are parsed behind an already open
``<body>``, so that leading ``<style>`` or ``<title>`` elements stay where
they are instead of moving into a ``<head>`` no later step looks at, and so
that every node of the fragment sits under one ordinary element (Lexbor's
own fragment mode treats its first node as the whole fragment for
``text()`` and ``html``, which would make replacing that node go wrong).

Hostile bodies can nest elements tens of thousands deep. Parsers slow down
with depth and ammonia's recursion can exhaust the stack, which would kill
the whole run, so every body is passed through :func:`limit_nesting` before
any parser sees it, and the walkers here never look up the ancestor chain.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

MAX_DEPTH = 200

_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]{0,40})[^>]*>", re.ASCII)
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input",
                   "link", "meta", "param", "source", "track", "wbr", "keygen"})


def limit_nesting(html: str, max_depth: int = MAX_DEPTH) -> str:
    """Drop start tags that would open more than ``max_depth`` elements.

    The count is deliberately pessimistic (a close tag only counts against
    an open tag of the same name, implied closes are ignored), so the depth
    a real parser builds stays within a small multiple of ``max_depth``.
    Text is kept; only surplus tags go.
    """
    if html.count("<") <= max_depth:
        return html
    depth = 0
    opened: Counter[str] = Counter()

    def keep(match: re.Match[str]) -> str:
        nonlocal depth
        name = match.group(2).lower()
        if match.group(1):
            if opened[name] > 0:
                opened[name] -= 1
                depth -= 1
            return match.group(0)
        if name in _VOID or match.group(0).endswith("/>"):
            return match.group(0)
        if depth >= max_depth:
            return ""
        depth += 1
        opened[name] += 1
        return match.group(0)

    return _TAG.sub(keep, html)


_PROLOGUE = "<!DOCTYPE html><html><head></head><body>"


def parse_fragment(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(_PROLOGUE + html)


def top_level(parser: LexborHTMLParser) -> list[LexborNode]:
    body = parser.body
    return children(body) if body is not None else []


def children(node: LexborNode) -> list[LexborNode]:
    nodes = []
    child = node.child
    while child is not None:
        nodes.append(child)
        child = child.next
    return nodes


def walk(parser: LexborHTMLParser, *, include_text: bool = False,
         include_comments: bool = False) -> Iterator[LexborNode]:
    """Every node of the fragment in document order (depth first)."""
    body = parser.body
    if body is None:
        return
    for node in body.traverse(include_text=True):
        if node.mem_id == body.mem_id:
            continue
        if node.is_element_node:
            yield node
        elif node.is_comment_node:
            if include_comments:
                yield node
        elif node.is_text_node and include_text:
            yield node


def outermost(parser: LexborHTMLParser, test: Callable[[LexborNode], bool], *,
              scope: Callable[[LexborNode], bool] | None = None) -> list[LexborNode]:
    """Elements passing ``test`` with no passing ancestor, in document order.

    With ``scope``, only elements inside an element passing ``scope`` count.
    Safe to decompose or replace the returned nodes one by one: none of them
    contains another.
    """
    found: list[LexborNode] = []
    stack = [(node, scope is None) for node in reversed(top_level(parser))]
    while stack:
        node, active = stack.pop()
        if not node.is_element_node:
            continue
        if active and test(node):
            found.append(node)
            continue
        inner = active or (scope is not None and scope(node))
        stack.extend((child, inner) for child in reversed(children(node)))
    return found


def fragment_html(parser: LexborHTMLParser) -> str:
    body = parser.body
    return (body.inner_html or "") if body is not None else ""


def container_attributes(parser: LexborHTMLParser) -> dict[str, str | None]:
    """Attributes a fragment put on ``<html>``/``<body>`` (``<body onload=…>``)."""
    merged: dict[str, str | None] = {}
    for node in (parser.root, parser.body):
        if node is not None:
            merged.update(node.attributes)
    return merged
