"""How the demo upstream writes stories: one function per documented shape.

Field names are the upstream's own (see the project's upstream notes), so
the built-in presets read these answers exactly as they would read the real
ones. ``base`` is the server's own URL, for story pages and links.
"""

from __future__ import annotations

import json
from datetime import timezone
from email.utils import format_datetime
from typing import Any, Callable, Iterable
from xml.sax.saxutils import escape, quoteattr

from .generator import Story

Shape = Callable[[Iterable[Story], str], Any]
JSON = "application/json; charset=utf-8"


def dump_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, the way the upstreams answer."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def page_url(base: str, story: Story) -> str:
    return f"{base}/a/{story.code}.html"


def rolling(stories: Iterable[Story], base: str) -> Any:
    return {"records": [{
        "id": s.code, "infoCode": s.info_code, "title": s.title,
        "digest": f"【{s.title}】{s.summary}", "showtime": s.showtime,
        "url_w": page_url(base, s), "url_m": page_url(base, s)} for s in stories]}


def media(stories: Iterable[Story], base: str) -> Any:
    return {"nodeList": [{
        "infocode": s.info_code, "title": s.title, "showtime": s.showtime,
        "from": s.media, "simtitle": s.title, "simdigest": s.summary} for s in stories]}


def market(stories: Iterable[Story], base: str) -> Any:
    return {"record": [{
        "infoCode": s.info_code, "title": s.title, "datetime": s.showtime,
        "medianame": s.media} for s in stories]}


def fast(stories: Iterable[Story], base: str) -> Any:
    items = [{"code": s.code, "title": s.title, "summary": s.summary,
              "showTime": s.showtime, "stockList": list(s.stock_ids),
              "titleColor": 0, "image": []} for s in stories]
    return {"code": "1", "message": "success", "data": {
        "fastNewsList": items, "total": len(items), "size": len(items),
        "index": 1, "sortEnd": items[-1]["code"] if items else ""}}


def columns(stories: Iterable[Story], base: str) -> Any:
    items = [{"code": s.code, "title": s.title, "summary": s.summary,
              "showTime": s.showtime, "mediaName": s.media, "image": "",
              "url": page_url(base, s), "uniqueUrl": page_url(base, s),
              "Np_dst": ""} for s in stories]
    return {"code": "1", "message": "success", "data": {"list": items}}


def zhibo(stories: Iterable[Story], base: str) -> Any:
    items = []
    for s in stories:
        ext = {"docurl": page_url(base, s), "docid": s.code,
               "stocks": [{"market": m, "symbol": c, "key": n} for m, c, n in s.stocks]}
        items.append({
            "id": s.zhibo_id, "zhibo_id": 152, "rich_text": f"【{s.title}】{s.summary}",
            "create_time": s.showtime, "creator": "editor@example.com",
            "docurl": page_url(base, s), "multimedia": "", "is_top": 0,
            "tag": [{"id": "10", "name": "A股"}],
            "ext": json.dumps(ext, ensure_ascii=False)})
    return {"result": {"status": {"code": 0, "msg": "OK"},
                       "data": {"feed": {"list": items}}}}


def fulltext(story: Story, field: str) -> Any:
    """A full-text answer: the body at ``field`` (``content``, ``text`` or ``news.body``)."""
    if field == "news.body":
        return {"news": {"body": story.body_html, "title": story.title}}
    return {field: story.body_html, "title": story.title}


def article_page(story: Story) -> str:
    return (f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(story.title)}</title></head><body><h1>{escape(story.title)}"
            f"</h1><div id=\"ContentBody\">{story.body_html}</div></body></html>")


def news_url(base: str, story: Story) -> str:
    return f"{base}/news/{story.code}.html"


