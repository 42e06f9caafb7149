"""Post files in the original's shape, from stored articles.

Two ways in:

* ``imported_post_bytes`` — a story that came from an original post file:
  its kept bytes, with only the documented safe repairs (front matter made
  valid YAML, active content cut out, Liquid made inert);
* ``new_post_text`` — a story from an upstream list: written the way the
  original would have written it for its ``shape`` (``rolling``, ``media``,
  ``market``; anything else is written as ``media``).
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import datetime, tzinfo

from ..config import SiteSettings
from ..model import StoredArticle
from .convert import ROLLING_SLUG, ROLLING_TAG, TAG_SUFFIX
from .frontmatter import FrontLine, format_date, line_is_valid, parse_date, tolerant_value, yaml_quote
from .post import OriginalPost, parse_post, render_post
from .safety import neutralise_liquid, strip_active

SHARE_PATH = "/html_News/NewsShare.html?infoCode="


def front_value(value: str) -> str:
    """A front matter value as the original wrote it when that is valid YAML."""
    line = FrontLine("k: " + value, "")
    return value if value and value == value.strip() and line_is_valid(line) else yaml_quote(value)


def repair_front(post: OriginalPost, published: datetime, tz: tzinfo) -> tuple[OriginalPost, list[str]]:
    """``post`` with every invalid front matter line rewritten to a correct one.

    Blank lines before the opening fence go too: Jekyll only sees front
    matter on the file's first line, so such a post was never built.
    """
    repairs: list[str] = []
    if post.lead:
        post = replace(post, lead="")
        repairs.append("blank lines before the front matter")
    for line in post.front:
        key = line.key
        if key is None or line is not post.front_line(key):
            continue
        if key == "date":
            if parse_date(tolerant_value(line), tz) is None:
                post = post.with_front_line("date", "date: " + format_date(published, tz))
                repairs.append("date")
        elif not line_is_valid(line):
            post = post.with_front_line(key, f"{key}: " + yaml_quote(tolerant_value(line)))
            repairs.append(key)
    return post, repairs


def repair_body(post: OriginalPost) -> tuple[OriginalPost, list[str]]:
    body, repairs = post.body, []
    for part in ("digest", "html"):
        text = getattr(body, part)
        if not text:
            continue
        fixed, active = strip_active(text)
        fixed, liquid = neutralise_liquid(fixed)
        if active:
            repairs.append(f"active content in {part}")
        if liquid:
            repairs.append(f"liquid in {part}")
        body = replace(body, **{part: fixed})
    return replace(post, body=body), repairs


def imported_post_bytes(stored: StoredArticle, raw: bytes, tz: tzinfo) -> tuple[bytes, list[str]]:
    """The kept file, byte for byte unless a safe repair was needed."""
    name = stored.article.extra.get("file_name", "post.md")
    post = parse_post(name, raw, folder=stored.article.extra.get("folder", "_posts"))
    post, front = repair_front(post, stored.article.published, tz)
    post, body = repair_body(post)
    return render_post(post), front + body


def share_link(stored: StoredArticle, site: SiteSettings) -> str:
    extra = stored.article.extra
    if extra.get("share_link"):
        return extra["share_link"]
    if stored.article.shape == "rolling" and stored.article.url:
        return stored.article.url
    return f"http://{site.share_host}{SHARE_PATH}{stored.article.upstream_id}"


def new_post_text(stored: StoredArticle, *, category_file: str, category_value: str,
                  site: SiteSettings, tz: tzinfo) -> str:
    """The post the original would have written for this story."""
    article = stored.article
    rolling = article.shape == "rolling" or category_value == ROLLING_SLUG
    tag = stored.category.tag or (ROLLING_TAG if rolling else article.media + TAG_SUFFIX)
    front = ("---\nlayout: post\n"
             f"title: {yaml_quote(article.title)}\n"
             f"date: {format_date(article.published, tz)}\n"
             f"categories: {front_value(category_value)}\n"
             f"tags: {front_value(tag)}\n---\n")
    body, _ = strip_active(article.body_html)
    body, _ = neutralise_liquid(body)
    link = share_link(stored, site)
    if rolling:
        digest = re.sub(r"^【[^】]*】", "", article.digest or "").strip()
        # Plain text (its entities were decoded): escaped, or Markdown would
        # pass a literal "<img onerror=…>" through as HTML.
        digest = neutralise_liquid(html.escape(" ".join(digest.split()), quote=False))[0]
        head = f"> {digest}\n\n" if digest else ""
        back = f"[返回{ROLLING_TAG}](//{site.host}/{ROLLING_SLUG}/)"
        return f"{front}{head}{body}\n\n<{link}>\n\n{back}"
    media = html.escape(stored.category.name or article.media, quote=False)
    back = (f"[返回{media}{TAG_SUFFIX}](//{site.host}/category/{category_file}.html)"
            f"｜[返回首页](//{site.host}/)")
    return f"{front}{body}\n\n<{link}>\n\n{back}"


def post_file_name(stored: StoredArticle, tz: tzinfo) -> str:
    """``<date>-<id>.md``: the kept name when it is safe, else one made safe."""
    kept = stored.article.extra.get("file_name", "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}-[A-Za-z0-9_.-]+\.(?:md|markdown)", kept):
        return kept
    ident = re.sub(r"[^A-Za-z0-9_-]+", "-", stored.article.upstream_id).strip("-") or str(stored.id)
    return f"{stored.article.published.astimezone(tz):%Y-%m-%d}-{ident[:100]}.md"

