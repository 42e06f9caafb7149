from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from finews.errors import ImportFormatError
from finews.original.convert import SOURCE_NEWS, SOURCE_ROLLING, post_to_article
from finews.original.frontmatter import format_date, parse_date, yaml_quote
from finews.original.post import parse_post
from finews.process.sanitise import is_safe_html

from . import original_samples as samples

CHINA = ZoneInfo("Asia/Shanghai")
CST = timezone(timedelta(hours=8))


def convert(name: str, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return post_to_article(parse_post(name, data, folder="_posts"), tz=CHINA)


@pytest.mark.parametrize("name,text,source,upstream_id,media,slug,shape,published", [
    ("2022-03-01-NW202203010000000001.md", samples.MEDIA, SOURCE_NEWS,
     "NW202203010000000001", "示例日报", "shijiribao", "media",
     datetime(2022, 3, 1, 9, 30, tzinfo=CST)),
    ("2022-03-02-202203022000000001.md", samples.ROLLING, SOURCE_ROLLING,
     "202203022000000001", "东财滚动新闻", "emnews", "rolling",
     datetime(2022, 3, 2, 10, 0, tzinfo=CST)),
    ("2021-12-05-202112050000000001.md", samples.EARLY, SOURCE_ROLLING,
     "202112050000000001", "东财滚动新闻", "emnews", "rolling",
     datetime(2021, 12, 5, 8, 0, tzinfo=CST)),
    ("2022-03-03-NW3.md", samples.SPACE_SLUG, SOURCE_NEWS, "NW3",
     "21世纪经济报道 21财经APP", "21shijijingjibaodao 21caijingAPP", "media",
     datetime(2022, 3, 3, 13, 0, tzinfo=CST)),
    ("2022-02-01-NW2.md", samples.TWO_LINES, SOURCE_NEWS, "NW2", "TechWeb", "TechWeb", "media",
     datetime(2022, 2, 1, 12, 0, tzinfo=CST)),
])
def test_article_fields(name, text, source, upstream_id, media, slug, shape, published):
    article, _ = convert(name, text)
    assert (article.source, article.upstream_id, article.media) == (source, upstream_id, media)
    assert article.category_slug == slug and article.shape == shape
    assert article.published == published and article.published.tzinfo is not None
    assert article.tags == (parse_post(name, text.encode(), folder="_posts").tags,)
    assert article.content_hash == hashlib.sha256(text.encode()).hexdigest()
    assert article.extra["file_name"] == name and article.extra["folder"] == "_posts"
    assert is_safe_html(article.body_html) and article.body_html


def test_media_article_keeps_link_and_hosts():
    article, repairs = convert("2022-03-01-NW1.md", samples.MEDIA)
    assert repairs == []
    assert article.url == "http://share.example/html_News/NewsShare.html?infoCode=NW202203010000000001"
    assert article.extra["site_host"] == "news.example"
    assert article.extra["share_host"] == "share.example"
    assert article.extra["post_shape"] == "media"


def test_early_post_body_is_its_digest():
    article, repairs = convert("2021-12-05-1.md", samples.EARLY)
    assert article.digest == "【早期快讯】市场今日开盘平稳。"
    assert "市场今日开盘平稳" in article.body_html
    assert article.extra["post_shape"] == "early"
    assert any("time zone" in r for r in repairs)


@pytest.mark.parametrize("name,text,field,value,repair", [
    ("2022-03-04-NW4.md", samples.QUOTE_TITLE, "title", '他说"你好"再见', "not valid YAML"),
    ("2022-03-07-NW7.md", samples.EMPTY_TIME, "published",
     datetime(2022, 3, 7, tzinfo=CHINA), "taken from the file name"),
    ("2022-03-05-5.md", samples.EMPTY_TITLE, "title", "空标题快讯", "title empty"),
])
def test_repairs(name, text, field, value, repair):
    article, repairs = convert(name, text)
    assert getattr(article, field) == value
    assert any(repair in r for r in repairs), repairs


@pytest.mark.parametrize("name,text,reason", [
    ("-NW8.md", samples.EMPTY_TIME, "no usable date"),
    ("notapost.md", samples.MEDIA, "not named like"),
    ("2022-03-01-NW1.md", samples.MEDIA.replace("categories: shijiribao\n", ""), "categories"),
    ("2022-03-05-5.md", samples.EMPTY_TITLE.replace("> 【空标题快讯】内容在此。", "")
     .replace("<p>内容在此。</p>", ""), "no title"),
])
def test_unrepairable_posts_raise(name, text, reason):
    with pytest.raises(ImportFormatError, match=reason):
        convert(name, text)


def test_active_content_is_sanitised_in_the_article():
    article, _ = convert("2022-03-06-NW6.md", samples.SCRIPTED)
    assert "script" not in article.body_html and "javascript" not in article.body_html
    assert "onclick" not in article.body_html
    assert is_safe_html(article.body_html)


# --- hostile titles: the front matter we write reads back exactly ---------------

HOSTILE = ['he said "hi"', "it's", '"', "\\", '\\"', "a: b", "# not a comment", "- item",
           "[1, 2]", "{a: b}", "yes", "null", "~", "@at", "`tick`", "%percent", "&anchor",
           "*alias", "!tag", "|", ">", "  padded  ", "tab\there", "line\nbreak", "nel\x85",
           "ls\u2028", "bom\ufeff", "ctl\x01\x7f", "“智能”‘引号’「书名」", "{{ liquid }}", "{% if %}",
           "2022-03-01", "12:30", "0x1F", "1e3", ""]


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_round_trip_through_yaml(title):
    when = datetime(2022, 3, 1, 9, 30, tzinfo=CST)
    front = f"title: {yaml_quote(title)}\ndate: {format_date(when, CHINA)}\n"
    loaded = yaml.safe_load(front)
    assert loaded["title"] == title
    # PyYAML (YAML 1.1) reads the original's "+0800" zone as text; Jekyll's
    # Ruby reads it as a time. Either way it is the same instant.
    assert parse_date(loaded["date"], CHINA) == when


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
def test_any_title_round_trips_through_yaml(title):
    assert yaml.safe_load("title: " + yaml_quote(title))["title"] == title


def test_correct_titles_keep_the_originals_spelling():
    assert yaml_quote("新区一季度重点项目建设提速") == '"新区一季度重点项目建设提速"'
