"""A deterministic benchmark corpus, written three ways.

``stories(n, seed)`` invents ``n`` Chinese financial stories from the demo
upstream's word lists: titles of 8–30 characters (some with quotes and
colons), 5–20 paragraphs of 40–200 characters, East Money stock markup in
some bodies, about 2,000 outlets drawn with a Zipf-like skew, times spread
over 90 days. The same seed always gives the same stories.

``write_posts`` writes them as original finews posts (the input of
``finews import``), ``write_jekyll`` and ``write_hugo`` as sites whose
minimal templates produce the same page set: home, a page per category
listing its stories, a page per story, a feed.
"""

from __future__ import annotations

import bisect
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape
from itertools import accumulate
from pathlib import Path
from typing import Iterable, Iterator

from finews.process.slug import media_slug
from finews.upstream import words
from finews.upstream.generator import fill, stock_markup

CHINA = timezone(timedelta(hours=8))
#: The corpus ends here; fixed so that every run writes the same files.
END = datetime(2024, 6, 28, 15, 0, tzinfo=CHINA)
SPAN = timedelta(days=90)
MEDIA_COUNT = 2000
SHARE_HOST = "finance.eastmoney.com"
SITE_HOST = "127.0.0.1:8000"

_PLACES = ("北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "重庆", "武汉", "西安",
           "天津", "苏州", "青岛", "大连", "厦门", "宁波", "长沙", "郑州", "济南", "合肥",
           "福州", "昆明", "南宁", "贵阳", "兰州", "太原", "沈阳", "长春", "南昌", "海口",
           "珠海", "佛山", "东莞", "无锡", "温州", "烟台", "徐州", "洛阳", "泉州", "常州")
_KINDS = ("", "财经", "经济", "金融", "证券", "商业", "科技", "产经")
_SUFFIXES = ("日报", "晚报", "商报", "时报", "网", "周刊", "新闻", "早报", "导报", "观察")


@dataclass(frozen=True, slots=True)
class Story:
    code: str            # NW + 18 digits, the post id
    title: str
    published: datetime  # aware, China time, whole seconds
    media: str
    slug: str            # the category slug (pinyin of the media name)
    body_html: str

    @property
    def date_text(self) -> str:
        return self.published.strftime("%Y-%m-%d %H:%M:%S +0800")


def media_names(count: int = MEDIA_COUNT) -> list[tuple[str, str]]:
    """``count`` distinct outlets as (name, unique slug), busiest first."""
    names = list(dict.fromkeys(
        [*words.MEDIA] + [p + k + s for p in _PLACES for k in _KINDS for s in _SUFFIXES]))
    random.Random(7).shuffle(names)
    out, used = [], set()
    for name in names[:count]:
        slug, n = media_slug(name), 1
        while slug in used:
            n += 1
            slug = f"{media_slug(name)}-{n}"
        used.add(slug)
        out.append((name, slug))
    return out


