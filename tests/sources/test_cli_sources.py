"""`finews sources …` against a real site on 127.0.0.1 and a real finews.toml."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import finews
from finews.cli import main
from finews.config import load
from finews.config_template import TEMPLATE

from .site import summary_feed

#: The template with short timeouts and no retries, so failures are quick.
FAST = {"connect_timeout = 5.0": "connect_timeout = 1.0",
        "read_timeout = 15.0": "read_timeout = 1.0", "retries = 2 ": "retries = 0 ",
        "max_bytes = 8388608": "max_bytes = 262144"}


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "finews.toml"
    text = TEMPLATE
    for old, new in FAST.items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def cli(config, *args, input=None):
    return CliRunner().invoke(main, ["--config", str(config), "sources", *args], input=input)


def page(*links: str) -> bytes:
    head = "".join(links)
    return (f"<!DOCTYPE html><html><head><meta charset=gbk><title>示例财经网</title>{head}"
            "</head><body><div class=nav>首页</div><p>新闻</p></body></html>").encode("gbk")


def rss_link(href: str, title: str = "", kind: str = "rss") -> str:
    return (f'<link rel="alternate" type="application/{kind}+xml" title="{title}" '
            f'href="{href}">')


def serve_feed(site, path: str, title: str = "示例摘要源") -> None:
    data = summary_feed(site, [("a1", "标题", "/a1.html")]).replace(
        "示例摘要源".encode(), title.encode())
    site.pages[path] = ("application/rss+xml; charset=utf-8", data)


def names(config):
    return [(s.name, s.url) for s in load(config, {}).sources]


def test_a_feed_url_is_added_as_it_is_and_the_comments_stay(site, config):
    serve_feed(site, "/feed.xml", "证券时报快讯")
    before = config.read_text(encoding="utf-8")
    result = cli(config, "add", site.url("/feed.xml"), "--allow-private",
                 "--fulltext", "page", "--tag", "财经")
    assert result.exit_code == 0, result.output
    assert "the feed" in result.output
    text = config.read_text(encoding="utf-8")
    assert text.startswith(before.rstrip("\n"))  # every comment and value kept as it was
    (src,) = load(config, {}).sources
    assert (src.url, src.kind, src.fulltext, src.tags, src.allow_private) == (
        site.url("/feed.xml"), "feed", "page", ("财经",), True)
    assert src.name == "zhengquanshibaokuaixun"  # the title's pinyin
    again = cli(config, "add", site.url("/feed.xml"), "--allow-private")
    assert again.exit_code == 2 and "configured already" in again.output


def test_a_page_linking_one_feed_adds_that_feed(site, config):
    serve_feed(site, "/news/rss.xml")
    site.pages["/"] = ("text/html", page(rss_link("/news/rss.xml", "要闻")))
    result = cli(config, "add", site.url("/"), "--allow-private", "--name", "yaowen")
    assert result.exit_code == 0, result.output
    assert names(config) == [("yaowen", site.url("/news/rss.xml"))]


def several(site):
    serve_feed(site, "/rss.xml")
    serve_feed(site, "/atom.xml")
    site.pages["/index.html"] = ("text/html", page(
        rss_link("rss.xml", "全部新闻"), rss_link("/atom.xml", "要闻", "atom"),
        '<link rel="stylesheet" type="text/css" href="/a.css">',
        rss_link("rss.xml", "全部新闻")))  # listed twice: offered once


def test_a_page_linking_several_feeds_asks_which(site, config):
    several(site)
    result = cli(config, "add", site.url("/index.html"), "--allow-private", input="2\n")
    assert result.exit_code == 0, result.output
    assert "2 feeds found" in result.output and "全部新闻" in result.output
    assert names(config) == [("yaowen", site.url("/atom.xml"))]


def test_several_feeds_without_an_answer_say_how_to_pick(site, config):
    several(site)
    result = cli(config, "add", site.url("/index.html"), "--allow-private", input="")
    assert result.exit_code == 2 and "--pick" in result.output
    assert names(config) == []
    picked = cli(config, "add", site.url("/index.html"), "--allow-private", "--pick", "1")
    assert picked.exit_code == 0, picked.output
    assert names(config) == [("quanbuxinwen", site.url("/rss.xml"))]


def test_a_page_linking_no_feed_has_the_common_paths_tried(site, config):
    serve_feed(site, "/atom.xml", "站点全文")
    site.pages["/home"] = ("text/html; charset=utf-8", page())
    result = cli(config, "add", site.url("/home"), "--allow-private")
    assert result.exit_code == 0, result.output
    assert "found at" in result.output
    assert names(config) == [("zhandianquanwen", site.url("/atom.xml"))]


def test_a_page_with_no_feed_anywhere_is_an_error(site, config):
    site.pages["/home"] = ("text/html; charset=utf-8", page())
    result = cli(config, "add", site.url("/home"), "--allow-private")
    assert result.exit_code == 1
    assert "links to none" in result.output and "/rss.xml: " in result.output
    assert names(config) == []


def test_a_local_url_needs_allow_private(site, config):
    serve_feed(site, "/feed.xml")
    result = cli(config, "add", site.url("/feed.xml"))
    assert result.exit_code == 1 and "refused" in result.output
    assert site.requests == []


def test_list_disable_and_enable(site, config):
    serve_feed(site, "/feed.xml")
    assert cli(config, "add", site.url("/feed.xml"), "--allow-private",
               "--name", "kuaixun").exit_code == 0
    listed = cli(config, "list")
    assert "kuaixun [enabled] feed" in listed.output and "never fetched" in listed.output
    assert cli(config, "disable", "kuaixun").exit_code == 0
    assert not load(config, {}).sources[0].enabled
    assert "kuaixun [disabled]" in cli(config, "list").output
    assert cli(config, "enable", "kuaixun").exit_code == 0
    assert load(config, {}).sources[0].enabled
    assert "enabled = " not in config.read_text(encoding="utf-8").split("kuaixun")[1]
    missing = cli(config, "disable", "nope")
    assert missing.exit_code == 2 and "no source named 'nope'" in missing.output


def test_list_shows_each_sources_last_fetch(site, config, tmp_path):
    serve_feed(site, "/feed.xml")
    assert cli(config, "add", site.url("/feed.xml"), "--allow-private",
               "--name", "ok").exit_code == 0
    assert cli(config, "add", site.url("/feed.xml").replace("127.0.0.1", "localhost"),
               "--allow-private", "--name", "broken").exit_code == 0
    site.pages.pop("/feed.xml")  # the second poll of either finds nothing there
    fetched = CliRunner().invoke(main, ["--config", str(config), "fetch"])
    assert "ok: failed" in fetched.output and "broken: failed" in fetched.output
    listed = cli(config, "list").output
    assert "1 errors in a row" in listed and "404" in listed


OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>订阅</title></head><body>
  <outline text="财经"><outline text="银行">
    <outline type="rss" text="示例银行" xmlUrl="https://bank.example.com/rss.xml"/>
  </outline>
  <outline type="rss" text="证券时报" xmlUrl="https://stcn.example.com/feed"/></outline>
  <outline type="rss" text="证券时报" xmlUrl="https://stcn.example.com/feed"/>
  <outline type="link" text="网页" url="https://example.com/"/>
</body></opml>
"""


