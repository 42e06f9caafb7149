"""The ``finews`` command. Handlers parse arguments, call one function, report.

A user error is one sentence on stderr and a non-zero exit (2 for bad
configuration or usage, 1 for everything else), never a traceback. ``fetch``
exits with 3 when it finished but a source failed, so scripts and cron jobs
see it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

import click

from . import __version__
from .cli_common import _settings, friendly
from .cli_sources import sources
from .config import CONFIG_NAME, Settings, load
from .cli_common import EXIT_SOURCE_FAILED
from .errors import ConfigError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "-c", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              envvar="FINEWS_CONFIG", default=CONFIG_NAME, show_default=True,
              help="The configuration file.")
@click.version_option(__version__, prog_name="finews")
@click.pass_context
def main(ctx: click.Context, config_path: Path) -> None:
    """finews keeps a live, permanent, searchable archive of Chinese financial news.

    It polls news sources, keeps every story once and publishes a static site.
    Start with `finews demo` to see it work with no internet, or `finews init`
    to write a configuration.
    """
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["load"] = lambda: load(config_path, os.environ)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite an existing finews.toml.")
@friendly
def init(directory: Path, force: bool) -> None:
    """Write a commented finews.toml in DIRECTORY (default: here)."""
    from .config_template import TEMPLATE
    target = directory / CONFIG_NAME
    if target.exists() and not force:
        raise ConfigError(f"{target} exists already; use --force to overwrite it")
    directory.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".toml.tmp")
    tmp.write_text(TEMPLATE, encoding="utf-8")
    tmp.replace(target)
    click.echo(f"wrote {target}: add your sources, then run `finews run`")


@main.command()
@click.option("--source", "-s", "names", multiple=True, help="Only this source (repeatable).")
@click.pass_context
@friendly
def fetch(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Fetch every source once and store what is new.

    Exits with 0 when every source was read, 3 when one or more failed (the
    others are still stored), 2 for a configuration error.
    """
    from .fetch import Fetcher
    from .ingest import fetch_pass
    from .building import store_for
    settings = _settings(ctx)
    sources = list(settings.sources)
    if names:
        known = {s.name: s for s in sources}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(f"no source named {unknown[0]!r} in the configuration")
        sources = [known[n] for n in names]
    if not sources:
        raise ConfigError("no sources are configured: add [[sources]] to finews.toml")

    def progress(report) -> None:
        line = (f"{report.source}: {report.served} served, {report.new} new, "
                f"{report.updated} updated, {report.unchanged} unchanged, "
                f"{report.quarantined} quarantined")
        if report.fulltext_failed:
            line += (f"; {report.fulltext_failed} article pages failed (stored with "
                     "their summary)")
        if report.not_modified:
            line = f"{report.source}: not modified"
        if report.error:
            line = f"{report.source}: failed: {report.error}"
        click.echo(line, err=bool(report.error))
        for ident, why in report.fulltext_errors[:5]:
            click.echo(f"    {ident}: {why}", err=True)

    async def go():
        with store_for(settings) as store:
            async with Fetcher(settings.fetch) as fetcher:
                return await fetch_pass(settings, store, fetcher, sources=sources,
                                        progress=progress)

    import asyncio
    report = asyncio.run(go())
    click.echo(report.summary())
    if any(r.error for r in report.sources):
        sys.exit(EXIT_SOURCE_FAILED)


@main.command()
@click.option("--full", is_flag=True, help="Render every page, not just what changed.")
@click.pass_context
@friendly
def build(ctx: click.Context, full: bool) -> None:
    """Publish the static site (incrementally: only what changed)."""
    from .building import build_as_publisher, describe_build
    settings = _settings(ctx)
    report = build_as_publisher(settings, full=full, progress=_progress_printer("pages"))
    click.echo(f"{describe_build(report)} → {settings.site_dir}")


def _progress_printer(unit: str) -> Callable[..., None]:
    """Progress on stderr for long work: a line every few seconds, not per item.

    Called as ``show(done, total)`` or ``show(stage, done, total)``.
    """
    import time
    last = [0.0]

    def show(*args) -> None:
        *stage, done, total = args
        now = time.monotonic()
        if now - last[0] >= 2 or (total and done == total):
            last[0] = now
            label = f"{stage[0]}: " if stage else ""
            count = f"{done}/{total}" if total else f"{done}"
            click.echo(f"  {label}{count} {unit}", err=True)
    return show


