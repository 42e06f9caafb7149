"""Typed settings: defaults, then ``finews.toml``, then ``FINEWS_*`` variables.

Settings are plain frozen dataclasses passed to whatever needs them; nothing
reads configuration from a global. Unknown keys and bad values raise
:class:`ConfigError` naming the key, so a typo never silently falls back to a
default.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError

CONFIG_NAME = "finews.toml"


@dataclass(frozen=True, slots=True)
class SiteSettings:
    title: str = "金融消息"
    #: Absolute URL the site is served at; used in feeds and the sitemap.
    base_url: str = "http://127.0.0.1:8000/"
    #: Host written into Jekyll back-links (``//<host>/category/…``).
    host: str = "127.0.0.1:8000"
    #: Host of East Money share links in exported posts.
    share_host: str = "finance.eastmoney.com"
    timezone: str = "Asia/Shanghai"
    page_size: int = 50
    #: No longer used: the home page lists outlets as a short index, not
    #: each outlet's newest stories. Accepted so older finews.toml files load.
    home_per_category: int = 5
    #: Newest stories overall on the home page.
    home_latest: int = 50
    #: The home page's largest clusters are those with a story in this many
    #: hours before the newest story.
    home_cluster_hours: int = 24
    #: Show a cluster of near-duplicate stories once in the home page's
    #: newest stories and the site feed (its newest story stands for it).
    collapse_clusters: bool = False
    #: Entries per Atom feed.
    feed_size: int = 50
    #: Seconds between an open page's checks for new stories.
    live_interval: int = 15
    #: Where the search box sends queries. Empty: ``<base_url>search``, the
    #: finews server's own results page; set it when the static site is
    #: hosted elsewhere and a finews server runs at another address.
    search_url: str = ""

    @property
    def search_action(self) -> str:
        from urllib.parse import urljoin
        return self.search_url or urljoin(self.base_url, "search")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class FetchSettings:
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    #: Answers larger than this are refused (bytes).
    max_bytes: int = 8 * 1024 * 1024
    #: Attempts per request beyond the first, with capped exponential back-off.
    retries: int = 2
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    #: Requests in flight to one host at once.
    per_host: int = 2
    user_agent: str = "finews/0.1 (+https://github.com/finews)"
    #: Allow requests to loopback/private addresses for every source.
    allow_private: bool = False
    #: How long a fetch worker's claim on a source holds (seconds). A worker
    #: that dies mid-pass leaves its sources to the others once it runs out,
    #: so keep it longer than a source's slowest pass (timeouts × retries ×
    #: full texts) and short enough that a dead worker is not missed long.
    lease: float = 300.0
    #: Sources a fetch worker claims at a time; the others take the rest.
    lease_batch: int = 4


@dataclass(frozen=True, slots=True)
class ServeSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    #: Processes that answer searches beside the server (0: the server's own
    #: threads). A search is mostly Python work: in the server's interpreter it
    #: waits for every page and API answer in flight, in a process of its own it
    #: runs on its own core (BENCHMARKS.md, Load).
    search_workers: int = 0


@dataclass(frozen=True, slots=True)
class SourceSettings:
    name: str
    #: ``json`` (a news-list JSON API) or ``feed`` (RSS/Atom).
    kind: str = "json"
    url: str = ""
    #: A built-in mapping (see ``finews.sources.presets``); fields given in
    #: ``mapping`` override the preset's.
    preset: str | None = None
    interval: int = 300
    headers: Mapping[str, str] = field(default_factory=dict)
    mapping: Mapping[str, str] = field(default_factory=dict)
    #: Where a preset fetches full text from, instead of the host in its
    #: full-text URL: ``host[:port]`` (the preset's scheme is kept) or
    #: ``http(s)://host[:port]`` (a mirror, a proxy, a local test server).
    fulltext_host: str | None = None
    #: A fixed category slug / media name for every item of this source.
    category: str | None = None
    media: str | None = None
    #: Allow loopback/private addresses for this source (demo, tests, LAN).
    allow_private: bool = False
    enabled: bool = True
    #: ``"page"``: fetch each new item's article page and keep its main text
    #: (for feeds that carry only summaries). None: the item's own text.
    fulltext: str | None = None
    #: CSS selector of the article on those pages (default: found by the extractor).
    fulltext_selector: str | None = None
    #: CSS selector of elements inside the article to drop.
    fulltext_remove: str | None = None
    #: Tags given to every story of this source (OPML folders become these).
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("data")
    #: ``sqlite:///path`` (default: ``<data_dir>/finews.sqlite3``) or
    #: ``postgresql://user@host/database`` (see ``store.open``).
    store_url: str = ""
    #: Where the static site is written (default: ``<data_dir>/site``).
    output_dir: Path | None = None
    site: SiteSettings = field(default_factory=SiteSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    sources: tuple[SourceSettings, ...] = ()

    @property
    def store(self) -> str:
        """The store's URL, for ``store.open_store``."""
        return self.store_url or f"sqlite:///{self.data_dir / 'finews.sqlite3'}"

    @property
    def site_dir(self) -> Path:
        return self.output_dir or (self.data_dir / "site")