def news_page(story: Story, related: Iterable[Story], base: str) -> str:
    """A story's page the way Chinese news sites lay one out: the article in
    nested divs among navigation, an advertisement, related news, comments
    and a footer, for sources that must take the text from the page."""
    links = "".join(f'<li><a href="{news_url(base, s)}">{escape(s.title)}</a>'
                    f"<span>{s.published:%m-%d}</span></li>" for s in related)
    when = f"{story.published:%Y年%m月%d日 %H:%M}"
    return (
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(story.title)}_示例财经网</title>"
        "<script>var _hmt = _hmt || [];</script></head><body>"
        "<div class=\"topnav\"><ul><li><a href=\"/\">首页</a></li><li><a href=\"/\">"
        "国内经济</a></li><li><a href=\"/\">证券要闻</a></li><li><a href=\"/\">上市公司"
        "</a></li></ul></div>"
        "<div class=\"main\"><div class=\"contentwrap\"><div class=\"mainleft\">"
        "<div class=\"crumbs\"><a href=\"/\">财经频道</a> &gt; 正文</div>"
        f"<div class=\"newsContent\"><h1>{escape(story.title)}</h1>"
        f"<div class=\"infos\"><div class=\"item\">{when}</div><div class=\"item\">"
        f"来源：{escape(story.media)}</div></div>"
        f"<div class=\"txtinfos\" id=\"ContentBody\"><div class=\"article-body\">"
        f"{story.body_html}</div></div>"
        "<div class=\"res-edit\">责任编辑：示例编辑</div>"
        "<div class=\"ad\"><a href=\"https://ad.example.com/click\"><img src=\""
        "https://ad.example.com/banner.jpg\" alt=\"广告\"></a>开户即送行情大礼包</div>"
        "<div class=\"disclaimer\">郑重声明：本网发布此信息的目的在于传播更多信息，"
        "与本站立场无关。</div></div>"
        f"<div class=\"relevant\"><div class=\"title\">相关新闻</div><ul>{links}</ul></div>"
        "<div id=\"comment\" class=\"comment-wrap\"><div class=\"title\">股友评论</div>"
        "<div class=\"comment-item\"><div class=\"user\">股民甲</div><div class=\"txt\">"
        "业绩不错，明天应该能涨一波。</div></div><div class=\"comment-item\"><div class="
        "\"user\">老韭菜</div><div class=\"txt\">别高兴太早，利好出尽是利空。</div></div>"
        "</div></div><div class=\"mainright\"><div class=\"hotnews\"><div class=\"title\">"
        "热门排行</div><ol><li><a href=\"/\">央行：保持流动性合理充裕</a></li></ol></div>"
        "</div></div></div><div class=\"footer\"><p>关于我们 | 联系我们 | 免责声明</p>"
        "<p>Copyright 示例财经网 版权所有</p></div></body></html>")


def summary_rss(stories: Iterable[Story], base: str) -> str:
    """An RSS feed of summaries only: the text is on each story's page."""
    items = "".join(
        f"<item><title>{escape(s.title)}</title><link>{news_url(base, s)}</link>"
        f"<guid isPermaLink=\"false\">news-{s.code}</guid>"
        f"<pubDate>{format_datetime(s.published)}</pubDate>"
        f"<author>{escape(s.media)}</author>"
        f"<description>{escape(s.summary)}</description></item>" for s in stories)
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>"
            f"<title>示例财经网·摘要</title><link>{base}/</link>"
            f"<description>只有摘要的示例新闻源</description>{items}</channel></rss>")


def rss(stories: Iterable[Story], base: str) -> str:
    items = []
    for s in stories:
        items.append(
            f"<item><title>{escape(s.title)}</title><link>{page_url(base, s)}</link>"
            f"<guid isPermaLink=\"false\">{s.code}</guid>"
            f"<pubDate>{format_datetime(s.published)}</pubDate>"
            f"<author>{escape(s.media)}</author><category>{escape(s.media)}</category>"
            f"<description>{escape(s.summary)}</description>"
            f"<content:encoded><![CDATA[{s.body_html}]]></content:encoded></item>")
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" "
            "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>"
            f"<title>示例财经快讯</title><link>{base}/</link>"
            f"<description>本地示例新闻源</description>{''.join(items)}</channel></rss>")


def atom(stories: Iterable[Story], base: str) -> str:
    stories = list(stories)
    updated = stories[0].published.astimezone(timezone.utc).isoformat() if stories else \
        "2024-01-01T00:00:00+00:00"
    entries = []
    for s in stories:
        entries.append(
            f"<entry><id>urn:finews-demo:{s.code}</id><title>{escape(s.title)}</title>"
            f"<link href=\"{page_url(base, s)}\"/><published>{s.published.isoformat()}"
            f"</published><updated>{s.published.isoformat()}</updated>"
            f"<author><name>{escape(s.media)}</name></author>"
            f"<category term={quoteattr(s.media)}/>"
            f"<summary>{escape(s.summary)}</summary>"
            f"<content type=\"html\">{escape(s.body_html)}</content></entry>")
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/"
            f"2005/Atom\"><title>示例财经要闻</title><id>{base}/feed/atom.xml</id>"
            f"<updated>{updated}</updated><link href=\"{base}/\"/>{''.join(entries)}</feed>")


LISTS: dict[str, Shape] = {
    "rolling": rolling, "media": media, "market": market,
    "fast": fast, "columns": columns, "zhibo": zhibo,
}
