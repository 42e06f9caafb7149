"""Editing the ``[[sources]]`` of a finews.toml in place, comments and all.

``finews sources add``, ``import``, ``enable`` and ``disable`` change the
user's own file, so it is edited with tomlkit, which keeps comments, blank
lines and key order as they were. Every edit is checked by loading the
result as a configuration before anything is written, and is written to a
sibling file first and renamed over the old one: a refused edit leaves the
file untouched and a crash never leaves half a file.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Iterable, Mapping

import tomlkit
from tomlkit.items import AoT, Table
from tomlkit.toml_document import TOMLDocument

from ..config import Settings, from_mapping
from ..errors import ConfigError

_NAME_LIMIT = 56  # leaves room for a "-NN" suffix within the 64 allowed


def read_document(path: Path) -> TOMLDocument:
    """The file as an editable document; an empty one when it does not exist."""
    if not path.exists():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text") from None
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None


def _sources(doc: TOMLDocument) -> AoT:
    found = doc.get("sources")
    if found is None:
        doc.append("sources", tomlkit.aot())
        return doc["sources"]
    if not isinstance(found, AoT):
        raise ConfigError("'sources' in the configuration is not a list of "
                          "[[sources]] tables, so finews cannot add to it")
    return found


def _table(values: Mapping[str, Any]) -> Table:
    table = tomlkit.table()
    for key, value in values.items():
        if value is None or value == () or value == []:
            continue
        table.add(key, list(value) if isinstance(value, tuple) else value)
    return table


def add_sources(path: Path, tables: Iterable[Mapping[str, Any]]) -> Settings:
    """Append ``[[sources]]`` tables to the file; the settings it now gives."""
    doc = read_document(path)
    sources = _sources(doc)
    for values in tables:
        sources.append(_table(values))
    return write_document(path, doc)


def set_enabled(path: Path, name: str, enabled: bool) -> Settings:
    """Turn a source on or off by name."""
    doc = read_document(path)
    for table in _sources(doc):
        if table.get("name") == name:
            if enabled and "enabled" in table:
                del table["enabled"]  # the default; the file says no more than it must
            elif not enabled:
                table["enabled"] = False
            return write_document(path, doc)
    raise ConfigError(f"no source named {name!r} in {path}")


def write_document(path: Path, doc: TOMLDocument) -> Settings:
    """Check the edited document as a configuration, then replace the file with it."""
    text = tomlkit.dumps(doc)
    try:
        settings = from_mapping(tomllib.loads(text), base=path.parent)
    except tomllib.TOMLDecodeError as exc:  # tomlkit wrote something it cannot read back
        raise ConfigError(f"the edited configuration is not valid TOML: {exc}") from None
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
    return settings


def source_name(label: str, url: str, taken: set[str]) -> str:
    """A free source name from a feed's title (pinyin for Chinese) or its host."""
    from ..process.slug import media_slug
    base = media_slug(label)[:_NAME_LIMIT].strip("-") if label.strip() else ""
    if not base or base.startswith("media-"):
        host = re.sub(r"^https?://", "", url, flags=re.I).split("/", 1)[0].split(":")[0]
        base = media_slug(host.removeprefix("www."))[:_NAME_LIMIT].strip("-") or "feed"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name