@main.command()
@click.option("--host", default=None, help="Address to listen on (default from config).")
@click.option("--port", type=int, default=None, help="Port (default from config).")
@click.pass_context
@friendly
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the published site and its JSON API on 127.0.0.1."""
    from .building import build_as_publisher, store_for
    from .errors import RoleBusyError
    from .web.app import create_app
    from .web.serve import serve as run_server
    settings = _with_serve(_settings(ctx), host, port)
    if not (settings.site_dir / "index.html").exists():
        try:
            build_as_publisher(settings)
        except RoleBusyError:
            pass      # a running publisher writes the site
    app = create_app(settings, lambda: store_for(settings, readonly=True))
    click.echo(f"serving {settings.site_dir} at http://{settings.serve.host}:"
               f"{settings.serve.port}/ (Ctrl-C stops)")
    run_server(app, settings.serve.host, settings.serve.port)


def _with_serve(settings: Settings, host: str | None, port: int | None) -> Settings:
    from dataclasses import replace
    serve_settings = settings.serve
    if host:
        serve_settings = replace(serve_settings, host=host)
    if port is not None:
        if not 0 < port < 65536:
            raise ConfigError(f"--port must be between 1 and 65535, not {port}")
        serve_settings = replace(serve_settings, port=port)
    return replace(settings, serve=serve_settings)


@main.command()
@click.option("--host", default=None, help="Address to listen on (default from config).")
@click.option("--port", type=int, default=None, help="Port (default from config).")
@click.option("--no-serve", is_flag=True, help="Poll and publish without serving.")
@click.option("--role", type=click.Choice(["all", "fetch", "publish", "serve"]),
              default="all", show_default=True,
              help="What this process does: fetch workers (any number on PostgreSQL), "
                   "the one publisher, a web server, or all three.")
@click.option("--standby", is_flag=True,
              help="A publisher that finds another one running waits to take over "
                   "instead of exiting.")
@click.pass_context
@friendly
def run(ctx: click.Context, host: str | None, port: int | None, no_serve: bool,
        role: str, standby: bool) -> None:
    """Poll every source on its interval, publish, and serve, until Ctrl-C.

    On several machines sharing one PostgreSQL store, run `--role fetch` on
    as many as needed, one `--role publish`, and `--role serve` beside it
    (README, "Several machines").
    """
    from .runner import RunOptions, run as run_loop
    settings = _with_serve(_settings(ctx), host, port)
    if role in ("all", "fetch") and not settings.sources:
        raise ConfigError("no sources are configured: add [[sources]] to finews.toml")
    import asyncio
    asyncio.run(run_loop(settings, options=RunOptions(role=role, serve=not no_serve,
                                                      standby=standby),
                         say=lambda text: click.echo(text)))
    click.echo("stopped cleanly")


@main.command("import")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.pass_context
@friendly
def import_(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Import posts of an original finews site (_posts/, old_post/ or files)."""
    from .importing import import_posts
    from .building import store_for
    settings = _settings(ctx)
    with store_for(settings) as store:
        summary = import_posts(store, list(paths), tz=settings.site.tz,
                               progress=_progress_printer("files"))
    click.echo(summary.line())


@main.command("export-jekyll")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Only stories from this date on (YYYY-MM-DD, site time zone).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Only stories up to this date (YYYY-MM-DD, inclusive).")
@click.option("--category", default=None, help="Only this category (slug).")
@click.pass_context
@friendly
def export_jekyll_command(ctx: click.Context, out: Path, since, until,
                          category: str | None) -> None:
    """Write the stories as a Jekyll site in the original finews's shape.

    Posts imported from an original site come out byte for byte as they came
    in (except for invalid YAML and active content, which are repaired).
    Re-running into the same folder rewrites only files that changed.
    """
    from .original.export import export_jekyll
    from .building import store_for
    settings = _settings(ctx)
    with store_for(settings) as store:
        if category is not None and store.category_by_slug(category) is None and not any(
                c.original_slug == category for c in store.categories()):
            raise ConfigError(f"no category with the slug {category!r}")
        summary = export_jekyll(store, out, settings.site,
                                since=since.date() if since else None,
                                until=until.date() if until else None, category=category)
    for line in summary.repairs[:20]:
        click.echo(f"  repaired {line}", err=True)
    if len(summary.repairs) > 20:
        click.echo(f"  … and {len(summary.repairs) - 20} more repaired posts", err=True)
    click.echo(f"exported {summary.posts} posts in {summary.categories} categories to {out}: "
               f"{summary.written} files written, {summary.unchanged} unchanged, "
               f"{summary.repaired} repaired")


@main.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--media", default=None, help="Only this outlet (category slug or media name).")
@click.option("--stock", default=None, help="Only stories naming this stock (600519 or 1.600519).")
@click.option("--from", "date_from", default=None, help="First day, YYYY-MM-DD.")
@click.option("--to", "date_to", default=None, help="Last day, YYYY-MM-DD.")
@click.option("--newest", is_flag=True, help="Newest first instead of most relevant first.")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--size", type=int, default=20, show_default=True)
@click.pass_context
@friendly
def search(ctx: click.Context, words: tuple[str, ...], media, stock, date_from, date_to,
           newest: bool, page: int, size: int) -> None:
    """Search the archive: words, "phrases", OR, -exclude.

    All words must match unless joined by OR. Example:

        finews search 银行 减持 --media zhengquanshibao --from 2026-01-01
    """
    from .building import store_for
    from .web.search import search_payload
    settings = _settings(ctx)
    params = {"q": " ".join(words), "media": media or "", "stock": stock or "",
              "from": date_from or "", "to": date_to or "",
              "order": "newest" if newest else "relevance",
              "page": str(page), "size": str(size)}
    with store_for(settings) as store:
        data = search_payload(store, params, settings.site)
    total = f"{data['total']}{'' if data['total_exact'] else '+'}"
    click.echo(f"{total} stories match (page {data['query']['page']} of "
               f"{max(1, data['pages'])})")
    import html
    import re
    for hit in data["results"]:
        when = hit["published"][:16].replace("T", " ")
        click.echo(f"{when}  {hit['media']}  {hit['title']}")
        snippet = html.unescape(re.sub(r"</?mark>", "", hit["snippet_html"]))
        click.echo(f"    {snippet}")
        click.echo(f"    {hit['url']}")


