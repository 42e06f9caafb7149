"""Re-publications: the same news as another outlet prints it.

Outlets re-print each other's stories with edits: a re-worded title (a
prefix such as 【快讯】, synonyms, the clauses turned round), the body
trimmed at the end, a by-line or an editor's name added, the stock links
dropped or the markup another shape, and now and then the whole story in
traditional characters (a Hong Kong outlet). The demo upstream serves such
copies so that finews's clustering has something to find, and the labelled
pairs in ``benchmarks/clusters`` are made with the same edits.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import timedelta
from html import escape

from . import words
from .generator import Story

_TITLE_SYNONYMS = (("拟", "计划"), ("发布", "公布"), ("表示", "称"), ("持续", "继续"),
                   ("将", "要"), ("回应", "回复"), ("最新", "新"), ("关注", "留意"),
                   ("方案出炉", "方案公布"), ("表现抢眼", "表现亮眼"), ("领涨", "涨幅居前"))
_BODY_SYNONYMS = (("公告称", "发布公告称"), ("表示", "指出"), ("数据显示", "统计显示"),
                  ("业内人士认为", "有业内人士认为"), ("截至收盘", "截至当日收盘"),
                  ("预计", "预期"))
_PREFIXES = ("【快讯】", "快讯：", "重磅！", "刚刚，", "突发！", "")
_EDITORS = ("张明", "李华", "王芳", "陈静", "刘洋")
_TAG = re.compile(r"<[^>]+>")
_PARAGRAPH = re.compile(r"<p[^>]*>(.*?)</p>", re.DOTALL)


def _swap(text: str, table: tuple[tuple[str, str], ...], rng: random.Random, share: float) -> str:
    for old, new in table:
        if old in text and rng.random() < share:
            text = text.replace(old, new)
    return text


def reword_title(title: str, rng: random.Random) -> str:
    """The title as another desk would write it."""
    out = _swap(title, _TITLE_SYNONYMS, rng, 0.7)
    if "：" in out and rng.random() < 0.4:       # "A：B" → "B，A"
        head, _, tail = out.partition("：")
        out = f"{tail}，{head}"
    elif rng.random() < 0.3:
        out = out.replace("：", "，")
    if out == title or rng.random() < 0.5:
        out = rng.choice(_PREFIXES) + out
    if out == title:
        out = out + "（附全文）"
    return out


def _paragraphs(body_html: str) -> list[str]:
    """The body's paragraphs as plain text, without the source line."""
    texts = [_TAG.sub("", p) for p in _PARAGRAPH.findall(body_html)]
    return [t.replace("&amp;", "&").strip() for t in texts
            if t.strip() and "文章来源" not in t]


def rewrite_body(story: Story, media: str, rng: random.Random) -> str:
    """The body as ``media`` prints it: trimmed, re-marked, signed."""
    paragraphs = _paragraphs(story.body_html) or [story.summary]
    if len(paragraphs) > 2 and rng.random() < 0.7:     # trimmed at the end
        paragraphs = paragraphs[:rng.randint(max(2, len(paragraphs) // 2), len(paragraphs) - 1)]
    paragraphs = [_swap(p, _BODY_SYNONYMS, rng, 0.3) for p in paragraphs]
    if rng.random() < 0.5:
        paragraphs[0] = f"据{story.media}报道，" + paragraphs[0]
    if rng.random() < 0.4:
        paragraphs.append(f"（责任编辑：{rng.choice(_EDITORS)}）")
    if rng.random() < 0.5:     # one block with line breaks instead of paragraphs
        html = "<div class=\"content\">" + "<br>\n".join(
            escape(p, quote=False) for p in paragraphs) + "</div>"
    else:
        html = "\n".join(f"<p>\u3000\u3000{escape(p, quote=False)}</p>" for p in paragraphs)
    return html + f'\n<p class="em_media">（文章来源：{escape(media)}）</p>'


def republish(story: Story, rng: random.Random, *, seq: int, delay: timedelta,
              traditional: float = 0.1) -> Story:
    """A re-worded copy of ``story`` by another outlet, ``delay`` later."""
    media = rng.choice([m for m in words.MEDIA if m != story.media])
    title = reword_title(story.title, rng)
    body = rewrite_body(story, media, rng)
    summary = _TAG.sub("", body)[:120]
    if rng.random() < traditional:
        from opencc import OpenCC
        convert = OpenCC("s2t").convert
        title, body, summary = convert(title), convert(body), convert(summary)
    published = story.published + delay
    code = f"{published:%Y%m%d}{3_000_000_000 + seq * 1000 + rng.randrange(1000):010d}"
    return replace(story, seq=seq, code=code, title=title, summary=summary, body_html=body,
                   media=media, published=published, lists=story.lists[:1])
