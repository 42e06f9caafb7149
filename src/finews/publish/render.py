"""The Jinja2 environment and the one function that turns a page into bytes."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

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
}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
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
    return _template(name).render(page=page)


def render_home_section(section: object) -> str:
    """One outlet's home-page section (a ``HomeSection``) as HTML."""
    return str(_template("_list.html").module.home_section(section))


@lru_cache(maxsize=None)
def _template(name: str) -> jinja2.Template:
    # get_template checks the file's mtime on every call; a build renders
    # tens of thousands of pages from templates that do not change under it.
    return environment().get_template(name)


def static_files() -> list[tuple[str, bytes]]:
    """The bundled assets as (site path, bytes), e.g. ``static/style.css``."""
    return [(f"static/{p.name}", p.read_bytes())
            for p in sorted(STATIC.iterdir()) if p.is_file() and not p.name.startswith(".")]