# --------------------------------------------------------------------------
# Loading

_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_SOURCE_KINDS = ("json", "feed")
_FULLTEXT_MODES = ("page",)
_FULLTEXT_HOST = re.compile(r"(?:https?://)?(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])"
                            r"(?::\d{1,5})?/?")


def _check_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            names = ", ".join(sorted(allowed))
            raise ConfigError(f"unknown key '{where}{key}' (known keys: {names})")


def _coerce(value: Any, want: type, key: str) -> Any:
    """Check a value from TOML or the environment against a field's type."""
    if want is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on"):
            return True
        if isinstance(value, str) and value.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"'{key}' must be true or false, not {value!r}")
    if want is int:
        if isinstance(value, bool):
            raise ConfigError(f"'{key}' must be a whole number, not {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"'{key}' must be a whole number, not {value!r}") from None
    if want is float:
        if isinstance(value, bool):
            raise ConfigError(f"'{key}' must be a number, not {value!r}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"'{key}' must be a number, not {value!r}") from None
    if want is str:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ConfigError(f"'{key}' must be a string, not {value!r}")
        return str(value)
    return value


_SIMPLE = {"str": str, "int": int, "float": float, "bool": bool}


def _build(cls: type, table: Mapping[str, Any], where: str) -> Any:
    """Make a settings dataclass from a TOML table of simple values."""
    names = {f.name: f for f in fields(cls)}
    _check_keys(table, set(names), where)
    values = {}
    for key, value in table.items():
        kind = _SIMPLE.get(str(names[key].type).removesuffix(" | None"))
        values[key] = _coerce(value, kind, where + key) if kind else value
    return cls(**values)


def _positive(value: float, key: str) -> None:
    if value <= 0:
        raise ConfigError(f"'{key}' must be greater than 0, not {value!r}")


def _validate_url(url: str, key: str) -> None:
    if not re.match(r"^https?://[^\s/?#]+", url):
        raise ConfigError(f"'{key}' must be an http:// or https:// URL, not {url!r}")


def _source(table: Mapping[str, Any], index: int) -> SourceSettings:
    where = f"sources[{index}]."
    if not isinstance(table, Mapping):
        raise ConfigError(f"'sources[{index}]' must be a table ([[sources]])")
    table = dict(table)
    for key in ("headers", "mapping"):
        sub = table.get(key, {})
        if not isinstance(sub, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in sub.items()):
            raise ConfigError(f"'{where}{key}' must be a table of strings")
        table[key] = dict(sub)
    tags = table.get("tags", [])
    if not isinstance(tags, (list, tuple)) or not all(
            isinstance(t, str) and t.strip() for t in tags):
        raise ConfigError(f"'{where}tags' must be a list of non-empty strings")
    table["tags"] = tuple(t.strip() for t in tags)
    if "name" not in table:
        raise ConfigError(f"'{where}name' is missing: every source needs a name")
    src = _build(SourceSettings, table, where)
    if not _SOURCE_NAME.match(src.name):
        raise ConfigError(
            f"'{where}name' {src.name!r} must be 1-64 letters, digits, '-' or '_'")
    if src.kind not in _SOURCE_KINDS:
        raise ConfigError(f"'{where}kind' must be one of {', '.join(_SOURCE_KINDS)}, "
                          f"not {src.kind!r}")
    _validate_url(src.url, where + "url")
    _positive(src.interval, where + "interval")
    _check_fulltext(src, where)
    if src.fulltext_host is not None and not _FULLTEXT_HOST.fullmatch(src.fulltext_host):
        raise ConfigError(f"'{where}fulltext_host' must be host[:port] or "
                          f"http(s)://host[:port] with no path, not {src.fulltext_host!r}")
    if src.preset is not None:
        from .sources.presets import PRESETS  # late: sources depend on config types
        if src.preset not in PRESETS:
            raise ConfigError(f"'{where}preset' {src.preset!r} is not a known preset "
                              f"(known: {', '.join(sorted(PRESETS))})")
    return src


def _check_fulltext(src: SourceSettings, where: str) -> None:
    if src.fulltext is not None and src.fulltext not in _FULLTEXT_MODES:
        raise ConfigError(f"'{where}fulltext' must be \"page\" (fetch each item's "
                          f"article page) or left out, not {src.fulltext!r}")
    from .process.extract import check_selector  # late: processing imports config types
    for key in ("fulltext_selector", "fulltext_remove"):
        value = getattr(src, key)
        if value is None:
            continue
        if src.fulltext != "page":
            raise ConfigError(f"'{where}{key}' needs fulltext = \"page\" on the same source")
        check_selector(value, where + key)


def from_mapping(data: Mapping[str, Any], base: Path = Path(".")) -> Settings:
    """Settings from a parsed TOML document; relative paths are taken from ``base``."""
    top = {"data_dir", "output_dir", "store", "site", "fetch", "serve", "sources"}
    _check_keys(data, top, "")
    data_dir = base / str(data.get("data_dir", "data"))
    output_dir = data.get("output_dir")
    store = data.get("store", {})
    _check_keys(store, {"url"}, "store.")
    site = _build(SiteSettings, data.get("site", {}), "site.")
    fetch = _build(FetchSettings, data.get("fetch", {}), "fetch.")
    serve = _build(ServeSettings, data.get("serve", {}), "serve.")
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        raise ConfigError("'sources' must be a list of tables ([[sources]])")
    sources = tuple(_source(s, i) for i, s in enumerate(raw_sources))
    seen: set[str] = set()
    for src in sources:
        if src.name in seen:
            raise ConfigError(f"source name {src.name!r} is used twice in 'sources'")
        seen.add(src.name)
    store_url = str(store.get("url", ""))
    if store_url.startswith("sqlite:///") and not store_url.startswith("sqlite:////"):
        rel = store_url[len("sqlite:///"):]
        if not Path(rel).is_absolute():
            store_url = f"sqlite:///{base / rel}"
    settings = Settings(
        data_dir=data_dir,
        store_url=store_url,
        output_dir=(base / str(output_dir)) if output_dir else None,
        site=site, fetch=fetch, serve=serve, sources=sources)
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    """Checks across fields; raises ConfigError naming the key."""
    site = settings.site
    try:
        ZoneInfo(site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"'site.timezone' {site.timezone!r} is not a known time zone "
                          "(e.g. Asia/Shanghai)") from None
    _validate_url(site.base_url, "site.base_url")
    if site.search_url:
        _validate_url(site.search_url, "site.search_url")
    for key in ("page_size", "home_per_category", "home_latest", "feed_size",
                "live_interval", "home_cluster_hours"):
        _positive(getattr(site, key), "site." + key)
    if site.page_size > 1000:
        raise ConfigError("'site.page_size' must be at most 1000")
    fetch = settings.fetch
    for key in ("connect_timeout", "read_timeout", "max_bytes", "per_host",
                "backoff_base", "backoff_max", "lease", "lease_batch"):
        _positive(getattr(fetch, key), "fetch." + key)
    if fetch.retries < 0:
        raise ConfigError("'fetch.retries' must be 0 or more")
    if not 0 < settings.serve.port < 65536:
        raise ConfigError(f"'serve.port' must be between 1 and 65535, not {settings.serve.port}")
    if not 0 <= settings.serve.search_workers <= 64:
        raise ConfigError("'serve.search_workers' must be between 0 and 64, not "
                          f"{settings.serve.search_workers}")
    from .store.open import backend_of
    backend_of(settings.store)   # ConfigError for an unsupported URL


_ENV_PREFIX = "FINEWS_"


def apply_env(settings: Settings, environ: Mapping[str, str]) -> Settings:
    """Override settings from ``FINEWS_*`` variables.

    ``FINEWS_DATA_DIR``, ``FINEWS_OUTPUT_DIR``, ``FINEWS_STORE_URL`` and
    ``FINEWS_<SECTION>_<KEY>`` for the site, fetch and serve sections, e.g.
    ``FINEWS_SITE_BASE_URL`` or ``FINEWS_SERVE_PORT``.
    """
    sections = {"SITE": "site", "FETCH": "fetch", "SERVE": "serve"}
    changes: dict[str, Any] = {}
    section_changes: dict[str, dict[str, Any]] = {}
    for name, value in environ.items():
        if not name.startswith(_ENV_PREFIX):
            continue
        rest = name[len(_ENV_PREFIX):]
        if rest == "DATA_DIR":
            changes["data_dir"] = Path(value)
        elif rest == "OUTPUT_DIR":
            changes["output_dir"] = Path(value) if value else None
        elif rest == "STORE_URL":
            changes["store_url"] = value
        elif rest in ("CONFIG", "SLOW") or rest.startswith("TEST_"):
            continue  # read by the CLI and the test suite, not settings
        else:
            head, _, key = rest.partition("_")
            section = sections.get(head)
            if section is None or not key:
                raise ConfigError(f"unknown environment variable {name}")
            cls = type(getattr(settings, section))
            names = {f.name: f for f in fields(cls)}
            key = key.lower()
            if key not in names:
                raise ConfigError(f"unknown environment variable {name} "
                                  f"(no key '{section}.{key}')")
            kind = _SIMPLE.get(str(names[key].type), str)
            section_changes.setdefault(section, {})[key] = _coerce(value, kind, name)
    for section, values in section_changes.items():
        changes[section] = replace(getattr(settings, section), **values)
    if not changes:
        return settings
    result = replace(settings, **changes)
    validate(result)
    return result


def load(path: Path | None, environ: Mapping[str, str] | None = None) -> Settings:
    """Load settings from ``path`` (if it exists) and the environment.

    A missing file gives the defaults; an unreadable or invalid one raises
    ConfigError naming the problem.
    """
    environ = os.environ if environ is None else environ
    settings = Settings()
    if path is not None and path.exists():
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except UnicodeDecodeError:
            raise ConfigError(f"{path} is not UTF-8 text") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
        settings = from_mapping(data, base=path.parent)
    elif path is not None and environ.get(_ENV_PREFIX + "CONFIG"):
        raise ConfigError(f"configuration file {path} does not exist")
    return apply_env(settings, environ)
