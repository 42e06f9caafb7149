"""Post files in the original's shape, from stored articles.

Two ways in:

* ``imported_post_bytes`` — a story that came from an original post file:
  its kept bytes, with only the documented safe repairs (front matter made
  valid YAML; a body, digest or link that Jekyll could read as anything
  but inert text made safe, see ``kramdown``);
* ``new_post_text`` — one list's copy of a story from an upstream list
  (``listed``): written the way the original would have written it for its
  shape (``rolling``, ``media``, ``market``; anything else is written as
  ``media``), the upstream body as received.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from ..config import SiteSettings
from ..model import StoredArticle
from .convert import ROLLING_SLUG, ROLLING_TAG, TAG_SUFFIX
from .frontmatter import FrontLine, format_date, line_is_valid, parse_date, tolerant_value, yaml_quote
from ..process.sanitise import url_scheme
from .kramdown import inert_text, jekyll_body, repaired_body, safe_autolink, verbatim_problem
from .listed import ListedCopy
from .post import OriginalPost, parse_post, render_post
from .safety import strip_active

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


_BACK_LINK = re.compile(r"\[(?P<text>[^\]\r\n]*)\]\((?P<target>[^)\s]*)\)")


def _jekyll_html(text: str) -> tuple[str, str | None]:
    """An imported body's HTML part made safe as Jekyll reads it, changing as
    little as possible: as it is, else with only its active content cut out,
    else the sanitised body (see ``kramdown``)."""
    problem = verbatim_problem(text)
    if problem is None:
        return text, None
    cut, _ = strip_active(text)
    if verbatim_problem(cut) is None:
        return cut, problem
    return repaired_body(text), problem


def _safe_back_links(back: str) -> tuple[str, bool]:
    """Back-links with inert text and only http(s) or relative targets."""
    def fix(match: re.Match[str]) -> str:
        text, _ = inert_text(match.group("text"))
        target = match.group("target")
        if url_scheme(html.unescape(target)) not in (None, "http", "https") or \
                re.search(r"[{}<>`\\]", target):
            target = ""
        return f"[{text}]({target})"

    fixed = _BACK_LINK.sub(fix, back)
    return fixed, fixed != back


def repair_body(post: OriginalPost) -> tuple[OriginalPost, list[str]]:
    body, repairs = post.body, []
    if body.html:
        fixed, problem = _jekyll_html(body.html)
        if problem:
            repairs.append(f"body ({problem})")
            body = replace(body, html=fixed)
    if body.digest:
        fixed, changed = inert_text(body.digest, multiline=True)
        if changed:
            repairs.append("digest")
            body = replace(body, digest=fixed)
    if body.link:
        fixed, changed = safe_autolink(body.link)
        if changed:
            repairs.append("source link")
            body = replace(body, link=fixed)
    if body.back_links:
        fixed, changed = _safe_back_links(body.back_links)
        if changed:
            repairs.append("back-links")
            body = replace(body, back_links=fixed)
    return replace(post, body=body), repairs


def imported_post_bytes(stored: StoredArticle, raw: bytes, tz: tzinfo) -> tuple[bytes, list[str]]:
    """The kept file, byte for byte unless a safe repair was needed."""
    name = stored.article.extra.get("file_name", "post.md")
    post = parse_post(name, raw, folder=stored.article.extra.get("folder", "_posts"))
    post, front = repair_front(post, stored.article.published, tz)
    post, body = repair_body(post)
    return render_post(post), front + body


def share_link(copy: ListedCopy, stored: StoredArticle, site: SiteSettings) -> str:
    extra = stored.article.extra
    if extra.get("share_link"):
        return extra["share_link"]
    if copy.shape == "rolling":
        return copy.link or ""
    return f"http://{site.share_host}{SHARE_PATH}{copy.upstream_id}"


@dataclass(frozen=True, slots=True)
class PostCategory:
    """Where a post is filed in the export: its category page and values."""

    stem: str      # category/<stem>.html
    value: str     # the ``categories:`` value
    name: str      # the media name, in the back-link
    tag: str       # the ``tags:`` value


def new_post_text(stored: StoredArticle, copy: ListedCopy, category: PostCategory, *,
                  site: SiteSettings, tz: tzinfo) -> tuple[str, list[str]]:
    """The post the original would have written for one list's copy of a story,
    and what had to be repaired to make it safe as Jekyll reads it.

    Every upstream value that lands in Markdown is written as it came when it
    cannot be read as anything but text, else made inert (``kramdown``).
    """
    rolling = copy.shape == "rolling" or category.value == ROLLING_SLUG
    tag = ROLLING_TAG if rolling and not category.tag else category.tag
    front = ("---\nlayout: post\n"
             f"title: {yaml_quote(copy.title)}\n"
             f"date: {format_date(copy.published, tz)}\n"
             f"categories: {front_value(category.value)}\n"
             f"tags: {front_value(tag)}\n---\n")
    repairs: list[str] = []
    body, problem = jekyll_body(copy.body)
    if problem:
        repairs.append(f"body ({problem})")
    link, changed = safe_autolink(share_link(copy, stored, site))
    if changed:
        repairs.append("source link")
    home = f"｜[返回首页](//{site.host}/)"
    if rolling:
        digest, changed = inert_text(copy.digest)
        if changed:
            repairs.append("digest")
        back = f"[返回{ROLLING_TAG}](//{site.host}/{ROLLING_SLUG}/){home}"
        return f"{front}> {digest}\n\n{body}\n\n<{link}>\n\n{back}", repairs
    media, changed = inert_text(category.name)
    if changed:
        repairs.append("media name")
    back = f"[返回{media}{TAG_SUFFIX}](//{site.host}/category/{category.stem}.html){home}"
    return f"{front}{body}\n\n<{link}>\n\n{back}", repairs


def post_file_name(stored: StoredArticle, tz: tzinfo, upstream_id: str | None = None) -> str:
    """``<date>-<id>.md``: the kept name when it is safe, else one made safe.

    ``upstream_id``: the id of another list's copy (a twin), named by its own id.
    """
    kept = stored.article.extra.get("file_name", "")
    if upstream_id is None and re.fullmatch(
            r"\d{4}-\d{2}-\d{2}-[A-Za-z0-9_.-]+\.(?:md|markdown)", kept):
        return kept
    ident = re.sub(r"[^A-Za-z0-9_-]+", "-", upstream_id or stored.article.upstream_id
                   ).strip("-") or str(stored.id)
    return f"{stored.article.published.astimezone(tz):%Y-%m-%d}-{ident[:100]}.md"
