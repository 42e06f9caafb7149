"""Turn a parsed original post into an Article, repairing what has a clear intent.

Identity of imported stories (one stable scheme, so importing the same site
twice, or its ``_posts/`` and ``old_post/`` copies, hits the same key):

* source ``finews-rolling`` for 东财滚动新闻 posts (category ``emnews``):
  their ids are the rolling list's own ``id`` values;
* source ``finews-news`` for every other post: their ids are East Money info
  codes, shared by the per-media and the market lists.

The upstream id is always taken from the file name (``<date>-<id>.md``).
The content hash is the sha256 of the file's bytes: for an imported story
the file *is* the content (it is written back byte for byte), so any change
to the file is an update that replaces the kept payload.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime, tzinfo

from ..errors import ImportFormatError
from ..model import Article
from ..process.identity import canonical_url
from ..process.sanitise import sanitise_html
from ..process.text import html_to_text
from .frontmatter import has_zone, line_is_valid, parse_date
from .post import OriginalPost, render_post

SOURCE_ROLLING = "finews-rolling"
SOURCE_NEWS = "finews-news"
ROLLING_SLUG = "emnews"
ROLLING_TAG = "东财滚动新闻"
TAG_SUFFIX = "新闻"

_FILE_NAME = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})?-(?P<id>[^/\\\s]+?)\.(?:md|markdown)$")
_TITLE_LIMIT = 60


def file_name_parts(name: str) -> tuple[str | None, str]:
    """(date part or None, id) of ``<date>-<id>.md``; ImportFormatError otherwise."""
    match = _FILE_NAME.match(name)
    if not match:
        raise ImportFormatError(
            f"{name} is not named like an original post (<YYYY-MM-DD>-<id>.md)")
    return match.group("day"), match.group("id")


def source_for(category: str) -> str:
    return SOURCE_ROLLING if category == ROLLING_SLUG else SOURCE_NEWS


def _published(post: OriginalPost, day: str | None, tz: tzinfo,
               repairs: list[str]) -> datetime:
    value = post.date or ""
    when = parse_date(value, tz)
    if when is not None:
        if not has_zone(value):
            repairs.append("date has no time zone: read as China time")
        return when
    if day is None:
        raise ImportFormatError(
            f"{post.file_name} has no usable date ({value.strip() or 'empty'!s}) "
            "and its file name carries none either")
    fixed = parse_date(day, tz)
    if fixed is None:
        raise ImportFormatError(f"{post.file_name}: date {day} in the file name is not a real date")
    repairs.append(f"date {value.strip() or 'empty'!r} unusable: taken from the file name ({day})")
    return fixed


def _text_of(post: OriginalPost) -> str:
    digest = (post.body.digest or "").strip()
    return digest or html_to_text(post.body.html).strip()


def _title(post: OriginalPost, repairs: list[str]) -> str:
    title = (post.title or "").strip()
    if title:
        return title
    text = _text_of(post)
    headline = re.match(r"^【([^】]{1,80})】", text)
    made = headline.group(1) if headline else text.split("\n")[0][:_TITLE_LIMIT].strip()
    if not made:
        raise ImportFormatError(f"{post.file_name} has no title and no text to take one from")
    repairs.append(f"title empty: taken from the text ({made!r})")
    return made


def _front_repairs(post: OriginalPost) -> list[str]:
    return [f"front matter line {line.text!r} is not valid YAML: written correctly on export"
            for line in post.front if line.key in ("title", "categories", "tags", "layout")
            and not line_is_valid(line)]


def _media(post: OriginalPost, category: str, repairs: list[str]) -> tuple[str, str]:
    """(media name, tag) of a post."""
    tag = (post.tags or "").strip()
    if category == ROLLING_SLUG:
        return ROLLING_TAG, tag or ROLLING_TAG
    media = tag.removesuffix(TAG_SUFFIX).strip() if tag else ""
    if not media:
        repairs.append(f"no media name in 'tags': the category {category!r} is used")
        media = category
    return media, tag or media + TAG_SUFFIX


def _body_html(post: OriginalPost) -> str:
    if post.body.html.strip():
        return post.body.html
    digest = (post.body.digest or "").strip()
    return "".join(f"<p>{html.escape(line.strip())}</p>"
                   for line in digest.splitlines() if line.strip())


def post_to_article(post: OriginalPost, *, tz: tzinfo) -> tuple[Article, list[str]]:
    """The Article for ``post`` and the repairs that were needed.

    Raises ImportFormatError when a repair would be a guess (no date at all,
    no category, no text).
    """
    repairs: list[str] = []
    day, upstream_id = file_name_parts(post.file_name)
    category = (post.categories or "").strip()
    if not category:
        raise ImportFormatError(
            f"{post.file_name} has no 'categories:' value, so its category and URL are unknown")
    published = _published(post, day, tz, repairs)
    title = _title(post, repairs)
    repairs.extend(_front_repairs(post))
    media, tag = _media(post, category, repairs)
    shape = post.shape
    link = post.body.link or None
    extra = {"folder": post.folder, "file_name": post.file_name, "post_shape": shape}
    if link:
        extra["share_link"] = link
    for key, value in (("site_host", post.site_host), ("share_host", post.share_host)):
        if value:
            extra[key] = value
    article = Article(
        source=source_for(category),
        upstream_id=upstream_id,
        title=title,
        published=published,
        media=media,
        body_html=sanitise_html(_body_html(post)),
        digest=(post.body.digest or "").strip(),
        url=canonical_url("http:" + link if link.startswith("//") else link) if link else None,
        tags=(tag,),
        category_slug=category,
        shape="rolling" if category == ROLLING_SLUG or shape == "rolling" else "media",
        content_hash=hashlib.sha256(render_post(post)).hexdigest(),
        extra=extra,
    )
    return article, repairs
