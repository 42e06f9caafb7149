"""Compiled templates kept between runs: a damaged cache costs a compile, never a page."""

from __future__ import annotations

from pathlib import Path

import jinja2

from finews.publish.render import TEMPLATES, _QuietBytecodeCache


def _env(cache_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              bytecode_cache=_QuietBytecodeCache(str(cache_dir)))


def test_a_second_run_loads_what_the_first_compiled(tmp_path: Path) -> None:
    _env(tmp_path).get_template("redirect.html")
    cached = list(tmp_path.iterdir())
    assert cached, "the first run left no compiled template"
    # A fresh environment (a new process, as far as Jinja knows) reads the
    # file instead of compiling: its code object comes from the cache.
    cache = _QuietBytecodeCache(str(tmp_path))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             bytecode_cache=cache)
    source, filename, _ = env.loader.get_source(env, "redirect.html")
    bucket = cache.get_bucket(env, "redirect.html", filename, source)
    assert bucket.code is not None


def test_damaged_cache_files_are_compiled_afresh(tmp_path: Path) -> None:
    _env(tmp_path).get_template("redirect.html")
    magic = jinja2.bccache.bc_magic
    for junk in (b"", magic[:3], magic + b"\x80\x04not a pickle", magic + b"\x00" * 40):
        for path in tmp_path.iterdir():
            path.write_bytes(junk)
        html = _env(tmp_path).get_template("redirect.html")
        assert html.name == "redirect.html"   # compiled afresh, not raised


def test_an_unwritable_cache_folder_still_renders(tmp_path: Path) -> None:
    gone = tmp_path / "no-such-folder"
    template = _env(gone).get_template("redirect.html")
    assert template is not None
