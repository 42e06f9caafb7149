"""A declarative mapping from a news-list JSON answer to RawItem fields.

Each field names a dotted path into one item (``data.fastNewsList``,
``ext.docurl``, ``stockList.0``; ``a[0].b`` works too). A field may list
alternatives separated by ``|``: the first present, non-empty value wins.
A source picks a preset and may override any field from ``finews.toml``::

    [[sources]]
    name = "yaowen"
    url = "https://…"
    preset = "em-columns"
    [sources.mapping]
    items = "data.list"
    url = "uniqueUrl|url"
    extra.column = "column"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any, Mapping
from urllib.parse import quote

from ..errors import ConfigError

#: Returned by :func:`get_path` when a path does not exist in a value.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

_INDEX = re.compile(r"\[(-?\d+)\]")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_$][\w$.\[\]-]*)\}")


@dataclass(frozen=True, slots=True)
class ListMapping:
    """Where each RawItem field lives in one item of a list answer."""

    items: str                        # path to the list in the whole answer ("" = the answer)
    id: str
    title: str | None = None
    digest: str | None = None
    body: str | None = None           # inline full text
    time: str | None = None
    media: str | None = None
    url: str | None = None
    url_template: str | None = None   # used when ``url`` gives nothing; {field} placeholders
    stocks: str | None = None         # path to a list of stock ids
    tags: str | None = None           # path to a list of strings (or objects with "name")
    fulltext_url: str | None = None   # template; {id} and {field} placeholders, url-quoted
    fulltext_body: str | None = None  # path to the body in the full-text answer
    headline_digest: bool = False     # the digest begins with 【headline】
    #: Extra values to carry in RawItem.extra: (name, path) pairs.
    extras: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_settings(cls, preset: str | None,
                      overrides: Mapping[str, str]) -> "ListMapping":
        """A preset's mapping with a source's ``[sources.mapping]`` overrides."""
        values: dict[str, Any] = {}
        base: ListMapping | None = None
        if preset is not None:
            from .presets import PRESETS  # late: presets are built from this class
            if preset not in PRESETS:
                raise ConfigError(f"preset {preset!r} is not known "
                                  f"(known: {', '.join(sorted(PRESETS))})")
            base = PRESETS[preset].mapping
        extras = dict(base.extras) if base else {}
        names = {f.name for f in fields(cls)} - {"extras"}
        for key, value in overrides.items():
            if key.startswith("extra."):
                _check_path(value, f"mapping.{key}")
                extras[key[len("extra."):]] = value
            elif key not in names:
                known = ", ".join(sorted(names | {"extra.NAME"}))
                raise ConfigError(f"unknown mapping key 'mapping.{key}' (known keys: {known})")
            elif key == "headline_digest":
                values[key] = _flag(value, key)
            else:
                if key not in ("url_template", "fulltext_url"):
                    _check_path(value, f"mapping.{key}")
                values[key] = value if key == "items" else (value or None)
        values["extras"] = tuple(sorted(extras.items()))
        if base is not None:
            return replace(base, **values)
        for key in ("items", "id"):
            if values.get(key) is None:
                raise ConfigError(f"'mapping.{key}' is missing: a source without a "
                                  "preset must say where its items and their ids are")
        return cls(**values)


def _flag(value: str, key: str) -> bool:
    if str(value).lower() in ("1", "true", "yes", "on"):
        return True
    if str(value).lower() in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"'mapping.{key}' must be true or false, not {value!r}")


def _check_path(path: str, key: str) -> None:
    for alt in str(path).split("|"):
        if alt and any(not part for part in _split(alt)):
            raise ConfigError(f"'{key}' {path!r} is not a dotted path (e.g. data.list)")


def _split(path: str) -> list[str]:
    return _INDEX.sub(r".\1", path).split(".")


def get_path(value: Any, path: str) -> Any:
    """The value at a dotted path, or MISSING. ``""`` is the value itself."""
    if path == "":
        return value
    for part in _split(path):
        if isinstance(value, Mapping):
            value = value.get(part, MISSING)
        elif isinstance(value, list) and re.fullmatch(r"-?\d+", part):
            index = int(part)
            value = value[index] if -len(value) <= index < len(value) else MISSING
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


def first_of(value: Any, paths: str | None) -> Any:
    """The first present, non-empty value among ``a|b|c``; MISSING if none."""
    if not paths:
        return MISSING
    for path in paths.split("|"):
        found = get_path(value, path)
        if found is not MISSING and found is not None and found != "":
            return found
    return MISSING


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool) or value is None or value is MISSING:
        return None
    if isinstance(value, (str, int)):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


def render_template(template: str, item: Any, ident: str) -> str | None:
    """Fill ``{id}`` and ``{field}`` placeholders, url-quoted; None if one is missing."""
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        text = ident if name == "id" else _scalar(get_path(item, name))
        if not text:
            missing = True
            return ""
        return quote(text, safe="")

    result = _PLACEHOLDER.sub(fill, template)
    return None if missing else result
