"""Front matter of the original finews's posts: read tolerantly, write correctly.

The original wrote its five keys with string formatting, not a YAML
library, so real archives hold front matter that is not YAML at all
(``title: "he said "hi""``, ``date:  +0800``). Reading therefore goes line by
line and takes each value the way the original meant it; PyYAML is used only
to check a line and to read values that a YAML writer (finews's own export)
escaped. Writing goes the other way: a value is quoted so that YAML (PyYAML
here, Psych in Jekyll) reads back exactly the intended text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

import yaml

_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(.*)$", re.S)
_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"[ \t]*(?:(Z)|([+-])(\d{2}):?(\d{2}))?$")
# What YAML 1.1 accepts unescaped inside a double-quoted scalar, minus the
# characters it would fold or treat as line breaks.
_NEEDS_ESCAPE = re.compile(
    "[\x00-\x1f\x7f-\x9f\\\\\"\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_NAMED_ESCAPES = {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r"}


@dataclass(frozen=True, slots=True)
class FrontLine:
    """One line between the ``---`` fences, kept exactly (``eol`` is its ending)."""

    text: str
    eol: str = "\n"

    @property
    def key(self) -> str | None:
        match = _KEY_LINE.match(self.text)
        return match.group(1) if match else None

    @property
    def raw_value(self) -> str:
        match = _KEY_LINE.match(self.text)
        return match.group(2).strip(" \t") if match else ""

    def render(self) -> str:
        return self.text + self.eol


def split_lines(text: str) -> list[tuple[str, str]]:
    """``text`` as (line, ending) pairs; only ``\\n`` and ``\\r\\n`` end a line.

    The last line's ending is ``""`` when the text does not end with one.
    """
    pieces = text.split("\n")
    last = pieces.pop()
    out = [(line[:-1], "\r\n") if line.endswith("\r") else (line, "\n") for line in pieces]
    if last:
        out.append((last, ""))
    return out


# libyaml's loader reads the same YAML about ten times faster; an import of
# a large archive spends most of its time here without it.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=8192)
def _yaml_line(text: str) -> object:
    """The value YAML reads from one ``key: value`` line, or ``_INVALID``.

    Cached: most lines (``layout: post``, an outlet's ``categories`` and
    ``tags``) repeat across thousands of posts. Callers never mutate it.
    """
    try:
        loaded = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return _INVALID
    if isinstance(loaded, dict) and len(loaded) == 1:
        return next(iter(loaded.values()))
    return _INVALID


_INVALID = object()


def tolerant_value(line: FrontLine) -> str:
    """The text the original meant by a line's value.

    A value that YAML reads as a string is taken from YAML (so escapes a
    YAML writer made are undone); otherwise outer quotes are dropped and the
    inside taken verbatim, the way the original wrote it.
    """
    raw = line.raw_value
    if raw[:1] in ('"', "'"):
        loaded = _yaml_line(line.text)
        if isinstance(loaded, str):
            return loaded
        if len(raw) >= 2 and raw[-1] == raw[0]:
            inner = raw[1:-1]
            return inner.replace("''", "'") if raw[0] == "'" else inner
        return raw[1:]
    return raw


def line_is_valid(line: FrontLine) -> bool:
    """Does YAML read this line to the value the original meant?"""
    if line.key is None:
        return not line.text.strip() or line.text.lstrip().startswith("#")
    loaded = _yaml_line(line.text)
    if loaded is _INVALID:
        return False
    wanted = tolerant_value(line)
    if loaded is None:
        return wanted == ""
    if isinstance(loaded, (datetime, date)):
        return parse_date(wanted, timezone.utc) is not None
    if isinstance(loaded, (list, dict)):
        return False
    return str(loaded) == wanted or isinstance(loaded, (bool, int, float))


def yaml_quote(text: str) -> str:
    """``text`` as a double-quoted YAML scalar that reads back as ``text``.

    Plain ``"<text>"`` (the original's own style) when that is already
    correct, so correct titles are written exactly as the original wrote them.
    """
    text = re.sub("[\ud800-\udfff]", "\ufffd", text)
    simple = f'"{text}"'
    if not _NEEDS_ESCAPE.search(text) and _yaml_line("k: " + simple) == text:
        return simple

    def escape(match: re.Match[str]) -> str:
        ch = match.group(0)
        if ch in _NAMED_ESCAPES:
            return _NAMED_ESCAPES[ch]
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return '"' + _NEEDS_ESCAPE.sub(escape, text) + '"'


def parse_date(value: str, tz: tzinfo) -> datetime | None:
    """A post date (``2022-03-01 09:30:00 +0800``, zone optional) as aware time.

    Without a zone the time is in ``tz`` (the original wrote China time).
    None when the value is empty or not a real date.
    """
    match = _DATE.match(value.strip())
    if not match:
        return None
    y, mo, d, h, mi, s, zulu, sign, zh, zm = match.groups()
    if zulu:
        zone: tzinfo = timezone.utc
    elif sign:
        minutes = int(zh) * 60 + int(zm)
        zone = timezone(timedelta(minutes=-minutes if sign == "-" else minutes))
    else:
        zone = tz
    try:
        return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0),
                        int(s or 0), tzinfo=zone)
    except ValueError:
        return None


def format_date(when: datetime, tz: tzinfo) -> str:
    """The original's date value: ``YYYY-MM-DD HH:MM:SS +0800`` in ``tz``."""
    local = when.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M:%S ") + local.strftime("%z")


def has_zone(value: str) -> bool:
    match = _DATE.match(value.strip())
    return bool(match and (match.group(7) or match.group(8)))
