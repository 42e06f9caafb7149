"""Pipeline-level fuzzing: any answer an upstream can send, through fetch_source.

The processing functions and the slug function have their own hypothesis
tests (tests/process); here whole answers — random items in a real list
shape, random full texts, random bytes — go through the one ingest path
into a real store. Whatever comes, ``fetch_source`` returns a report (never
raises), accounts for every item served, and stores only sanitised bodies.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings, strategies as st

from finews.config import from_mapping
from finews.fetch import Fetcher
from finews.ingest import fetch_source
from finews.process.sanitise import is_safe_html
from finews.store.sqlite import SQLiteStore
from finews.store import open_store

from .xss_corpus import HOSTILE_IDS, XSS

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=40), st.sampled_from(XSS), st.sampled_from(HOSTILE_IDS))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8)
TIMES = st.one_of(st.just("2024-03-13 15:00:00"), st.text(max_size=25),
                  st.integers(-10 ** 12, 10 ** 13), st.just("9999-99-99 99:99:99"))


def item(fields: dict) -> dict:
    return {key: value for key, value in fields.items() if value is not ...}


ROLLING_ITEMS = st.builds(
    lambda *values: item(dict(zip(("id", "infoCode", "title", "digest", "showtime",
                                   "url_w"), values))),
    st.one_of(st.just(...), st.text(max_size=30), st.integers(), st.sampled_from(HOSTILE_IDS),
              VALUES),
    st.one_of(st.just(...), st.text(min_size=1, max_size=20), VALUES),
    st.one_of(st.just(...), st.text(max_size=60), st.sampled_from(XSS), VALUES),
    st.one_of(st.just(...), st.text(max_size=80), st.sampled_from(XSS)),
    st.one_of(st.just(...), TIMES),
    st.one_of(st.just(...), st.text(max_size=40), st.just("javascript:alert(1)"),
              st.just("http://127.0.0.1/admin")))
FULLTEXTS = st.one_of(st.sampled_from(XSS), st.text(max_size=200),
                      st.binary(max_size=100).map(lambda b: b.decode("latin-1")))
BODIES = st.one_of(
    st.lists(ROLLING_ITEMS, max_size=6).map(lambda items: json.dumps({"records": items})),
    st.lists(VALUES, max_size=4).map(lambda items: json.dumps({"records": items})),
    VALUES.map(json.dumps), st.text(max_size=200))


def settings_in(tmp: Path):
    return from_mapping({"data_dir": "data", "fetch": {"retries": 0}, "sources": [{
        "name": "fuzz", "kind": "json", "url": "http://news.test/list", "preset": "em-rolling",
        "allow_private": True,
        "mapping": {"fulltext_url": "http://news.test/text?id={infoCode}"}}]}, base=tmp)


def fetch_with(answer, config, store):
    """One pass over the fuzz source, every request answered by ``answer``."""
    async def go():
        async with Fetcher(config.fetch, transport=httpx.MockTransport(answer)) as fetcher:
            return await fetch_source(config.sources[0], config, store, fetcher)
    return asyncio.run(go())


def run(body: bytes, fulltext: str, content_type: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/text":
            return httpx.Response(200, json={"content": fulltext})
        return httpx.Response(200, content=body, headers={"content-type": content_type})

    with tempfile.TemporaryDirectory() as tmp:
        config = settings_in(Path(tmp))
        with open_store(config.store, config.site.tz) as store:
            report = fetch_with(answer, config, store)
            if report.error is None:
                assert report.accounted == report.served
            else:
                assert report.served == 0 and store.source_state("fuzz").error_count == 1
            for stored in store.iter_articles():
                assert is_safe_html(stored.article.body_html)
                assert stored.path.endswith(".html") and ".." not in stored.path.split("/")
                assert not stored.path.startswith("/")
            assert store.integrity_check() == "ok"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(BODIES, FULLTEXTS, st.sampled_from(["application/json; charset=utf-8",
                                           "text/html; charset=gbk", ""]))
def test_any_list_answer_is_stored_quarantined_or_a_source_error(body, fulltext, ctype):
    run(body.encode("utf-8", "surrogatepass"), fulltext, ctype)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_any_bytes_are_a_source_error_or_a_list(body):
    run(body, "<p>x</p>", "application/json")


def test_the_fuzz_harness_stores_a_well_formed_item():
    # The same harness with an ordinary answer stores it: the properties above
    # are not vacuous.
    body = json.dumps({"records": [{"id": "1", "infoCode": "NW1", "title": "沪指收涨",
                                    "digest": "【沪指收涨】摘要", "showtime":
                                    "2024-03-13 15:00:00"}]}).encode()
    with tempfile.TemporaryDirectory() as tmp:
        config = settings_in(Path(tmp))

        def answer(request):
            if request.url.path == "/text":
                return httpx.Response(200, json={"content": XSS[0] + "<p>正文</p>"})
            return httpx.Response(200, content=body)
        with open_store(config.store, config.site.tz) as store:
            report = fetch_with(answer, config, store)
            assert report.new == report.served == 1
            body_html = next(store.iter_articles()).article.body_html
            assert "正文" in body_html and "<script" not in body_html
