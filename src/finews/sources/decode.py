"""Turning an upstream answer's bytes into text and JSON.

Chinese upstreams mislabel their encodings often enough that the declared
charset cannot simply be trusted: GBK bodies arrive labelled UTF-8 or not
labelled at all, and JSON comes wrapped as JSONP or as a JavaScript ``var``.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

from ..errors import ParseError

# Labels that HTTP stacks put on a body by default rather than because the
# upstream said so; a body under one of them is tried as UTF-8 and GB18030
# before the label, which would "succeed" on any bytes and give mojibake.
_WEAK_LABELS = {"latin-1", "iso8859-1", "ascii", "cp1252"}

_JSONP_HEAD = re.compile(r"^(?:/\*\*/\s*)?[A-Za-z_$][\w$.]*\s*\(")
_TRY_HEAD = re.compile(r"^try\s*\{\s*[A-Za-z_$][\w$.]*\s*\(")
_TRY_TAIL = re.compile(r"\)\s*;?\s*\}\s*catch\s*\(\s*\w*\s*\)\s*\{\s*\}\s*;?$")
_CALL_TAIL = re.compile(r"\)\s*;?$")
_VAR_HEAD = re.compile(r"^(?:var|let|const)\s+[A-Za-z_$][\w$]*\s*=\s*")


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None


def decode_body(data: bytes, declared_charset: str | None) -> str:
    """Decode an answer; never raises for any bytes.

    A valid multi-byte UTF-8 body is almost never an accident, while UTF-8
    bytes often decode "successfully" as GBK into nonsense, so strict UTF-8
    is tried before a declared legacy charset; then the declared charset,
    then GB18030 (a superset of GBK and GB2312), and at last UTF-8 with
    replacement characters.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    declared = _codec_name(declared_charset)
    if declared in ("utf-16", "utf-16-le", "utf-16-be") or data[:2] in (
            codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            return data.decode(declared or "utf-16").lstrip("\ufeff")
        except UnicodeDecodeError:
            pass
    order = ["utf-8"]
    if declared and declared not in _WEAK_LABELS:
        order.append(declared)
    order.append("gb18030")
    if declared in _WEAK_LABELS:
        order.append(declared)
    for name in order:
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def strip_wrapper(text: str) -> str:
    """The JSON inside a JSONP call, a ``try{cb(…)}catch(e){}`` or a ``var x = …;``."""
    text = text.strip().lstrip("\ufeff").strip()
    if not text or text[0] in "{[\"":
        return text
    head = _TRY_HEAD.match(text)
    if head:
        tail = _TRY_TAIL.search(text)
        if tail and tail.start() >= head.end():
            return text[head.end():tail.start()].strip()
        return text[head.end():].strip()  # truncated; let JSON parsing say so
    head = _VAR_HEAD.match(text)
    if head:
        return text[head.end():].strip().removesuffix(";").rstrip()
    head = _JSONP_HEAD.match(text)
    if head:
        tail = _CALL_TAIL.search(text)
        end = tail.start() if tail and tail.start() >= head.end() else len(text)
        return text[head.end():end].strip()
    return text


def _excerpt(text: str, pos: int) -> str:
    snippet = text[max(0, pos - 20):pos + 20].replace("\n", " ")
    return snippet if len(snippet) < 60 else snippet[:60]


def load_json(data: bytes, charset: str | None) -> Any:
    """Parse an answer as JSON (unwrapping JSONP/``var``); ParseError if it is not."""
    text = strip_wrapper(decode_body(data, charset))
    if not text:
        raise ParseError("the answer is empty: expected JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated string"):
            raise ParseError(
                f"the answer's JSON ends too early ({exc.msg} at character {exc.pos} "
                f"of {len(text)}): the answer is probably truncated") from exc
        raise ParseError(
            f"the answer is not valid JSON ({exc.msg} at line {exc.lineno} column "
            f"{exc.colno}, near {_excerpt(text, exc.pos)!r})") from exc
    except RecursionError as exc:
        raise ParseError("the answer's JSON is nested too deeply to read") from exc
