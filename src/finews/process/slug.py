"""Category slugs: the pinyin of a media name, safe in any URL and file name.

Like the original finews, syllables are joined without separators
(``菏泽日报`` → ``hezeribao``, ``21世纪经济报道`` → ``21shijijingjibaodao``), so
new sites get the same slugs as the original would have given. Unlike it,
the result is always lower-case ``[a-z0-9-]``: no spaces, parentheses or
case twins (``TechWeb``/``Techweb``) that break on case-insensitive disks.

A slug is a URL forever, so the pinyin reading must never move: pypinyin's
phrase dictionary decides polyphones by context (央行 → yanghang, not the
original's yangxing), and ``_READINGS`` pins readings finews relies on, so
a library update cannot silently change them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pypinyin import Style, lazy_pinyin

SLUG_LIMIT = 80

_RUNS = re.compile(r"[^a-z0-9]+")
_SAFE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# Readings pinned against dictionary changes: phrase → syllables.
_READINGS = {
    "央行": "yanghang",
    "银行": "yinhang",
    "行业": "hangye",
    "行情": "hangqing",
    "重庆": "chongqing",
    "长沙": "changsha",
    "长江": "changjiang",
}
_PINNED = re.compile("|".join(sorted(map(re.escape, _READINGS), key=len, reverse=True)))


def _keep(chunk: str) -> str:
    # pypinyin hands over runs of non-Han text; keep them as they are.
    return chunk


def _pinyin(text: str) -> str:
    """Han characters → toneless pinyin syllables joined; other text kept."""
    pieces: list[str] = []
    last = 0
    for match in _PINNED.finditer(text):
        pieces.extend(lazy_pinyin(text[last:match.start()], style=Style.NORMAL, errors=_keep))
        pieces.append(_READINGS[match.group(0)])
        last = match.end()
    pieces.extend(lazy_pinyin(text[last:], style=Style.NORMAL, errors=_keep))
    return "".join(pieces)


def _ascii(text: str) -> str:
    """Fold width and accents (``ＴＶ`` → ``TV``, ``é`` → ``e``) and drop the rest."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return folded.encode("ascii", "ignore").decode("ascii")


def _fallback(name: str) -> str:
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"media-{digest}"


def _finish(text: str, name: str) -> str:
    slug = _RUNS.sub("-", _ascii(text).lower()).strip("-")
    if len(slug) > SLUG_LIMIT:
        slug = slug[:SLUG_LIMIT].rstrip("-")
    return slug or _fallback(name)


def media_slug(name: str) -> str:
    """The URL-safe slug of a media name, e.g. ``菏泽日报`` → ``hezeribao``.

    Never empty (a name with nothing readable gets ``media-<hash>``), stable
    across runs and processes.
    """
    normal = unicodedata.normalize("NFKC", name or "")
    return _finish(_pinyin(normal) if _HAN.search(normal) else normal, name or "")


def safe_slug(slug: str) -> str:
    """The URL-safe form of a slug from an imported site.

    ``21shijijingjibaodao 21caijingAPP`` → ``21shijijingjibaodao-21caijingapp``;
    an already safe slug is returned unchanged.
    """
    if is_safe_slug(slug):
        return slug
    return media_slug(slug)


def is_safe_slug(text: str) -> bool:
    """True for lower-case ``[a-z0-9]`` words joined by single hyphens."""
    return bool(text) and len(text) <= SLUG_LIMIT and bool(_SAFE.match(text))
