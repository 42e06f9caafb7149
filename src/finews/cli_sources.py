"""``finews sources …``: list, add, import, export, enable and disable sources.

Each handler parses its arguments, calls one function and reports; the
work is in ``finews.discovery`` and ``finews.sources`` (opml, configfile).
Edits go into the configuration file named by ``--config``, comments kept.
"""

from __future__ import annotations

from pathlib import Path

import click

from .cli_common import _settings, friendly
from .config import Settings, SourceSettings
from .errors import ConfigError, ParseError


def _config_path(ctx: click.Context) -> Path:
    return ctx.obj["config_path"]


@click.group()
def sources() -> None:
    """List, add, import, export, enable and disable sources."""


def describe(src: SourceSettings, state) -> str:
    """One source in one line: on/off, kind, URL, full-text mode, last outcome."""
    mode = ", full text from pages" if src.fulltext == "page" else ""
    if src.fulltext_selector:
        mode += f" ({src.fulltext_selector})"
    tags = f", tags {'/'.join(src.tags)}" if src.tags else ""
    line = (f"{src.name} [{'enabled' if src.enabled else 'disabled'}] {src.kind} "
            f"{src.url}{mode}{tags}")
    if state is None or (state.last_attempt is None and not state.error_count):
        return line + "\n    never fetched"
    when = state.last_success.isoformat(timespec="seconds") if state.last_success \
        else "never"
    line += (f"\n    last success {when}; served {state.served}, new {state.new}, "
             f"updated {state.updated}, quarantined {state.quarantined}")
    if state.error_count:
        line += f"\n    {state.error_count} errors in a row, last: {state.last_error}"
    return line


@sources.command("list")
@click.pass_context
@friendly
def list_sources(ctx: click.Context) -> None:
    """Every configured source, whether it is on, and how its last fetches went."""
    settings = _settings(ctx)
    if not settings.sources:
        click.echo("no sources are configured: add one with `finews sources add URL`")
        return
    states = {}
    from .store.open import exists
    if exists(settings.store):  # listing never creates a store
        from .building import store_for
        with store_for(settings) as store:
            states = {s.name: store.source_state(s.name) for s in settings.sources}
    for src in settings.sources:
        click.echo(describe(src, states.get(src.name)))


def _toggle(ctx: click.Context, name: str, enabled: bool) -> None:
    from .sources.configfile import set_enabled
    path = _config_path(ctx)
    if name not in {s.name for s in _settings(ctx).sources}:
        raise ConfigError(f"no source named {name!r} in {path}")
    set_enabled(path, name, enabled)
    click.echo(f"{name}: {'enabled' if enabled else 'disabled'} in {path}")


@sources.command()
@click.argument("name")
@click.pass_context
@friendly
def enable(ctx: click.Context, name: str) -> None:
    """Poll the source NAME again."""
    _toggle(ctx, name, True)


@sources.command()
@click.argument("name")
@click.pass_context
@friendly
def disable(ctx: click.Context, name: str) -> None:
    """Stop polling the source NAME (its stories stay)."""
    _toggle(ctx, name, False)


def _discover(settings: Settings, url: str, allow_private: bool):
    from .discovery import discover
    from .fetch import Fetcher

    async def go():
        async with Fetcher(settings.fetch) as fetcher:
            return await discover(url, fetcher, allow_private=allow_private)
    import asyncio
    return asyncio.run(go())


def _choose(feeds, pick: str | None):
    """The feed the user wants: --pick N or URL, else asked, else the only one."""
    if pick is not None:
        if pick.isdigit() and 1 <= int(pick) <= len(feeds):
            return feeds[int(pick) - 1]
        for feed in feeds:
            if feed.url == pick:
                return feed
        raise ConfigError(f"--pick {pick!r} is neither a number from 1 to {len(feeds)} "
                          "nor one of the feeds found")
    if len(feeds) == 1:
        return feeds[0]
    click.echo(f"{len(feeds)} feeds found:")
    for n, feed in enumerate(feeds, start=1):
        click.echo(f"  {n}. {feed.title or '(untitled)'}  {feed.url}")
    try:
        number = click.prompt("Which feed", type=click.IntRange(1, len(feeds)))
    except click.Abort:  # no one to answer (end of input): say how to choose
        raise ConfigError("several feeds were found: choose one with --pick N") from None
    return feeds[number - 1]


