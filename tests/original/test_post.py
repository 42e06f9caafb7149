from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finews.errors import ImportFormatError
from finews.original.post import parse_post, render_post

from . import original_samples as samples
from .original_samples import BAD, GOOD


@pytest.mark.parametrize("name,folder,text", GOOD)
@pytest.mark.parametrize("variant", ["as-is", "bom", "crlf", "no-final-newline", "lead-blank"])
def test_parse_render_is_byte_exact(name, folder, text, variant):
    data = {"as-is": text.encode(),
            "bom": b"\xef\xbb\xbf" + text.encode(),
            "crlf": text.replace("\r\n", "\n").replace("\n", "\r\n").encode(),
            "no-final-newline": text.rstrip("\r\n").encode(),
            "lead-blank": ("\n" + text).encode()}[variant]
    post = parse_post(name, data, folder=folder)
    assert render_post(post) == data
    assert post.file_name == name and post.folder == folder


@pytest.mark.parametrize("text,shape,title,digest,link,site,share", [
    (samples.MEDIA, "media", "新区一季度重点项目建设提速", None,
     "http://share.example/html_News/NewsShare.html?infoCode=NW202203010000000001",
     "news.example", "share.example"),
    (samples.ROLLING, "rolling", "央行开展逆回购操作", "央行今日开展100亿元逆回购操作。",
     "http://finance.example/a/202203022000000001.html", "news.example", "finance.example"),
    (samples.EARLY, "early", "早期快讯", "【早期快讯】市场今日开盘平稳。",
     "http://finance.example/a/1.html", None, "finance.example"),
    (samples.ROLLING_RELATIVE, "rolling", "相对链接", "摘要。", "", None, None),
    (samples.TWO_LINES, "media", "两行返回", None, "https://share.example/x",
     "news.example", "share.example"),
    (samples.QUOTE_TITLE, "media", '他说"你好"再见', None, "http://s.example/z",
     "news.example", "s.example"),
    (samples.EMPTY_TITLE, "rolling", "", "【空标题快讯】内容在此。", "", "news.example", None),
])
def test_parts(text, shape, title, digest, link, site, share):
    post = parse_post("x.md", text.encode(), folder="_posts")
    assert post.shape == shape
    assert post.title == title
    assert post.body.digest == digest
    assert post.body.link == link
    assert post.site_host == site
    assert post.share_host == share


def test_media_parts_in_detail():
    post = parse_post("x.md", samples.MEDIA.encode(), folder="_posts")
    assert (post.layout, post.date, post.categories, post.tags) == (
        "post", "2022-03-01 09:30:00 +0800", "shijiribao", "示例日报新闻")
    assert post.body.html.startswith("<p>新区") and post.body.html.endswith("示例日报）</p>")
    assert post.body.back_links == ("[返回示例日报新闻](//news.example/category/shijiribao.html)"
                                    "｜[返回首页](//news.example/)")


def test_two_line_back_links_kept_raw():
    post = parse_post("x.md", samples.TWO_LINES.encode(), folder="_posts")
    assert post.body.back_links == ("[返回TechWeb新闻](http://news.example/category/TechWeb.html)"
                                    "\r\n[返回首页](http://news.example/)")
    assert post.lead == "\n"


@pytest.mark.parametrize("name,folder,data", BAD[1:])
def test_broken_files_raise_import_format_error(name, folder, data):
    with pytest.raises(ImportFormatError) as info:
        parse_post(name, data, folder=folder)
    assert name in str(info.value)


def test_with_front_line_changes_only_that_line():
    post = parse_post("x.md", samples.QUOTE_TITLE.encode(), folder="_posts")
    fixed = post.with_front_line("title", 'title: "他说\\"你好\\"再见"')
    assert render_post(fixed) == samples.QUOTE_TITLE.replace(
        '"他说"你好"再见"', '"他说\\"你好\\"再见"').encode()


# --- property: generated posts of every shape round-trip exactly -------------

_QUOTES = st.sampled_from(['"', "'", "“", "”", "‘", "’", "「", "」", "\\", ":", "#", " "])
_HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
_title = st.lists(st.one_of(_HAN, _QUOTES, st.sampled_from("AbZ09 -")), max_size=30).map("".join)
_media = st.one_of(st.lists(_HAN, min_size=1, max_size=6).map("".join),
                   st.sampled_from(["TechWeb", "Techweb", "21世纪经济报道 21财经APP", "e公司"]))
_para = st.lists(st.one_of(_HAN, st.sampled_from("，。　 ")), min_size=1, max_size=40).map("".join)
_body = st.one_of(
    _para.map(lambda p: f"<p>{p}</p>"),
    st.just(samples.EM_BODY),
    st.lists(_para, min_size=1, max_size=3).map(lambda ps: "\n".join(f"<p>{p}</p>" for p in ps)),
)


@st.composite
def posts(draw) -> bytes:
    shape = draw(st.sampled_from(["early", "rolling", "media"]))
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    title, media, body = draw(_title), draw(_media), draw(_body)
    zone = "" if shape == "early" else " +0800"
    cat = "emnews" if shape != "media" else "x" + str(draw(st.integers(0, 99)))
    tag = "东财滚动新闻" if shape != "media" else media + "新闻"
    front = [ "---", "layout: post", f'title: "{title}"', f"date: 2022-03-01 09:30:00{zone}",
             f"categories: {cat}", f"tags: {tag}", "---"]
    link = draw(st.sampled_from(["", "http://share.example/a?infoCode=NW1", "//s.example/b"]))
    host = draw(st.sampled_from(["//news.example", "http://news.example", ".."]))
    if shape == "early":
        parts = ["", draw(_para), "", f"<{link}>"]
    elif shape == "rolling":
        parts = [f"> {draw(_para)}", "", body, "", f"<{link}>", "", f"[返回东财滚动新闻]({host}/emnews/)"]
    else:
        sep = draw(st.sampled_from(["｜", nl]))
        parts = [body, "", f"<{link}>", "",
                 f"[返回{tag}]({host}/category/{cat}.html){sep}[返回首页]({host}/)"]
    text = nl.join(front + parts) + draw(st.sampled_from(["", nl]))
    if draw(st.booleans()):
        text = nl + text
    return text.encode()


@settings(max_examples=200, deadline=None)
@given(posts())
def test_generated_posts_round_trip(data):
    post = parse_post("2022-03-01-NW1.md", data, folder="_posts")
    assert render_post(post) == data
    assert post.categories is not None and post.tags is not None
