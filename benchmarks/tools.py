"""How each contender is installed, built and given new posts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .measure import CommandFailed, Run, count_files, fresh_dir, run, set_aside

FINEWS = [sys.executable, "-m", "finews"]


def ensure_tools(say=print) -> dict[str, str | None]:
    """Install Debian's hugo and jekyll when missing; their versions (None: absent)."""
    missing = [p for p in ("hugo", "jekyll", "time") if shutil.which(p) is None]
    if missing and shutil.which("apt-get") and os.geteuid() == 0:
        say(f"installing {' '.join(missing)} with apt-get")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "hugo", "jekyll",
                        "ruby-jekyll-feed", "time"], env=env, check=False)
    return {"hugo": _version(["hugo", "version"]), "jekyll": _version(["jekyll", "--version"])}


def _version(cmd: list[str]) -> str | None:
    if shutil.which(cmd[0]) is None:
        return None
    out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    return out.splitlines()[0] if out else None


# --- finews ------------------------------------------------------------------------

def finews_config(folder: Path, sources: list[dict] | None = None,
                  store_url: str = "") -> Path:
    """A finews.toml keeping its data in ``folder/data`` (its stories at ``store_url``
    when given: another backend than the SQLite file there)."""
    from finews.demo import _toml_value

    lines = ['data_dir = "data"', "", "[fetch]", "allow_private = true"]
    if store_url:
        lines += ["", "[store]", f"url = {_toml_value(store_url)}"]
    for source in sources or []:
        lines += ["", "[[sources]]"] + [f"{k} = {_toml_value(v)}" for k, v in source.items()]
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "finews.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def finews_import(folder: Path, posts: Path, log: Path, store_url: str = "") -> Run:
    set_aside(folder / "data")
    config = finews_config(folder, store_url=store_url)
    return run([*FINEWS, "-c", str(config), "import", str(posts)], log=log)


def finews_build(folder: Path, log: Path) -> Run:
    site = folder / "data" / "site"
    set_aside(site)
    r = run([*FINEWS, "-c", str(folder / "finews.toml"), "build", "--full"], log=log)
    return Run(r.wall, r.cpu, r.rss_mb, count_files(site))


# --- Hugo ----------------------------------------------------------------------------

def _built(tool: str, r: Run, out: Path) -> Run:
    """``r`` with the pages found in ``out``; a build that wrote nothing failed."""
    pages = count_files(out)
    if pages == 0:
        raise CommandFailed(f"{tool} exited normally but wrote no pages into {out}")
    return Run(r.wall, r.cpu, r.rss_mb, pages)


def hugo_build(site: Path, log: Path) -> Run:
    # Absolute paths: hugo reads -d relative to the site folder.
    site = site.resolve()
    out = fresh_dir(site.parent / "hugo-public")
    r = run(["hugo", "--quiet", "-s", str(site), "-d", str(out)], log=log)
    return _built("hugo", r, out)


# --- Jekyll --------------------------------------------------------------------------

def jekyll_build(site: Path, log: Path, *, fixed: bool, incremental: bool = False,
                 clean: bool = True) -> Run:
    # Absolute paths: jekyll runs inside the site folder.
    site = site.resolve()
    out = site.parent / "jekyll-site"
    if clean:
        fresh_dir(out)
        (site / ".jekyll-metadata").unlink(missing_ok=True)
    plugins = str(site / ("_plugins_fix" if fixed else "_plugins"))
    cmd = ["jekyll", "build", "-q", "-s", str(site), "-d", str(out), "--plugins", plugins]
    if incremental:
        cmd.append("--incremental")
    r = run(cmd, cwd=site, log=log)
    return _built("jekyll", r, out)
