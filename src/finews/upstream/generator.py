"""Deterministic invented Chinese financial news, for the demo upstream.

The same seed gives the same stories in the same order, so tests can rely on
what the local upstream serves. Text is composed from the word lists in
``words``; bodies carry East Money's stock markup the way real bodies do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape

from . import words

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

#: The lists a story can be carried by.
LISTS = ("rolling", "media", "market", "fast", "columns", "zhibo")
_WEIGHTS = (25, 25, 15, 15, 10, 10)
FLASH_LISTS = ("fast", "zhibo")


@dataclass(frozen=True, slots=True)
class Story:
    seq: int                                  # 1-based order of creation
    code: str                                 # 18 digits: YYYYMMDD + 10
    title: str
    summary: str                              # plain text
    body_html: str
    media: str
    published: datetime                       # aware, China time
    stocks: tuple[tuple[str, str, str], ...]  # (market, code, name)
    lists: tuple[str, ...]                    # where it appears; two for a duplicate
    market_type: str                          # "37", "38" or "39" for market news

    @property
    def info_code(self) -> str:
        return f"NW{self.code}"

    @property
    def zhibo_id(self) -> int:
        return 3_000_000 + self.seq

    @property
    def showtime(self) -> str:
        return self.published.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")

    @property
    def stock_ids(self) -> tuple[str, ...]:
        return tuple(f"{market}.{code}" for market, code, _ in self.stocks)


def stock_markup(market: str, code: str, name: str, bare: bool = False) -> str:
    """East Money's stock link, in its full or bare form."""
    link = f"http://quote.eastmoney.com/unify/r/{market}.{code}"
    if bare:
        return (f'<span web="1" href="{link}" class="em_stock_key_common" '
                f'data-code="{market},{code}">{name}</span>')
    return (f'<span id="stock_{market}.{code}"><a href="{link}" class="keytip" '
            f'data-code="{market},{code}">{name}</a></span>'
            f'<span id="quote_{market}.{code}"></span>')


def fill(rng: random.Random, template: str, company: tuple[str, str, str]) -> str:
    """A title or sentence template filled with words drawn from ``rng``."""
    return template.format(
        company=company[2], org=rng.choice(words.ORGS), sector=rng.choice(words.SECTORS),
        action=rng.choice(words.ACTIONS), topic=rng.choice(words.TOPICS),
        move=rng.choice(words.MOVES), place=rng.choice(words.PLACES),
        amount=rng.choice(words.AMOUNTS))


class StoryGenerator:
    """Makes stories one at a time from a seeded random source."""

    def __init__(self, seed: int = 1) -> None:
        self._rng = random.Random(seed)
        self._seq = 0

    def _fill(self, template: str, company: tuple[str, str, str]) -> str:
        return fill(self._rng, template, company)

    def _title(self, company: tuple[str, str, str]) -> str:
        for _ in range(20):
            title = self._fill(self._rng.choice(words.TITLES), company)
            if 8 <= len(title) <= 30:
                return title
        return (title + "最新进展")[:30]

    def _paragraphs(self, companies: list[tuple[str, str, str]], count: int) -> list[str]:
        r = self._rng
        paragraphs = []
        for _ in range(count):
            sentences = [self._fill(r.choice(words.SENTENCES), r.choice(companies))
                         for _ in range(r.randint(1, 3))]
            paragraphs.append("".join(sentences))
        return paragraphs

    def _body(self, paragraphs: list[str], companies: list[tuple[str, str, str]],
              media: str) -> str:
        r = self._rng
        indent = "\u3000\u3000" if r.random() < 0.3 else ""
        parts = []
        for text in paragraphs:
            html = escape(text, quote=False)
            for market, code, name in companies:
                if name in html and r.random() < 0.6:
                    html = html.replace(name, stock_markup(market, code, name,
                                                           bare=r.random() < 0.3), 1)
            parts.append(f"<p>{indent}{html}</p>")
        if r.random() < 0.2:
            market, code, name = companies[0]
            parts.insert(1, f'<!-- EM_StockImg_Start --><center><a href="http://quote.'
                            f'eastmoney.com/unify/r/{market}.{code}"><img src="http://'
                            f'webquotepic.eastmoney.com/GetPic.aspx?nid={market}.{code}'
                            f'&imageType=k" alt="{name}"></a></center>'
                            "<!-- EM_StockImg_End -->")
        parts.append(f'<p class="em_media">（文章来源：{escape(media)}）</p>')
        return "\n".join(parts)

    def _lists(self) -> tuple[tuple[str, ...], str]:
        r = self._rng
        primary = r.choices(LISTS, weights=_WEIGHTS)[0]
        lists: tuple[str, ...] = (primary,)
        # Like the original's duplicates: one story in both rolling and per-media lists.
        if primary in ("rolling", "media") and r.random() < 0.2:
            lists = ("rolling", "media")
        return lists, r.choice(("37", "38", "39"))

    def make(self, when: datetime) -> Story:
        """The next story, published at ``when``."""
        r = self._rng
        self._seq += 1
        lists, market_type = self._lists()
        companies = r.sample(words.COMPANIES, r.randint(1, 3))
        media = r.choice(words.MEDIA)
        flash = lists[0] in FLASH_LISTS
        paragraphs = self._paragraphs(companies, 1 if flash else r.randint(2, 8))
        title = self._title(companies[0])
        summary = paragraphs[0][:120]
        local = when.astimezone(CHINA)
        code = f"{local:%Y%m%d}{2_000_000_000 + self._seq * 1000 + r.randrange(1000):010d}"
        return Story(
            seq=self._seq, code=code, title=title, summary=summary,
            body_html=self._body(paragraphs, companies, media), media=media,
            published=local.replace(microsecond=0), stocks=tuple(companies), lists=lists,
            market_type=market_type)

    def batch(self, count: int, end: datetime, step: timedelta) -> list[Story]:
        """``count`` stories, oldest first, the last published at ``end``."""
        return [self.make(end - step * (count - 1 - i)) for i in range(count)]


def hostile_story(when: datetime) -> Story:
    """An item an attacker could serve: markup, quotes and path tricks in every field."""
    body = ('<p>正文<script>alert("x")</script><img src=x onerror="alert(1)">'
            '<a href="javascript:alert(2)">链接</a></p><iframe src="http://evil.example/">'
            '</iframe><p style="display:none">隐藏</p>')
    return Story(
        seq=0, code="../../etc/passwd", title='<script>alert(1)</script>"标题"：“引号”\n---',
        summary="【<b>头条</b>】摘要 {{ site.title }} {% raw %}", body_html=body,
        media="<b>坏媒体</b>/../x", published=when.astimezone(CHINA).replace(microsecond=0),
        stocks=(("1", "600000\"><script>", "<i>股</i>"),), lists=LISTS, market_type="37")
