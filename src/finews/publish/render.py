"""The Jinja2 environment and the one function that turns a page into bytes."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from .context import Layout

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

#: Page kind → template. Each template receives exactly one name, ``page``.
TEMPLATE_OF = {
    "HomePage": "home.html",
    "CategoryPage": "category.html",
    "StoryPage": "story.html",
    "DayPage": "day.html",
    "ArchivePage": "archive.html",
    "NotFoundPage": "404.html",
    "RedirectPage": "redirect.html",
    "StockIndexPage": "stocks.html",
    "OutletIndexPage": "outlets.html",
}


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's compiled templates kept between runs (in the user's own temp
    folder, which Jinja creates private): compiling finews's templates costs
    each command ~80 ms, loading them ~5. Jinja keys an entry by the
    template's source checksum, so an edited template is compiled afresh. A
    cache that cannot be read or written only costs the compile."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    try:
        return _QuietBytecodeCache()
    except (OSError, RuntimeError):   # no private temp folder to be had
        return None


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,   # a typo in a template fails the build
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Templates are package files that do not change while finews runs;
        # reloading would stat each one a page extends or imports, per page.
        auto_reload=False,
    )


def render(page: object, template: str | None = None) -> str:
    """Render ``page`` (a context dataclass) with its template."""
    name = template or TEMPLATE_OF[type(page).__name__]
    layout = getattr(page, "layout", None)
    return _template(name).render(page=page, chrome=None if layout is None else chrome(layout))


@dataclass(frozen=True, slots=True)
class Chrome:
    """The HTML around a page's content (``_chrome.html``), ready to insert."""

    head: Markup
    header: Markup
    footer: Markup


def chrome(layout: Layout) -> Chrome:
    """The chrome of pages with this layout; the same for every page at one
    depth, so it is rendered once per depth, not once per page (a third of
    a story page's rendering time)."""
    return _chrome((layout.site_title, layout.root, layout.kind, layout.live_interval,
                    layout.feed_href, layout.search_action))


@lru_cache(maxsize=256)
def _chrome(key: tuple) -> Chrome:
    site_title, root, kind, live_interval, feed_href, search_action = key
    layout = Layout(site_title=site_title, page_title="", root=root, kind=kind,
                    live_interval=live_interval, feed_href=feed_href,
                    search_action=search_action)
    macros = _template("_chrome.html").module
    return Chrome(head=Markup(macros.head(layout)), header=Markup(macros.header(layout)),
                  footer=Markup(macros.footer(layout)))


@lru_cache(maxsize=None)
def _template(name: str) -> jinja2.Template:
    # get_template checks the file's mtime on every call; a build renders
    # tens of thousands of pages from templates that do not change under it.
    return environment().get_template(name)


def static_files() -> list[tuple[str, bytes]]:
    """The bundled assets as (site path, bytes), e.g. ``static/style.css``."""
    return [(f"static/{p.name}", p.read_bytes())
            for p in sorted(STATIC.iterdir()) if p.is_file() and not p.name.startswith(".")]
