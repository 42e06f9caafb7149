"""A labelled set of story pairs for near-duplicate detection, made deterministically.

Positives are re-publications (``finews.upstream.republish``): a re-worded
title, the body trimmed at the end, another by-line, other markup, some in
traditional characters. Hard negatives are different news that looks alike:

* ``same-company``: two stories whose main company is the same, on the same
  day (the generator writes from a small phrase book, so they share most of
  their wording: harder than real news);
* ``same-title-shape``: two stories whose titles come from one template
  (e.g. "{company}：拟{action}{amount}") on the same day;
* ``edited-other``: a re-publication of story A paired with story B of the
  same company (a re-worded copy must not join the wrong story either).

Pairs whose two texts are identical once markup is dropped are left out of
the negatives: such a pair is a duplicate whatever the labels say.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from finews.process.text import html_to_text
from finews.upstream.generator import Story, StoryGenerator
from finews.upstream.republish import republish

START = datetime(2024, 3, 4, 1, 0, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Text:
    title: str
    body: str          # plain text, as clustering reads a stored story
    media: str
    published: datetime


@dataclass(frozen=True, slots=True)
class Pair:
    a: Text
    b: Text
    same: bool
    kind: str


def _text(story: Story) -> Text:
    return Text(story.title, html_to_text(story.body_html), story.media, story.published)


def stories(count: int, seed: int) -> list[Story]:
    """``count`` generated stories over about three days."""
    gen = StoryGenerator(seed)
    return [gen.make(START + timedelta(minutes=5 * i)) for i in range(count)]


def labelled_pairs(seed: int = 3, originals: int = 600) -> list[Pair]:
    rng = random.Random(seed)
    base = stories(originals, seed)
    pairs: list[Pair] = []
    copies: list[tuple[Story, Story]] = []
    for i, story in enumerate(base):
        copy = republish(story, rng, seq=100_000 + i,
                         delay=timedelta(minutes=rng.randint(1, 600)), traditional=0.15)
        copies.append((story, copy))
        pairs.append(Pair(_text(story), _text(copy), True, "re-publication"))
    by_company_day: dict[tuple[str, object], list[Story]] = {}
    by_template_day: dict[tuple[str, object], list[Story]] = {}
    for story in base:
        day = story.published.date()
        by_company_day.setdefault((story.stocks[0][1], day), []).append(story)
        shape = story.title.replace(story.stocks[0][2], "{c}")[:4]
        by_template_day.setdefault((shape, day), []).append(story)
    seen: set[tuple[int, int]] = set()

    def negative(x: Story, y: Story, kind: str, xt: Text | None = None) -> None:
        key = (min(x.seq, y.seq), max(x.seq, y.seq), kind)
        if x.seq == y.seq or key in seen:
            return
        seen.add(key)
        a, b = xt or _text(x), _text(y)
        if (a.title, _core(a.body)) == (b.title, _core(b.body)):
            return
        pairs.append(Pair(a, b, False, kind))

    for group in by_company_day.values():
        for x, y in zip(group, group[1:]):
            negative(x, y, "same-company")
    for group in by_template_day.values():
        for x, y in zip(group, group[2:]):
            negative(x, y, "same-title-shape")
    for story, copy in copies:
        for other in by_company_day[(story.stocks[0][1], story.published.date())][:2]:
            if other.seq != story.seq:
                negative(copy, other, "edited-other", _text(copy))
    return pairs


def _core(body: str) -> str:
    return "\n".join(line for line in body.splitlines() if "文章来源" not in line)
