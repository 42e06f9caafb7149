"""``finews demo``: a live site on localhost, fed by a local news upstream.

The demo starts the local upstream (generated Chinese stories, new ones
every few seconds, from many outlets, some stories served by two lists),
writes a ``finews.toml`` pointing a fresh data directory at it, and runs the
same ``finews run`` loop a real deployment runs. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping

from .config import CONFIG_NAME, load
from .errors import ConfigError
from .runner import RunOptions, run

#: Demo sources poll often so the site visibly fills up.
DEMO_INTERVAL = 5


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(str(value), ensure_ascii=False)


def demo_config(sources: list[Mapping[str, Any]], port: int) -> str:
    """The text of a finews.toml for the demo."""
    lines = [
        "# Written by `finews demo`: a site fed by the local demo upstream.",
        'data_dir = "data"',
        "",
        "[site]",
        'title = "金融消息 · 演示"',
        f'base_url = "http://127.0.0.1:{port}/"',
        f'host = "127.0.0.1:{port}"',
        "live_interval = 5",
        "",
        "[serve]",
        'host = "127.0.0.1"',
        f"port = {port}",
    ]
    for source in sources:
        lines += ["", "[[sources]]"]
        for key, value in source.items():
            if key == "interval":
                value = DEMO_INTERVAL
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def prepare(directory: Path, upstream_sources: list[Mapping[str, Any]], port: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / CONFIG_NAME
    config.write_text(demo_config(upstream_sources, port), encoding="utf-8")
    return config


def demo_sources(upstream: Any) -> list[dict[str, Any]]:
    """The demo's sources: every list of the local upstream, and its summary-only
    feed, whose stories get their text from the article pages it links."""
    return upstream.source_settings(name_prefix="demo", pages=True)


def run_demo(*, port: int = 8000, directory: Path | None = None,
             say: Callable[[str], None] = print, max_passes: int | None = None) -> None:
    from .upstream.server import UpstreamServer
    if not 0 < port < 65536:
        raise ConfigError(f"--port must be between 1 and 65535, not {port}")
    directory = directory or Path(tempfile.mkdtemp(prefix="finews-demo-"))
    with UpstreamServer(port=0, rate=3.0, per_tick=2, republish=0.25) as upstream:
        config = prepare(directory, demo_sources(upstream), port)
        settings = load(config, {})
        say(f"demo upstream at {upstream.url} (new stories every few seconds)")
        say(f"data and configuration in {directory}")
        say(f"open http://127.0.0.1:{port}/ — Ctrl-C stops")
        asyncio.run(run(settings, options=RunOptions(max_passes=max_passes), say=say))
    say("demo stopped cleanly")
