"""Each list's copy of a story, read back from the kept payload."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from finews.model import Article
from finews.original.listed import listed_copy

CST = timezone(timedelta(hours=8))


def article(shape: str | None) -> Article:
    return Article(source="s", upstream_id="7", title="处理后的标题",
                   published=datetime(2022, 3, 1, 9, 30, tzinfo=CST), media="示例日报",
                   body_html="<p>处理后的正文</p>", digest="处理后的摘要", shape=shape,
                   url="http://finance.example/a/7.html")


def envelope(item: dict, fulltext: dict | None = None, body: str | None = None) -> bytes:
    value = {"item": json.dumps(item, ensure_ascii=False)}
    if fulltext is not None:
        value["fulltext"] = json.dumps(fulltext, ensure_ascii=False)
    if body is not None:
        value["body"] = body
    return json.dumps(value, ensure_ascii=False).encode()


def test_the_rolling_lists_own_fields_and_body():
    item = {"title": "原标题", "digest": "【原标题】正文摘要", "url_w": "http://x.example/7"}
    copy = listed_copy(article("rolling"), envelope(item, {"content": "<p>　　原文</p>"}))
    assert (copy.title, copy.digest, copy.link) == ("原标题", "正文摘要", "http://x.example/7")
    assert copy.body == "<p>原文</p>" and copy.received


def test_the_body_as_received_wins_over_the_full_text_answer():
    copy = listed_copy(article("media"), envelope({"title": "原标题"}, {"text": "<p>旧</p>"},
                                                  body="<p>　　收到的正文</p>"))
    assert copy.body == "<p>收到的正文</p>" and copy.shape == "media"


def test_without_a_kept_payload_the_processed_story_is_used():
    for payload in (b"", b"{}", b"not json", envelope({"title": 5})):
        copy = listed_copy(article("market"), payload)
        assert (copy.title, copy.body, copy.received) == ("处理后的标题", "<p>处理后的正文</p>",
                                                          False)
    other = listed_copy(article(None), envelope({"title": "x"}, body="<p>y</p>"))
    assert other.shape == "media" and other.body == "<p>处理后的正文</p>"