def test_opml_import_reports_what_it_skips_and_export_round_trips(tmp_path, config):
    opml = tmp_path / "subs.opml"
    opml.write_text(OPML, encoding="utf-8")
    result = cli(config, "import", str(opml))
    assert result.exit_code == 0, result.output
    assert "imported 2 feeds" in result.output and "1 duplicates" in result.output
    assert "duplicate: 证券时报" in result.output and "not imported: 网页" in result.output
    first = load(config, {}).sources
    assert [(s.name, s.tags) for s in first] == [("shiliyinhang", ("财经", "银行")),
                                                 ("zhengquanshibao", ("财经",))]
    # Importing the same file again adds nothing and says why.
    again = cli(config, "import", str(opml))
    assert "imported 0 feeds" in again.output and "configured already" in again.output

    assert cli(config, "disable", "zhengquanshibao").exit_code == 0
    exported = cli(config, "export")
    assert exported.exit_code == 0 and exported.stdout_bytes.startswith(b"<?xml")
    (tmp_path / "out.opml").write_bytes(exported.stdout_bytes)
    fresh = tmp_path / "fresh" / "finews.toml"
    fresh.parent.mkdir()
    assert cli(fresh, "import", str(tmp_path / "out.opml")).exit_code == 0
    assert load(fresh, {}).sources == load(config, {}).sources


def test_sources_commands_run_as_a_process(tmp_path):
    # The finews under test, wherever the working directory is.
    env = {**os.environ, "PYTHONPATH": str(Path(finews.__file__).resolve().parents[1])}
    run = subprocess.run([sys.executable, "-m", "finews.cli", "sources", "list"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert run.returncode == 0 and "no sources are configured" in run.stdout


def test_a_refused_edit_leaves_the_file_as_it_was(site, config):
    serve_feed(site, "/feed.xml")
    before = config.read_bytes()
    result = cli(config, "add", site.url("/feed.xml"), "--allow-private",
                 "--fulltext", "page", "--selector", "div >")
    assert result.exit_code == 2 and "not a valid CSS selector" in result.output
    assert config.read_bytes() == before
    assert [p.name for p in config.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("path, why", [
    ("/huge", "fetch.max_bytes"), ("/bomb", "fetch.max_bytes"), ("/endless", "took longer"),
])
def test_a_hostile_page_is_refused_with_a_reason(site, config, path, why):
    before = config.read_bytes()
    result = cli(config, "add", site.url(path), "--allow-private")
    assert result.exit_code == 1 and why in result.output
    assert "Traceback" not in result.output and config.read_bytes() == before


def test_a_page_nested_thirty_thousand_deep_still_gives_its_feed(site, config):
    serve_feed(site, "/rss.xml", "深层页面")
    body = b"<b>" * 30_000 + "正文".encode() + b"</b>" * 30_000  # within fetch.max_bytes
    site.pages["/deep"] = ("text/html; charset=utf-8", page(rss_link("/rss.xml", "深层页面")).replace(
        b"<body>", b"<body>" + body))
    result = cli(config, "add", site.url("/deep"), "--allow-private")
    assert result.exit_code == 0, result.output
    assert names(config) == [("shencengyemian", site.url("/rss.xml"))]
