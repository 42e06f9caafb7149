import re

import pytest

from finews.config import SourceSettings, from_mapping
from finews.model import POST_SHAPES
from finews.sources.jsonlist import parse_list
from finews.sources.presets import PRESETS, plan_source

from . import samples

REQUIRED = ("em-rolling", "em-media", "em-market", "em-fast", "em-columns", "sina-zhibo")


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_is_documented(name):
    preset = PRESETS[name]
    assert re.search(r"§\d", preset.description)  # names the documented shape
    assert preset.mapping.id and preset.shape in POST_SHAPES + (None,)
    if preset.mapping.fulltext_url:
        assert preset.mapping.fulltext_body


def test_required_presets_exist():
    assert set(REQUIRED) <= set(PRESETS)
    assert PRESETS["em-rolling"].category == "emnews"
    assert PRESETS["em-rolling"].media == PRESETS["em-rolling"].tag == "东财滚动新闻"
    assert [PRESETS[n].shape for n in ("em-rolling", "em-media", "em-market")] == \
        ["rolling", "media", "market"]


CASES = [
    ("em-rolling", samples.EM_ROLLING, dict(
        upstream_id="202403133009961234", title="示例银行：拟回购不超过5亿元股份",
        published="2024-03-13 09:30:00",
        fulltext_url="http://choicewzp1.eastmoney.com/NewsData/GetNewsText.do"
                     "?id=NW202403133009961234")),
    ("em-media", samples.EM_MEDIA, dict(
        upstream_id="NW202203010000000001", title="新区一季度重点项目建设提速",
        digest="新区今年计划开工项目四十个。", media="示例日报", published="2022-03-01 09:30:00",
        fulltext_url="http://choicewzp1.eastmoney.com/NewsData/GetNewsText.do"
                     "?id=NW202203010000000001")),
    ("em-market", samples.EM_MARKET, dict(
        upstream_id="NW202203010000000002", title="半导体板块午后走强",
        media="21世纪经济报道 21财经APP", published="2022-03-01 13:05:00")),
    ("em-fast", samples.EM_FAST, dict(
        upstream_id="202403133009961299", title="沪指午后翻红",
        body_html="沪指午后翻红，<b>半导体</b>板块走强。", published="2024-03-13 13:10:05",
        stocks=("1.600519", "116.00700"),
        url="https://finance.eastmoney.com/a/202403133009961299.html")),
    ("em-columns", samples.EM_COLUMNS, dict(
        upstream_id="202403133009961300", media="东方财富研究中心", digest="隔夜美股收涨。",
        url="http://finance.eastmoney.com/a/202403133009961300.html",
        fulltext_url="https://newsinfo.eastmoney.com/kuaixun/v2/api/content/getnews"
                     "?newsid=202403133009961300&newstype=1&source=web&version=1")),
    ("sina-zhibo", samples.SINA_ZHIBO, dict(
        upstream_id="3012345", title="证监会：强化上市公司监管",
        digest="证监会表示将从严打击财务造假。", tags=("A股", "公司"),
        published="2024-03-13 10:01:02", url="https://wap.cj.sina.cn/pc/7x24/3012345")),
    ("ths-724", samples.THS_724, dict(
        upstream_id="614402", published="1710300060", media="同花顺", tags=("A股",))),
]


@pytest.mark.parametrize("name, text, expected", CASES, ids=[c[0] for c in CASES])
def test_preset_reads_its_shape(name, text, expected):
    result = parse_list(text.encode(), "utf-8", PRESETS[name].mapping, "s")
    assert result.rejects == []
    got = result.items[0]
    for key, value in expected.items():
        assert getattr(got, key) == value, key


def test_plan_source_merges_settings_over_preset():
    source = SourceSettings(name="a", url="http://x/", preset="em-fast",
                            headers={"User-Agent": "ua"}, media="自定义",
                            mapping={"items": "data.list"})
    plan = plan_source(source)
    assert plan.mapping.items == "data.list" and plan.mapping.id == "code"
    assert dict(plan.headers) == {"Referer": "https://kuaixun.eastmoney.com/",
                                  "User-Agent": "ua"}
    assert plan.media == "自定义"
    rolling = plan_source(SourceSettings(name="r", url="http://x/", preset="em-rolling"))
    assert (rolling.shape, rolling.category, rolling.tag) == ("rolling", "emnews", "东财滚动新闻")
    feed = plan_source(SourceSettings(name="f", kind="feed", url="http://x/"))
    assert feed.mapping is None and feed.shape is None


def test_config_knows_the_presets():
    settings = from_mapping({"sources": [
        {"name": "fast", "url": "https://np-weblist.eastmoney.com/comm/web/getFastNewsList",
         "preset": "em-fast"}]})
    assert settings.sources[0].preset == "em-fast"


def test_fulltext_host_option_points_a_preset_elsewhere():
    def fulltext(host):
        settings = from_mapping({"sources": [{"name": "m", "url": "http://x/",
                                              "preset": "em-media", "fulltext_host": host}]})
        return plan_source(settings.sources[0]).mapping.fulltext_url

    assert fulltext("finews.zning.xyz") == \
        "http://finews.zning.xyz/NewsData/GetNewsText.do?id={infocode}"
    assert fulltext("http://127.0.0.1:8123") == \
        "http://127.0.0.1:8123/NewsData/GetNewsText.do?id={infocode}"
    assert fulltext("https://mirror.example/") == \
        "https://mirror.example/NewsData/GetNewsText.do?id={infocode}"
    assert PRESETS["em-rolling"].fulltext_host == "choicewzp1.eastmoney.com"
    assert any("fulltext_host" in line for line in PRESETS["em-market"].options())
    assert PRESETS["em-fast"].options() == []


@pytest.mark.parametrize("host", ["http://x/path", "ftp://x", "a b", "x:port"])
def test_fulltext_host_must_be_a_host(host):
    from finews.errors import ConfigError
    with pytest.raises(ConfigError, match="fulltext_host"):
        from_mapping({"sources": [{"name": "m", "url": "http://x/", "preset": "em-media",
                                   "fulltext_host": host}]})


def test_fulltext_host_needs_a_fulltext_url():
    from finews.errors import ConfigError
    settings = from_mapping({"sources": [{"name": "f", "url": "http://x/", "preset": "em-fast",
                                          "fulltext_host": "127.0.0.1:1"}]})
    with pytest.raises(ConfigError, match="no full-text URL"):
        plan_source(settings.sources[0])
