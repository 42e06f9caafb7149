"""Upstream lists → finews → Jekyll export, byte for byte as the original wrote it.

The lists are served over HTTP on 127.0.0.1 in the original's three shapes
and polled with the real presets (``fulltext_host`` points them here). The
expected posts are built from the fixtures with the original's own string
layout (front matter, ``　　`` removed, source link, back-links), written out
here independently of finews's writer. Media names are chosen whose pinyin
has one reading, so the original's slug and finews's agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from finews.original.export import export_jekyll
from finews.publish.site import build_site
from finews.store.sqlite import SQLiteStore

from .em_lists import EMLists, poll

SITE = {"host": "news.example", "share_host": "share.example",
        "base_url": "http://news.example/"}
HOST, SHARE = SITE["host"], SITE["share_host"]

#: Every kind of East Money markup the original's bodies carried.
EM_FULL = (
    '<p>　　<span id="stock_1.600160"><a href="http://quote.eastmoney.com/unify/r/1.600160" '
    'class="keytip" data-code="1,600160">巨化股份</a></span><span id="quote_1.600160"></span>'
    "公告称拟扩建新产线。</p>\n"
    '<p>　　同板块的<span web="1" href="http://quote.eastmoney.com/unify/r/0.000001" '
    'class="em_stock_key_common" data-code="0,000001">示例银行</span>、'
    '<span id="stock_116.00700"><a href="http://quote.eastmoney.com/unify/r/116.00700" '
    'class="keytip" data-code="116,00700">示例控股</a></span>和'
    '<span id="stock_105.EXMP"><a href="http://quote.eastmoney.com/unify/r/105.EXMP" '
    'class="keytip" data-code="105,EXMP">示例科技</a></span>同步走强。</p>\n'
    '<p>　　<span id="bk_90.BK0493"><a href="http://quote.eastmoney.com/unify/r/90.BK0493" '
    'class="keytip" data-code="90,BK0493">化工行业</a></span>板块午后拉升，'
    '<a href="http://data.eastmoney.com/zjlx/" class="infokey">资金流向</a>显示主力净流入。'
    "<br />记者 示例</p>\n"
    "<!-- EM_StockImg_Start -->\n"
    '<center><a href="http://quote.eastmoney.com/unify/r/1.600160">'
    '<img src="http://webquotepic.eastmoney.com/GetPic.aspx?nid=1.600160&imageType=k" '
    'border="0" /></a></center>\n'
    "<!-- EM_StockImg_End -->\n"
    '<p style="display:none">隐藏的段落</p>\n'
    '<center><img src="http://img.example/chart.png" width="500" /></center>\n'
    '<p class="em_media">（文章来源：示例日报，<span id="bk_90.BK0493"><a '
    'href="http://quote.eastmoney.com/unify/r/90.BK0493" class="keytip" '
    'data-code="90,BK0493">化工</a></span>）</p>')
TWIN_BODY = ("<p>　　新区今年计划开工项目四十个，其中十二个已进场施工。</p>\n"
             ' <p class="em_media">（文章来源：证券时报）</p>')
MARKET_BODY = ('<p>　　半导体板块午后走强，<span id="stock_0.300001"><a '
               'href="http://quote.eastmoney.com/unify/r/0.300001" class="keytip" '
               'data-code="0,300001">示例微电</a></span>涨停。</p>\n'
               '<p class="em_media">（文章来源：中国基金报）</p>')

ROLLING = [
    {"id": "202203011000000001", "infoCode": "NW202203011000000001",
     "title": "示例银行一季度净利润增长",
     "digest": "【示例银行一季度净利润增长】示例银行公告，一季度净利润同比增长百分之十二。",
     "showtime": "2022-03-01 09:30:00",
     "url_w": "http://finance.example/a/202203011000000001.html"},
    {"id": "202203011000000002", "infoCode": "NW202203011000000002",
     "title": "新区一季度重点项目建设提速",
     "digest": "【新区一季度重点项目建设提速】新区今年计划开工项目四十个。",
     "showtime": "2022-03-01 10:00:00",
     "url_w": "http://finance.example/a/202203011000000002.html"},
]
MEDIA = [
    {"infocode": "NW202203011000000003", "title": "港口集团发布年度运营数据",
     "showtime": "2022-03-01 11:15:00", "from": "示例日报", "simtitle": "港口集团发布年度运营数据",
     "simdigest": "港口集团吞吐量创新高。"},
    # the rolling list's second story, as the per-media list served it: a twin
    {"infocode": "NW202203011000000002", "title": "新区一季度重点项目建设提速",
     "showtime": "2022-03-01 10:00:00", "from": "证券时报", "simtitle": "新区一季度重点项目建设提速",
     "simdigest": "新区今年计划开工项目四十个。"},
]
MARKET = [
    {"infoCode": "NW202203011000000004", "title": "半导体板块午后走强",
     "datetime": "2022-03-01 13:05:00", "medianame": "中国基金报"},
]
TEXTS = {"NW202203011000000001": EM_FULL, "NW202203011000000002": TWIN_BODY,
         "NW202203011000000003": EM_FULL.replace("示例日报", "示例日报社"),
         "NW202203011000000004": MARKET_BODY}
#: the original's slugs for these names (syllables joined)
PINYIN = {"示例日报": "shiliribao", "证券时报": "zhengquanshibao",
          "中国基金报": "zhongguojijinbao"}


def original_rolling(item: dict) -> str:
    return ("---\nlayout: post\n" f'title: "{item["title"]}"\n'
            f"date: {item['showtime']} +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n"
            f"> {item['digest'].split('】')[-1]}\n\n"
            f"{TEXTS[item['infoCode']].replace('　　', '')}\n\n<{item['url_w']}>\n\n"
            f"[返回东财滚动新闻](//{HOST}/emnews/)｜[返回首页](//{HOST}/)")


def original_news(code: str, title: str, when: str, media: str) -> str:
    slug = PINYIN[media]
    return ("---\nlayout: post\n" f'title: "{title}"\n'
            f"date: {when} +0800\ncategories: {slug}\ntags: {media}新闻\n---\n"
            f"{TEXTS[code].replace('　　', '')}\n\n"
            f"<http://{SHARE}/html_News/NewsShare.html?infoCode={code}>\n\n"
            f"[返回{media}新闻](//{HOST}/category/{slug}.html)｜[返回首页](//{HOST}/)")


def expected_posts() -> dict[str, bytes]:
    posts = {f"{i['showtime'][:10]}-{i['id']}.md": original_rolling(i) for i in ROLLING}
    posts.update({f"{i['showtime'][:10]}-{i['infocode']}.md": original_news(
        i["infocode"], i["title"], i["showtime"], i["from"]) for i in MEDIA})
    posts.update({f"{i['datetime'][:10]}-{i['infoCode']}.md": original_news(
        i["infoCode"], i["title"], i["datetime"], i["medianame"]) for i in MARKET})
    return {name: text.encode() for name, text in posts.items()}


def export_after_polling(root: Path, order: tuple[str, ...]):
    with EMLists(ROLLING, MEDIA, MARKET, TEXTS) as lists:
        settings = lists.settings(root, order, SITE)
        with SQLiteStore.open(settings.store_path, settings.site.tz) as store:
            poll(settings, store)
            if len(order) == 3:
                assert store.count_articles() == 4      # the twin is stored once
            summary = export_jekyll(store, root / "jekyll", settings.site)
    return summary


@pytest.mark.parametrize("order", [("rolling", "media", "market"),
                                   ("market", "media", "rolling")], ids=["rolling-first",
                                                                         "media-first"])
def test_each_list_shape_is_exported_byte_for_byte(tmp_path, order):
    summary = export_after_polling(tmp_path, order)
    posts = {p.name: p.read_bytes() for p in (tmp_path / "jekyll" / "_posts").iterdir()}
    expected = expected_posts()
    assert sorted(posts) == sorted(expected)
    for name, data in expected.items():
        assert posts[name] == data, name
    assert summary.repaired == 0, summary.repairs
    categories = sorted(p.name for p in (tmp_path / "jekyll" / "category").iterdir())
    assert categories == sorted(["emnews.html"] + [f"{s}.html" for s in PINYIN.values()])


def test_market_story_has_the_market_shape(tmp_path):
    export_after_polling(tmp_path, ("market",))
    text = (tmp_path / "jekyll" / "_posts" / "2022-03-01-NW202203011000000004.md").read_text()
    assert text == original_news("NW202203011000000004", "半导体板块午后走强",
                                 "2022-03-01 13:05:00", "中国基金报")
    assert "categories: zhongguojijinbao\ntags: 中国基金报新闻\n" in text


def test_the_twins_address_redirects_on_finews_own_site(tmp_path):
    with EMLists(ROLLING, MEDIA, MARKET, TEXTS) as lists:
        settings = lists.settings(tmp_path, site=SITE)
        with SQLiteStore.open(settings.store_path, settings.site.tz) as store:
            poll(settings, store, ("rolling",))
            build_site(store, tmp_path / "site", settings.site)
            story = store.article_by_key("rolling", "202203011000000002")
            # the per-media list serves the same story later: an incremental build
            report = poll(settings, store, ("media",))
            assert story.id in report.changed_ids
            build = build_site(store, tmp_path / "site", settings.site)
            assert not build.full
            assert store.article_by_key("media", "NW202203011000000002").id == story.id
            build_site(store, tmp_path / "full", settings.site, full=True)
    twin = Path("zhengquanshibao", "2022", "03", "01", "NW202203011000000002.html")
    for site in ("site", "full"):
        page = (tmp_path / site / twin).read_text()
        assert 'http-equiv="refresh"' in page
        assert f"../../../../{story.path}" in page
        assert (tmp_path / site / story.path).is_file()
