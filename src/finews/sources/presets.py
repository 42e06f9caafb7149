"""The list shapes finews knows by name.

Each preset says which documented upstream shape it matches (see the
project's upstream notes: §1g for the lists the original finews polled,
§1a/§1b/§5a/§6 for live public lists). Field names are the upstream's own.
None of these was checked against the live sites; an answer that no longer
matches fails loudly with a ParseError naming the missing list or field.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping
from urllib.parse import urlsplit, urlunsplit

from ..config import SourceSettings
from ..errors import ConfigError
from .mapping import ListMapping

#: Where the original finews read full text, keyed by the info code (§1d).
#: A legacy host: a source points these presets elsewhere (the original's
#: later proxy, a mirror, a test server) with its ``fulltext_host`` option.
LEGACY_FULLTEXT = "http://choicewzp1.eastmoney.com/NewsData/GetNewsText.do?id={infoCode}"
EM_ARTICLE = "https://finance.eastmoney.com/a/{id}.html"
EM_GETNEWS = ("https://newsinfo.eastmoney.com/kuaixun/v2/api/content/getnews"
              "?newsid={id}&newstype=1&source=web&version=1")
_EM_HEADERS = MappingProxyType({"Referer": "https://kuaixun.eastmoney.com/"})


@dataclass(frozen=True, slots=True)
class Preset:
    mapping: ListMapping
    description: str
    shape: str | None = None          # one of model.POST_SHAPES, or None
    category: str | None = None       # fixed category slug for every item
    media: str | None = None          # fixed media name for every item
    tag: str | None = None            # fixed category tag (heading)
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def fulltext_host(self) -> str | None:
        """The host full text is fetched from (the ``fulltext_host`` option's default)."""
        url = self.mapping.fulltext_url
        return urlsplit(url).netloc if url else None

    def options(self) -> list[str]:
        """The preset's options, one line each, for ``finews presets``."""
        if not self.mapping.fulltext_url:
            return []
        return [f"fulltext_host = \"{self.fulltext_host}\": full text from "
                f"{self.mapping.fulltext_url} (host[:port] or http(s)://host[:port] "
                "fetches it from another host)"]


def with_fulltext_host(template: str, host: str) -> str:
    """``template`` with its scheme and host replaced by ``host`` (see SourceSettings)."""
    parts = urlsplit(template)
    host = host.rstrip("/")
    scheme, _, netloc = host.rpartition("://")
    return urlunsplit((scheme or parts.scheme, netloc, parts.path, parts.query,
                       parts.fragment))


PRESETS: dict[str, Preset] = {
    "em-rolling": Preset(
        mapping=ListMapping(
            items="records", id="id", title="title", digest="digest", time="showtime",
            url="url_w", fulltext_url=LEGACY_FULLTEXT, fulltext_body="content",
            headline_digest=True, extras=(("info_code", "infoCode"),)),
        description="East Money rolling news (东财滚动新闻) as the original finews polled it "
                    "(upstreams §1g, type=102): records[] with id, infoCode, title, "
                    "digest 【…】, showtime, url_w; full text JSON 'content' by infoCode.",
        shape="rolling", category="emnews", media="东财滚动新闻", tag="东财滚动新闻"),
    "em-media": Preset(
        mapping=ListMapping(
            items="nodeList", id="infocode", title="title|simtitle", digest="simdigest",
            time="showtime", media="from", fulltext_url=LEGACY_FULLTEXT.replace(
                "infoCode", "infocode"), fulltext_body="text"),
        description="East Money per-media news as the original finews polled it "
                    "(upstreams §1g, type=45): nodeList[] with infocode, title, showtime, "
                    "from, simtitle, simdigest; full text JSON 'text'; category from 'from'.",
        shape="media"),
    "em-market": Preset(
        mapping=ListMapping(
            items="record", id="infoCode", title="title", time="datetime",
            media="medianame", fulltext_url=LEGACY_FULLTEXT, fulltext_body="text"),
        description="East Money market news (marketType 37/38/39) as the original finews "
                    "polled it (upstreams §1g): record[] with infoCode, title, datetime, "
                    "medianame; full text JSON 'text'; category from 'medianame'.",
        shape="market"),
    "em-fast": Preset(
        mapping=ListMapping(
            items="data.fastNewsList", id="code", title="title", digest="summary",
            body="summary", time="showTime", stocks="stockList",
            media="mediaName", url="url_w|uniqueUrl", url_template=EM_ARTICLE),
        description="East Money 7×24 fast news, getFastNewsList (upstreams §1a): "
                    "data.fastNewsList[] with code, title, summary (the whole flash), "
                    "showTime, stockList; article page finance.eastmoney.com/a/{code}.html.",
        media="东方财富7×24", headers=_EM_HEADERS),
    "em-columns": Preset(
        mapping=ListMapping(
            items="data.list", id="code", title="title", digest="summary", time="showTime",
            media="mediaName", url="uniqueUrl|url", url_template=EM_ARTICLE,
            fulltext_url=EM_GETNEWS, fulltext_body="news.body"),
        description="East Money column news, getNewsByColumns (upstreams §1b): data.list[] "
                    "with code, title, summary, showTime, mediaName, uniqueUrl; full text "
                    "from the getnews API (§1d) at news.body.",
        headers=_EM_HEADERS),
    "sina-zhibo": Preset(
        mapping=ListMapping(
            items="result.data.feed.list", id="id", digest="rich_text", body="rich_text",
            time="create_time", url="docurl",
            url_template="https://wap.cj.sina.cn/pc/7x24/{id}", tags="tag",
            headline_digest=True),
        description="Sina Finance 7×24 live feed (upstreams §5a): result.data.feed.list[] "
                    "with id, rich_text (the whole flash, often 【headline】…), create_time, "
                    "docurl, tag[].name.",
        media="新浪财经7×24", headers=MappingProxyType(
            {"Referer": "https://finance.sina.com.cn/7x24/"})),
    "ths-724": Preset(
        mapping=ListMapping(
            items="data.list", id="id", title="title", digest="digest", body="digest",
            time="rtime|ctime", media="source", url="url", tags="tags"),
        description="10jqka (同花顺) 7×24 (upstreams §6): data.list[] with id, title, "
                    "digest (the whole flash), url, rtime/ctime in epoch seconds, source.",
        media="同花顺"),
}


@dataclass(frozen=True, slots=True)
class SourcePlan:
    """Everything the fetch and ingest stages need to read one configured source."""

    mapping: ListMapping | None       # None for feeds
    shape: str | None
    category: str | None
    media: str | None
    tag: str | None
    headers: Mapping[str, str]


def plan_source(source: SourceSettings) -> SourcePlan:
    """Merge a source's settings over its preset; ConfigError on a bad mapping."""
    preset = PRESETS.get(source.preset) if source.preset else None
    mapping = None
    if source.kind == "json":
        mapping = ListMapping.from_settings(source.preset, source.mapping)
        if source.fulltext_host:
            if not mapping.fulltext_url:
                raise ConfigError(f"source {source.name!r}: 'fulltext_host' is set, but its "
                                  "list has no full-text URL to point at that host")
            mapping = replace(mapping, fulltext_url=with_fulltext_host(
                mapping.fulltext_url, source.fulltext_host))
    headers = dict(preset.headers) if preset else {}
    headers.update(source.headers)
    return SourcePlan(
        mapping=mapping,
        shape=preset.shape if preset else None,
        category=source.category or (preset.category if preset else None),
        media=source.media or (preset.media if preset else None),
        tag=preset.tag if preset else None,
        headers=MappingProxyType(headers))