@main.command()
@click.pass_context
@friendly
def reindex(ctx: click.Context) -> None:
    """Rebuild the search index from the stored stories."""
    from .building import store_for
    settings = _settings(ctx)
    with store_for(settings) as store:
        count = store.reindex(progress=_progress_printer("stories"))
    click.echo(f"indexed {count} stories")


@main.command("copy-store")
@click.argument("from_url")
@click.argument("to_url")
@friendly
def copy_store_command(from_url: str, to_url: str) -> None:
    """Copy a whole archive from one store to another (e.g. SQLite → PostgreSQL).

    FROM_URL and TO_URL are store URLs: sqlite:///PATH or
    postgresql://USER@HOST/DATABASE. The target must be empty or a copy this
    command left unfinished: run it again after a kill and it goes on where
    it stopped. Every table's row count is checked at the end.
    """
    from .config import SiteSettings
    from .store import open_store
    from .store.copy import copy_store
    from .store.open import backend_of
    backend_of(from_url), backend_of(to_url)
    if from_url == to_url:
        raise ConfigError("copy-store needs two different stores")
    tz = SiteSettings().tz     # copying stores rows as they are: no time is computed
    with open_store(from_url, tz, readonly=True) as source, open_store(to_url, tz) as target:
        report = copy_store(source, target, progress=_progress_printer("rows"))
    counts = ", ".join(f"{name} {n}" for name, n in report.counts.items())
    click.echo(f"copied {report.copied} rows ({counts}); {report.indexed} stories indexed; "
               "counts match")


@main.command()
@click.pass_context
@friendly
def recluster(ctx: click.Context) -> None:
    """Put every story not yet clustered into its cluster (after an import)."""
    from .cluster import cluster_new
    from .building import store_for
    settings = _settings(ctx)
    with store_for(settings) as store:
        count = cluster_new(store, progress=lambda done: click.echo(
            f"clustered {done} stories", err=True))
    click.echo(f"clustered {count} stories")


@main.command()
@friendly
def presets() -> None:
    """List the built-in source presets and the list shapes they read."""
    from .sources.presets import PRESETS
    for name in sorted(PRESETS):
        preset = PRESETS[name]
        click.echo(f"{name}")
        click.echo(f"    {preset.description}")
        for option in preset.options():
            click.echo(f"    option {option}")


@main.command()
@click.pass_context
@friendly
def status(ctx: click.Context) -> None:
    """Show each source's state and the store's counts."""
    from .building import store_for
    settings = _settings(ctx)
    from datetime import datetime, timezone
    now = datetime.now(timezone.utc)
    with store_for(settings) as store:
        click.echo(f"stories: {store.count_articles()}, quarantined items: "
                   f"{store.count_quarantine()}")
        for src in settings.sources:
            state = store.source_state(src.name)
            when = state.next_attempt.isoformat(timespec="seconds") if state.next_attempt \
                else "now"
            off = "" if src.enabled else " (disabled)"
            line = (f"{src.name}{off}: served {state.served}, new {state.new}, updated "
                    f"{state.updated}, unchanged {state.unchanged}, quarantined "
                    f"{state.quarantined}; next attempt {when}")
            if state.error_count:
                line += f"; {state.error_count} errors in a row, last: {state.last_error}"
            if state.lease_owner and state.lease_until and state.lease_until > now:
                line += (f"; being polled by {state.lease_owner} (lease until "
                         f"{state.lease_until.isoformat(timespec='seconds')})")
            click.echo(line)


@main.command()
@click.option("--port", type=int, default=8000, show_default=True, help="Port of the site.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Data directory (default: a fresh temporary one).")
@click.option("--store", "store_url", default="", metavar="URL",
              help="Store the stories here, e.g. postgresql://USER@HOST/DATABASE "
                   "(default: a SQLite file in the data directory).")
@friendly
def demo(port: int, directory: Path | None, store_url: str) -> None:
    """Run a live site fed by a local news upstream: no internet needed."""
    from .demo import run_demo
    if store_url:
        from .store.open import backend_of
        backend_of(store_url)
    run_demo(port=port, directory=directory, say=lambda text: click.echo(text),
             store_url=store_url)


main.add_command(sources)

if __name__ == "__main__":  # pragma: no cover
    main()
