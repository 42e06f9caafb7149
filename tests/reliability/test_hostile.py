"""Hostile upstream data through the whole pipeline: nothing active, nothing outside.

The local upstream serves the XSS corpus as titles, digests, bodies and media
names, and path-walking ids, on every list and feed. After fetch, build,
Jekyll export and the JSON API, every output is parsed and every element and
attribute checked, and every file on disk is inside the folders finews owns.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from finews.original.export import export_jekyll
from finews.store.open import sqlite_path
from finews.publish.site import build_site
from finews.store.sqlite import SQLiteStore
from finews.store import open_store
from finews.upstream import UpstreamServer
from finews.upstream.generator import LISTS, Story
from finews.web.app import create_app

from .conftest import START, run_pass, settings_for
from .xss_corpus import HOSTILE_IDS, XSS, active_content

OWN_SCRIPT = "static/live.js"


def hostile_stories() -> list[Story]:
    stories = []
    for n, vector in enumerate(XSS):
        ident = HOSTILE_IDS[n % len(HOSTILE_IDS)]
        stories.append(Story(
            seq=10_000 + n, code=f"{ident}{n}" if n >= len(HOSTILE_IDS) else ident,
            title=f"标题{n}{vector}", summary=f"摘要{vector}",
            body_html=f"<p>正文{n}</p>{vector}<p>{vector}</p>",
            media=vector if n % 3 == 0 else f"媒体{n % 5}",
            published=START + timedelta(minutes=3 * n + 1),
            stocks=(("1", "600000", "浦发银行"),), lists=LISTS, market_type="37"))
    return stories


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Fetch, build, export and query the API once for the whole corpus."""
    tmp = tmp_path_factory.mktemp("hostile")
    with UpstreamServer(seed=4, stories=5, start=START) as upstream:
        upstream.publish(hostile_stories())
        settings = settings_for(upstream, tmp, fetch={"read_timeout": 5})
        with open_store(settings.store, settings.site.tz) as store:
            report = run_pass(settings, store)
            for src in report.sources:
                assert src.error is None, (src.source, src.error)
                assert src.accounted == src.served
            build = build_site(store, settings.site_dir, settings.site)
            export_jekyll(store, tmp / "jekyll", settings.site)
            stored = store.count_articles()
            quarantined = store.count_quarantine()
        app = create_app(settings, lambda: open_store(settings.store,
                                                            settings.site.tz, readonly=True))
        with TestClient(app) as client:
            api = {path: client.get(path) for path in ("/api/latest?limit=200", "/api/status")}
    return tmp, settings, api, build, stored, quarantined


def test_the_corpus_was_served_and_processed(outputs):
    tmp, settings, api, build, stored, quarantined = outputs
    assert stored >= len(XSS) // 2, "most hostile stories are stored (sanitised)"
    assert build.written > stored


#: JSON fields that are plain text by contract: an entity-encoded tag in an
#: upstream title decodes to "<" characters, shown as text by the templates
#: (escaped) and by live.js (textContent). They are checked as text instead.
TEXT_FIELDS = {"title"}


def _strings(value, key: str = ""):
    if isinstance(value, str):
        if key not in TEXT_FIELDS:
            yield value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)


def test_json_text_fields_are_only_ever_shown_as_text():
    script = (Path(__file__).parents[2] / "src/finews/publish/static/live.js").read_text()
    assert "textContent" in script
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


def test_no_active_content_in_any_page_feed_export_or_api(outputs):
    tmp, settings, api, *_ = outputs
    problems: dict[str, list[str]] = {}
    checked = 0
    for path in sorted(tmp.rglob("*")):
        if not path.is_file() or path.suffix in (".sqlite3", ".css", ".js", ".svg", ".ico") \
                or "sqlite3" in path.name:
            continue
        text = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(tmp))
        pieces = [text]
        if path.suffix == ".xml":
            root = ET.fromstring(text.encode("utf-8"))  # every feed and sitemap parses
            # Atom says which element texts are HTML (type="html"); the rest
            # are text a reader shows as text.
            pieces = [el.text for el in root.iter() if el.text and el.get("type") == "html"]
            assert not [el for el in root.iter() if el.get("type") == "xhtml"]
        if path.suffix == ".json":
            pieces = list(_strings(json.loads(text)))
        if path.suffix == ".md":
            # Front matter values are text the layouts escape; the body is HTML.
            front, _, body = text.partition("\n---\n")
            pieces = [body]
        for piece in pieces:
            found = active_content(piece, own_script=OWN_SCRIPT if rel.endswith(".html")
                                   else None)
            if found:
                problems.setdefault(rel, []).extend(found)
        checked += 1
    for name, answer in api.items():
        assert answer.status_code == 200, name
        for piece in _strings(answer.json()):
            if active_content(piece):
                problems.setdefault(name, []).extend(active_content(piece))
    assert checked > 100
    assert problems == {}


def test_site_scripts_are_only_the_sites_own(outputs):
    tmp, settings, *_ = outputs
    for page in settings.site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8").lower()
        assert text.count("<script") <= 1, page
        assert "javascript:" not in text and "vbscript:" not in text, page


def test_every_file_stays_inside_the_folders_finews_owns(outputs):
    tmp, settings, *_ = outputs
    allowed = [settings.site_dir.resolve(), sqlite_path(settings.store).parent.resolve(),
               (tmp / "jekyll").resolve()]
    for path in tmp.rglob("*"):
        real = path.resolve()
        assert any(real == a or real.is_relative_to(a) for a in allowed), path
        assert not path.is_symlink(), path
    assert not list(tmp.parent.glob("finews-escape*"))
    assert not Path("/tmp/finews-escape").exists()
    # The writer's own folder for files being written (a folder per writing
    # process inside it) is the one dot-name, and holds no file once a build
    # has finished.
    from finews.publish.writer import PARTIAL
    partial = settings.site_dir / PARTIAL
    assert not [p for p in partial.rglob("*") if not p.is_dir()]
    names = [p.name for p in settings.site_dir.rglob("*")
             if p != partial and not p.is_relative_to(partial)]
    assert not [n for n in names if n.startswith(".") or "\\" in n or "\x00" in n]


def test_a_half_written_temporary_file_is_never_served(outputs):
    tmp, settings, *_ = outputs
    # What a build killed between writing and renaming leaves behind.
    (settings.site_dir / ".tmp-abc123.part").write_text("<html><body>half")
    app = create_app(settings, lambda: open_store(settings.store,
                                                        settings.site.tz, readonly=True))
    with TestClient(app) as client:
        for path in ("/.tmp-abc123.part", "/%2etmp-abc123.part", "/static/../.tmp-abc123.part"):
            answer = client.get(path)
            assert answer.status_code in (404, 400) and "half" not in answer.text, path
    (settings.site_dir / ".tmp-abc123.part").unlink()
