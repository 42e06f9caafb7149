"""The benchmark harness at N = 500, so it cannot rot.

finews is always measured; Hugo and Jekyll only when they are installed
(the full runner, ``python -m benchmarks``, installs them). No timing is
asserted: only that every step ran, built the pages it should, and that the
corpus is what the issue asks for.
"""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from benchmarks.corpus import END, SPAN, media_names, post_text, stories
from benchmarks.measure import run, stat
from benchmarks.report import render
from benchmarks.runner import FRESH, Options, bench_size
from benchmarks.tools import _version

N = 500


def test_corpus_is_deterministic_and_shaped():
    first, again = list(stories(200, seed=3)), list(stories(200, seed=3))
    assert first == again
    assert first != list(stories(200, seed=4))
    assert all(8 <= len(s.title) <= 30 for s in first)
    assert any("：" in s.title for s in first)
    assert any('"' in s.title or "“" in s.title for s in first)
    assert all(END - SPAN <= s.published <= END for s in first)
    assert [s.published for s in first] == sorted(s.published for s in first)
    for s in first:
        paragraphs = re.findall(r"<p>(.*?)</p>", s.body_html)
        assert 5 <= len(paragraphs) <= 20
        plain = [re.sub(r"<[^>]+>", "", p) for p in paragraphs]
        assert all(40 <= len(p.replace("&amp;", "&")) <= 200 for p in plain)
    assert any("em_stock_key_common" in s.body_html or "keytip" in s.body_html for s in first)
    assert len({s.code for s in first}) == 200


def test_media_are_many_and_skewed():
    names = media_names()
    assert len(names) == 2000
    assert len({slug for _, slug in names}) == 2000
    counts: dict[str, int] = {}
    for s in stories(3000, seed=1):
        counts[s.media] = counts.get(s.media, 0) + 1
    ranked = sorted(counts.values(), reverse=True)
    assert ranked[0] > 10 * ranked[len(ranked) // 2]     # Zipf-like: a few busy outlets
    assert len(counts) > 500


def test_post_has_the_originals_front_matter():
    s = next(stories(1, seed=9))
    text = post_text(s)
    assert text.startswith("---\nlayout: post\ntitle: ")
    assert f"categories: {s.slug}\ntags: {s.media}新闻\n---\n" in text
    assert text.endswith(f"[返回首页](//127.0.0.1:8000/)")


def test_measure_reports_the_child_not_the_runner():
    big = run(["python3", "-c", "x = bytearray(150 * 2**20)"])
    small = run(["python3", "-c", "pass"])
    assert big.rss_mb > 150 > small.rss_mb
    assert stat([3.0, 1.0, 2.0]).median == 2.0


def test_harness_at_500(tmp_path, monkeypatch):
    tools = {"hugo": _version(["hugo", "version"]), "jekyll": _version(["jekyll", "--version"])}
    if tools["jekyll"] and shutil.which("ruby"):
        import subprocess
        if subprocess.run(["ruby", "-e", 'require "jekyll-feed"'],
                          capture_output=True).returncode:
            tools["jekyll"] = None
    # A relative work folder, as the documented command uses (bench-work).
    monkeypatch.chdir(tmp_path)
    opts = Options(sizes=(N,), reps=1, work=Path("bench-work"), tools=dict(tools),
                   say=lambda _: None, stock_jekyll_upto=0)
    size = bench_size(N, opts)
    fin = size["full"]["finews"][0]
    # Every story has a page, plus home, category pages and feeds.
    assert fin.pages > N
    assert size["import"]["finews"][0].wall > 0
    fresh = size["fresh"]["finews"][0]
    assert fresh.pages == FRESH          # 100 new stories stored
    for tool in ("hugo", "jekyll+fix"):
        name = tool.split("+")[0]
        if tools[name]:
            # home + feed + one page per story + one per category in use
            cats = len({s.slug for s in stories(N)})
            assert size["full"][tool][0].pages == N + cats + 2
    text = render({"sizes": [size], "fetch": []}, command="test", tools=tools, fresh=FRESH)
    assert f"### Full build, N = {N}" in text and "| finews |" in text


def test_freshness_posts_leave_the_reused_corpus(tmp_path, monkeypatch):
    """A second run on the same work folder builds the same N stories."""
    import benchmarks.runner as runner
    root = tmp_path / "500"
    posts = root / "hugo" / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "kept.md").write_text("x")

    def runs_writing_a_post(*args):
        (posts / "fresh.md").write_text("y")     # as hugo's freshness step does
        return {}
    monkeypatch.setattr(runner, "_fresh_runs", runs_writing_a_post)
    opts = Options(sizes=(N,), reps=1, work=tmp_path, tools={}, say=lambda _: None)
    runner._freshness(N, root, root / "finews", tmp_path / "log", opts)
    assert sorted(p.name for p in posts.iterdir()) == ["kept.md"]


def test_outputs_are_set_aside_during_a_run_and_deleted_after(tmp_path):
    from benchmarks.measure import TRASH, empty_trash, fresh_dir
    out = fresh_dir(tmp_path / "site")
    (out / "page.html").write_text("x")
    again = fresh_dir(tmp_path / "site")
    assert again == out and not list(again.iterdir())       # empty for the next build
    moved = list((tmp_path / TRASH).iterdir())
    assert [p.name.startswith("site-") for p in moved] == [True]
    assert (moved[0] / "page.html").read_text() == "x"       # not deleted yet
    deep = fresh_dir(tmp_path / "100000" / "finews" / "data" / "site")   # where a run keeps its sites
    (deep / "page.html").write_text("x")
    fresh_dir(deep)
    empty_trash(tmp_path)
    assert not (tmp_path / TRASH).exists()
    assert not (deep.parent / TRASH).exists() and deep.is_dir()


def test_backends_side_by_side_at_a_small_size(tmp_path, postgres_server):
    """``python -m benchmarks --backends``: every step on both backends, one table."""
    from benchmarks.backends import render as render_backends, run_backends

    opts = Options(sizes=(120,), reps=1, work=tmp_path, say=lambda _: None)
    results = run_backends(opts, ["sqlite", "postgresql"], postgres_server.url)
    (size,) = results["sizes"]
    for backend in ("sqlite", "postgresql"):
        got = size[backend]
        assert got["full"][0].pages > 120                # every story page and more
        assert got["fresh"][0].pages == FRESH            # 100 new stories fetched
        assert got["fetch"].pages == 1000
        assert got["search"]["queries"] == 60
    text = render_backends(results, ["sqlite", "postgresql"], "python -m benchmarks --backends")
    assert "| search p95 ms |" in text and "| sqlite | postgresql |" in text