@sources.command()
@click.argument("url")
@click.option("--name", default=None, help="Source name (default: from the feed's title).")
@click.option("--pick", default=None,
              help="When the page links several feeds: the number or URL of one.")
@click.option("--fulltext", type=click.Choice(["page"]), default=None,
              help="Fetch each new item's article page and keep its main text.")
@click.option("--selector", default=None, help="CSS selector of the article on its page.")
@click.option("--remove", default=None, help="CSS selector of elements to drop from it.")
@click.option("--tag", "tags", multiple=True, help="A tag for every story (repeatable).")
@click.option("--interval", type=int, default=None, help="Seconds between polls.")
@click.option("--allow-private", is_flag=True,
              help="The feed is on this machine or the local network.")
@click.pass_context
@friendly
def add(ctx: click.Context, url: str, name: str | None, pick: str | None,
        fulltext: str | None, selector: str | None, remove: str | None,
        tags: tuple[str, ...], interval: int | None, allow_private: bool) -> None:
    """Add the feed at URL, or the feed a web page at URL links to."""
    from .sources.configfile import add_sources
    from .sources.subscribe import feed_table
    settings = _settings(ctx)
    found = _discover(settings, url, allow_private)
    if not found.feeds:
        tried = "; ".join(f"{u}: {why}" for u, why in found.tried)
        raise ParseError(f"{url} is not a feed and links to none"
                         + (f" (tried {tried})" if tried else ""))
    feed = _choose(found.feeds, pick)
    table = feed_table(feed.url, feed.title, settings.sources, name=name, interval=interval,
                       fulltext=fulltext, fulltext_selector=selector,
                       fulltext_remove=remove, tags=tags,
                       allow_private=True if allow_private else None)
    add_sources(_config_path(ctx), [table])
    how = {"given": "the feed", "link": "linked from the page", "path": "found at"}[feed.how]
    click.echo(f"added {table['name']}: {feed.title or '(untitled)'} — {how} {feed.url}")


@sources.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
@friendly
def import_opml(ctx: click.Context, file: Path) -> None:
    """Add the feeds of an OPML file (folders become tags)."""
    from .sources.configfile import add_sources
    from .sources.opml import read_opml
    from .sources.subscribe import plan_import
    reading = read_opml(file.read_bytes())
    plan = plan_import(reading, _settings(ctx).sources)
    for dup in plan.duplicates:
        click.echo(f"  duplicate: {dup.where}: {dup.reason}", err=True)
    for problem in reading.problems:
        click.echo(f"  not imported: {problem.where}: {problem.reason}", err=True)
    if plan.tables:
        add_sources(_config_path(ctx), plan.tables)
    click.echo(f"imported {len(plan.tables)} feeds into {_config_path(ctx)}; "
               f"{len(plan.duplicates)} duplicates, {len(reading.problems)} outlines "
               "not imported")


@sources.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write to this file (default: standard output).")
@click.pass_context
@friendly
def export(ctx: click.Context, output: Path | None) -> None:
    """Write the feed sources as OPML 2.0 (JSON sources are left out, with a note)."""
    from .sources.opml import feed_sources, write_opml
    settings = _settings(ctx)
    feeds = feed_sources(settings.sources)
    for src in settings.sources:
        if src not in feeds:
            click.echo(f"  left out: {src.name} is a {src.kind} source, not a feed", err=True)
    data = write_opml(feeds, title=settings.site.title)
    if output is None:
        click.get_binary_stream("stdout").write(data)
        return
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(output)
    click.echo(f"wrote {len(feeds)} feeds to {output}", err=True)
