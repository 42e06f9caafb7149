"""Post files of the original finews: parse them keeping every byte, write them back.

A post is cut into parts that concatenate back to the file exactly::

    [BOM] lead "---" front-matter-lines "---" body

    body = head_gap [digest_mark digest] digest_gap html
           link_gap ["<" link ">"] back_gap back_links end

Every gap is the exact whitespace that stood there, so ``render_post``
reproduces the file byte for byte, while the parts (title, digest, full
text, source link, back-links, hosts) are available to convert the post into
an :class:`~finews.model.Article`. Nothing assumes one shape: each part may
be missing, and whatever the original wrote around them is kept.

Shapes (``OriginalPost.shape``):

``early``   December 2021: date without a zone, the digest as the body, the
            link in angle brackets, no back-links.
``rolling`` 东财滚动新闻: ``> digest``, full text, ``<url_w>``,
            ``[返回东财滚动新闻](…/emnews/)``.
``media``   per-media and market lists (a file cannot tell the two apart):
            full text, ``<share link>``, back-links to the category and home.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..errors import ImportFormatError
from .frontmatter import FrontLine, has_zone, split_lines, tolerant_value

BOM = "\ufeff"
FOLDERS = ("_posts", "old_post")
SHAPES = ("early", "rolling", "media")

_LEAD = re.compile(r"\A((?:[ \t]*\r?\n)*)(---[ \t]*(?:\r?\n|\Z))")
_FENCE = re.compile(r"^---[ \t]*$")
_GAP = r"(?:[ \t]*\r?\n)+"
_BACK_ONE = r"\[返回[^\]\r\n]*\]\([^)\s]*\)"
_BACK_LINE = rf"[ \t]*{_BACK_ONE}(?:[ \t]*[｜|][ \t]*{_BACK_ONE})*"
_BACK = re.compile(rf"(?P<gap>{_GAP}|\A)(?P<back>{_BACK_LINE}(?:{_GAP}{_BACK_LINE})*)\Z")
_LINK = re.compile(r"(?P<gap>" + _GAP + r"|\A)<(?P<link>(?:https?:)?//[^<>\s]*|)>\Z")
_DIGEST = re.compile(r"\A(?P<mark>>[ \t]?)(?P<digest>(?:[^\r\n]|\r(?!\n)|\r?\n(?![ \t]*\r?\n))*)"
                     r"(?P<gap>(?:[ \t]*\r?\n)*)")
_HEAD_GAP = re.compile(r"\A(?:[ \t]*\r?\n)*")
_HOST_IN_BACK = re.compile(r"\((?:https?:)?//([^/)\s]+)")
_HOST_IN_LINK = re.compile(r"^(?:https?:)?//([^/?#\s]+)")


@dataclass(frozen=True, slots=True)
class Body:
    """A post body in parts; ``render()`` joins them back exactly."""

    head_gap: str = ""
    digest_mark: str = ""          # "> " when the digest is a quote
    digest: str | None = None
    digest_gap: str = ""
    html: str = ""
    link_gap: str = ""
    link: str | None = None        # inside the angle brackets; "" for "<>"
    back_gap: str = ""
    back_links: str = ""           # raw, whatever its variant
    end: str = ""

    def render(self) -> str:
        link = "" if self.link is None else f"<{self.link}>"
        return (self.head_gap + self.digest_mark + (self.digest or "") + self.digest_gap
                + self.html + self.link_gap + link + self.back_gap + self.back_links
                + self.end)


@dataclass(frozen=True, slots=True)
class OriginalPost:
    """One post file as read, with everything needed to write it back."""

    file_name: str
    folder: str
    raw: str                        # the decoded text, exactly (without a BOM)
    bom: bool
    lead: str                       # blank lines before the opening fence
    open_fence: str                 # "---\n" with its exact ending
    front: tuple[FrontLine, ...]
    close_fence: str
    body: Body

    def value(self, key: str) -> str | None:
        """The first ``key:`` value of the front matter, as the original meant it."""
        line = self.front_line(key)
        return None if line is None else tolerant_value(line)

    def front_line(self, key: str) -> FrontLine | None:
        return next((line for line in self.front if line.key == key), None)

    @property
    def title(self) -> str | None:
        return self.value("title")

    @property
    def date(self) -> str | None:
        return self.value("date")

    @property
    def categories(self) -> str | None:
        return self.value("categories")

    @property
    def tags(self) -> str | None:
        return self.value("tags")

    @property
    def layout(self) -> str | None:
        return self.value("layout")

    @property
    def shape(self) -> str:
        back = self.body.back_links
        if back:
            return "rolling" if "emnews" in back else "media"
        if not has_zone(self.date or ""):
            return "early"
        if self.categories == "emnews":
            return "rolling"
        return "rolling" if self.body.digest is not None else "media"

    @property
    def site_host(self) -> str | None:
        match = _HOST_IN_BACK.search(self.body.back_links)
        return match.group(1) if match else None

    @property
    def share_host(self) -> str | None:
        match = _HOST_IN_LINK.match(self.body.link or "")
        return match.group(1) if match else None

    def with_front_line(self, key: str, text: str) -> OriginalPost:
        """A copy whose first ``key:`` line reads ``text`` (same line ending)."""
        lines = tuple(replace(line, text=text) if line is self.front_line(key) else line
                      for line in self.front)
        return replace(self, front=lines)


def decode(name: str, data: bytes) -> tuple[str, bool]:
    """UTF-8 text of a post file and whether it began with a BOM."""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data[3 if bom else 0:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            f"{name} is not UTF-8 text (bad byte at offset {exc.start}); "
            "convert it to UTF-8 and import it again") from exc
    return text, bom


def parse_post(name: str, data: bytes, *, folder: str) -> OriginalPost:
    """Read one post file; raise ImportFormatError when it is not a post."""
    text, bom = decode(name, data)
    lead = _LEAD.match(text)
    if lead is None:
        raise ImportFormatError(f"{name} has no front matter (it must begin with a '---' line)")
    rest = text[lead.end():]
    front: list[FrontLine] = []
    offset = 0
    for line, eol in split_lines(rest):
        offset += len(line) + len(eol)
        if _FENCE.match(line):
            return OriginalPost(
                file_name=name, folder=folder, raw=text, bom=bom, lead=lead.group(1),
                open_fence=lead.group(2), front=tuple(front), close_fence=line + eol,
                body=parse_body(rest[offset:], early=not has_zone(_date_of(front))))
        front.append(FrontLine(line, eol))
    raise ImportFormatError(f"{name} has front matter that is never closed by a '---' line")


def _date_of(front: list[FrontLine]) -> str:
    line = next((line for line in front if line.key == "date"), None)
    return "" if line is None else tolerant_value(line)


def parse_body(text: str, *, early: bool = False) -> Body:
    """Cut a body into its parts; unknown text stays in ``html``."""
    head_gap = _HEAD_GAP.match(text).group(0)
    end_at = max(len(head_gap), len(text.rstrip(" \t\r\n")))
    core, end = text[len(head_gap):end_at], text[end_at:]
    parts: dict[str, str | None] = {}
    back = _tail_search(_BACK, core, core.find("[返回"))
    if back:
        parts.update(back_gap=back.group("gap"), back_links=back.group("back"))
        core = core[:back.start()]
    link = _tail_search(_LINK, core, core.rfind("<") if core.endswith(">") else -1)
    if link:
        parts.update(link_gap=link.group("gap"), link=link.group("link"))
        core = core[:link.start()]
    digest = _DIGEST.match(core) if core.startswith(">") else None
    if digest:
        parts.update(digest_mark=digest.group("mark"), digest=digest.group("digest"),
                     digest_gap=digest.group("gap"))
        core = core[digest.end():]
    elif early and not back and "<" not in core:
        # Early posts carry the digest alone, unquoted.
        parts.update(digest=core)
        core = ""
    return Body(head_gap=head_gap, html=core, end=end, **parts)  # type: ignore[arg-type]


def _tail_search(pattern: re.Pattern[str], core: str, anchor: int) -> re.Match[str] | None:
    """``pattern.search(core)`` for the end-anchored patterns, started late.

    No match can begin before the blank run in front of ``anchor`` (the
    first back-link, the last ``<``), so the search starts there instead of
    trying every position of a long body. ``anchor`` < 0: no match possible.
    """
    if anchor < 0:
        return None
    start = len(core[:anchor].rstrip(" \t\r\n"))
    return pattern.search(core, start)


def render_post(post: OriginalPost) -> bytes:
    """The post file's bytes; identical to the file read when nothing changed."""
    text = (post.lead + post.open_fence + "".join(line.render() for line in post.front)
            + post.close_fence + post.body.render())
    return ((BOM if post.bom else "") + text).encode("utf-8")