class _Writer:
    """The random choices behind one corpus; one instance per (n, seed)."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.media = media_names()
        self.cum = list(accumulate(1.0 / rank for rank in range(1, len(self.media) + 1)))

    def fill(self, template: str, company: tuple[str, str, str]) -> str:
        return fill(self.r, template, company)

    def title(self, company: tuple[str, str, str]) -> str:
        title = ""
        for _ in range(20):
            title = self.fill(self.r.choice(words.TITLES), company)
            if 8 <= len(title) <= 30:
                return title
        return (title + "最新进展")[:30]

    def paragraph(self, companies: list, marked: bool) -> str:
        r = self.r
        target = r.randint(40, 200)
        text = ""
        while len(text) < target:
            text += self.fill(r.choice(words.SENTENCES), r.choice(companies))
        html = escape(text[:target], quote=False)
        if marked:
            for market, code, name in companies:
                if name in html and r.random() < 0.6:
                    html = html.replace(name, stock_markup(market, code, name,
                                                           bare=r.random() < 0.3), 1)
        return f"<p>{html}</p>"

    def story(self, index: int, published: datetime) -> Story:
        r = self.r
        companies = r.sample(words.COMPANIES, r.randint(1, 3))
        name, slug = self.media[bisect.bisect_left(self.cum, r.random() * self.cum[-1])]
        marked = r.random() < 0.3
        body = "\n".join(self.paragraph(companies, marked) for _ in range(r.randint(5, 20)))
        code = f"NW{published:%Y%m%d}{index:010d}"
        return Story(code, self.title(companies[0]), published, name, slug, body)


def stories(n: int, seed: int = 1, *, end: datetime = END,
            span: timedelta = SPAN) -> Iterator[Story]:
    """``n`` stories, oldest first, the same for the same arguments."""
    w = _Writer(seed)
    offsets = sorted(w.r.randrange(int(span.total_seconds())) for _ in range(n))
    start = end - span
    for index, offset in enumerate(offsets, 1):
        yield w.story(index + seed * 10_000_000, start + timedelta(seconds=offset))


# --- the three shapes -----------------------------------------------------------

def post_text(s: Story) -> str:
    """A per-media post exactly as the original finews wrote it."""
    return ("---\nlayout: post\n"
            f"title: {json.dumps(s.title, ensure_ascii=False)}\n"
            f"date: {s.date_text}\ncategories: {s.slug}\ntags: {s.media}新闻\n---\n"
            f"{s.body_html}\n\n"
            f"<http://{SHARE_HOST}/html_News/NewsShare.html?infoCode={s.code}>\n\n"
            f"[返回{s.media}新闻](//{SITE_HOST}/category/{s.slug}.html)｜"
            f"[返回首页](//{SITE_HOST}/)")


def post_name(s: Story) -> str:
    return f"{s.published:%Y-%m-%d}-{s.code}.md"


def write_posts(items: Iterable[Story], folder: Path) -> int:
    """Original-shaped posts into ``folder`` (a ``_posts`` folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for s in items:
        (folder / post_name(s)).write_text(post_text(s), encoding="utf-8")
        n += 1
    return n


def hugo_text(s: Story) -> str:
    return ("---\n"
            f"title: {json.dumps(s.title, ensure_ascii=False)}\n"
            f"date: {s.published.isoformat()}\n"
            f"categories: [{json.dumps(s.slug)}]\n"
            f"media: {json.dumps(s.media, ensure_ascii=False)}\n"
            f"slug: {json.dumps(s.code)}\n---\n{s.body_html}\n")


def write_hugo_posts(items: Iterable[Story], site: Path) -> int:
    folder = site / "content" / "posts"
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for s in items:
        (folder / f"{s.code}.md").write_text(hugo_text(s), encoding="utf-8")
        n += 1
    return n


def write_corpus(n: int, root: Path, seed: int = 1) -> dict[str, Path]:
    """The corpus of ``n`` stories in all three shapes below ``root``."""
    from .sites import hugo_skeleton, jekyll_categories, jekyll_skeleton

    posts = root / "posts" / "_posts"
    jekyll, hugo = root / "jekyll", root / "hugo"
    jekyll_skeleton(jekyll)
    hugo_skeleton(hugo)
    (jekyll / "_posts").mkdir(parents=True, exist_ok=True)
    posts.mkdir(parents=True, exist_ok=True)
    (hugo / "content" / "posts").mkdir(parents=True, exist_ok=True)
    used: dict[str, str] = {}
    for s in stories(n, seed):
        text = post_text(s)
        (posts / post_name(s)).write_text(text, encoding="utf-8")
        (jekyll / "_posts" / post_name(s)).write_text(text, encoding="utf-8")
        (hugo / "content" / "posts" / f"{s.code}.md").write_text(hugo_text(s), encoding="utf-8")
        used[s.slug] = s.media
    jekyll_categories(jekyll, used)
    return {"posts": posts, "jekyll": jekyll, "hugo": hugo}
