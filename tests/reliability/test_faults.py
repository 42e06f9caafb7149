"""Every fault kind of the local upstream, through the whole ingest path.

Each case runs ``fetch_pass`` against a real upstream on 127.0.0.1 and a real
store, with the fault on; checks what finews recorded (stored, quarantined,
or a source error with its count and next attempt); then clears the fault
and checks that the source recovers by itself and that every story the
upstream serves is stored exactly once.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from finews.upstream import Fault

from .conftest import run_pass, settings_for, stored_keys

#: source → (fault prefix, list name, the id each list item carries)
SOURCES = {
    "t-rolling": ("/em/rolling", "rolling", lambda s: s.code),
    "t-fast": ("/em/fast", "fast", lambda s: s.code),
    "t-zhibo": ("/sina/zhibo", "zhibo", lambda s: str(s.zhibo_id)),
    "t-rss": ("/feed/rss.xml", None, lambda s: s.code),
}

#: Faults that make the list unreadable: (case, source, fault, words of the error).
ERRORS = [
    ("http-500", "t-rolling", Fault(status=500), "500"),
    ("http-503-retry-after", "t-fast", Fault(status=503, retry_after=1), "503"),
    ("http-429-long-retry-after", "t-rolling", Fault(status=429, retry_after=120), "120 s"),
    ("http-404", "t-zhibo", Fault(status=404), "404"),
    ("connection-reset", "t-rolling", Fault(reset=True), "failed"),
    ("slow-past-read-timeout", "t-fast", Fault(delay=0.6), "sent nothing"),
    ("body-dripping-past-deadline", "t-rolling", Fault(drip=0.15), "took longer"),
    ("truncated-json", "t-rolling", Fault(truncate=300), "truncated"),
    ("malformed-json", "t-zhibo", Fault(malformed=True), "not valid JSON"),
    ("huge-body", "t-fast", Fault(pad=600_000), "limit"),
    ("redirect-to-file-url", "t-rolling", Fault(redirect="file:///etc/passwd"), "only http"),
    ("redirect-loop", "t-rolling", Fault(redirect="/em/rolling?count=100"), "redirects more"),
    ("not-a-feed", "t-rss", Fault(status=200, content_type="text/html"), "not"),
    ("empty-body-no-type", "t-fast", Fault(truncate=0, content_type=""), "empty"),
]

#: Faults finews reads through: (case, source, fault).
QUIRKS = [
    ("jsonp-wrapper", "t-rolling", Fault(jsonp="jQuery1830_17")),
    ("var-wrapper", "t-fast", Fault(jsonp="var ajaxResult")),
    ("gbk-labelled-utf8", "t-rolling", Fault(gbk=True)),
    ("gbk-without-charset", "t-zhibo", Fault(gbk=True, content_type="application/json")),
    ("gbk-labelled-latin1", "t-fast", Fault(gbk=True,
                                            content_type="text/plain; charset=iso-8859-1")),
    ("no-content-type", "t-rolling", Fault(content_type="")),
    ("empty-list", "t-rolling", Fault(empty=True)),
    ("empty-feed", "t-rss", Fault(empty=True)),
    ("duplicate-items", "t-zhibo", Fault(duplicate=True)),
    ("duplicate-feed-entries", "t-rss", Fault(duplicate=True)),
    ("items-without-id", "t-rolling", Fault(missing=("id",))),
    ("items-without-time", "t-rolling", Fault(missing=("showtime",))),
    ("items-without-title", "t-fast", Fault(missing=("title", "summary"))),
    ("items-without-id-and-title", "t-fast", Fault(missing=("code", "title"))),
    ("hostile-items", "t-rolling", Fault(hostile=True)),
    ("hostile-feed-entry", "t-rss", Fault(hostile=True)),
    ("truncated-feed", "t-rss", Fault(truncate=2000)),
    ("malformed-feed", "t-rss", Fault(malformed=True)),
    ("gbk-feed-labelled-utf8", "t-rss", Fault(gbk=True)),
    ("slow-but-in-time", "t-zhibo", Fault(delay=0.1)),
    ("one-503-then-fine", "t-rolling", Fault(status=503, times=1)),
    ("one-reset-then-fine", "t-fast", Fault(reset=True, times=1)),
]

#: Full-text faults: the list is fine, the story's own text is not.
FULLTEXT = [
    ("fulltext-500", "t-rolling", "/em/rolling/text", Fault(status=500)),
    ("fulltext-malformed", "t-rolling", "/em/rolling/text", Fault(malformed=True)),
    ("fulltext-slow", "t-rolling", "/em/rolling/text", Fault(delay=0.6)),
    ("fulltext-reset", "t-rolling", "/em/rolling/text", Fault(reset=True)),
    ("fulltext-hostile-redirect", "t-rolling", "/em/rolling/text",
     Fault(redirect="file:///etc/passwd")),
]

FAULT_KINDS = len(ERRORS) + len(QUIRKS) + len(FULLTEXT)


def expected_keys(upstream, name: str) -> set[tuple[str, str]]:
    _, list_name, ident = SOURCES[name]
    return {(name, ident(s)) for s in upstream.stories(list_name)[:100]}


def assert_all_stored_once(upstream, store, name: str) -> None:
    keys = Counter(k for k in stored_keys(store) if k[0] == name)
    assert set(keys) == expected_keys(upstream, name) | {
        k for k in keys if "passwd" in k[1]}  # the hostile item, when served, stays
    assert max(keys.values()) == 1, "a story is stored twice"


def assert_accounted(report) -> None:
    for src in report.sources:
        assert src.accounted == src.served, src


def recover(upstream, settings, store, name: str) -> None:
    """Clear every fault: the next pass succeeds and stores every story once."""
    upstream.clear_faults()
    report = run_pass(settings, store)
    assert_accounted(report)
    assert report.sources[0].error is None, report.sources[0].error
    state = store.source_state(name)
    assert state.error_count == 0 and state.last_error is None
    assert_all_stored_once(upstream, store, name)


@pytest.mark.parametrize("case, name, fault, words", ERRORS, ids=[c[0] for c in ERRORS])
def test_unreadable_answers_are_source_errors_that_recover(upstream, backend_store_for, tmp_path,
                                                          case, name, fault, words):
    fetch = {"connect_timeout": 0.2, "read_timeout": 0.2} if fault.drip else None
    settings = settings_for(upstream, tmp_path, names=[name], fetch=fetch)
    store = backend_store_for(settings)
    upstream.set_fault(SOURCES[name][0], fault)
    before = datetime.now(timezone.utc).replace(microsecond=0)
    report = run_pass(settings, store)
    src = report.sources[0]
    assert src.error and words in src.error, src.error
    assert src.served == src.accounted == 0
    state = store.source_state(name)
    assert state.error_count == 1
    assert words in state.last_error
    assert state.next_attempt >= before + timedelta(seconds=settings.sources[0].interval)
    if fault.retry_after and fault.retry_after > settings.fetch.backoff_max:
        assert state.next_attempt >= before + timedelta(seconds=fault.retry_after)
    assert store.count_articles() == 0

    run_pass(settings, store)  # still failing: the count grows
    assert store.source_state(name).error_count == 2
    recover(upstream, settings, store, name)


@pytest.mark.parametrize("case, name, fault", QUIRKS, ids=[c[0] for c in QUIRKS])
def test_odd_answers_are_read_or_quarantined_item_by_item(upstream, backend_store_for, tmp_path,
                                                         case, name, fault):
    settings = settings_for(upstream, tmp_path, names=[name])
    store = backend_store_for(settings)
    upstream.set_fault(SOURCES[name][0], fault)
    report = run_pass(settings, store)
    src = report.sources[0]
    assert src.error is None, src.error
    assert_accounted(report)
    served = len(expected_keys(upstream, name))
    if fault.empty:
        assert src.served == 0
    elif fault.duplicate:
        assert src.served == 2 * served and src.new == served and src.unchanged == served
    elif fault.missing:  # no id, no time or no text at all: quarantined
        assert src.quarantined == (served + 1) // 2
        assert store.count_quarantine() == src.quarantined
    elif fault.hostile:
        assert src.served == served + 1
    elif fault.truncate is None and not fault.malformed:
        assert src.new == served, "a readable answer stores every story"
    assert store.source_state(name).error_count == 0
    if fault.gbk:  # mislabelled bytes are decoded right, not stored as mojibake
        titles = {s.title for s in upstream.stories()}
        assert {a.article.title for a in store.iter_articles()} <= titles
    recover(upstream, settings, store, name)


@pytest.mark.parametrize("case, name, prefix, fault", FULLTEXT, ids=[c[0] for c in FULLTEXT])
def test_failed_full_texts_are_fetched_again_even_if_the_list_is_unchanged(
        upstream, backend_store_for, tmp_path, case, name, prefix, fault):
    settings = settings_for(upstream, tmp_path, names=[name])
    store = backend_store_for(settings)
    upstream.set_fault(prefix, fault)
    first = run_pass(settings, store).sources[0]
    assert first.error is None and first.new == first.served > 0
    upstream.clear_faults()
    second = run_pass(settings, store).sources[0]
    # The list did not change, yet it is read again in full (no 304) and the
    # stories stored from list data alone get their text as an update.
    assert not second.not_modified
    assert second.updated == first.new
    for story in upstream.stories("rolling"):
        stored = store.article_by_key(name, story.code)
        assert stored is not None and story.title in stored.article.title
        assert len(stored.article.body_html) > len(story.summary)
    third = run_pass(settings, store).sources[0]
    assert third.not_modified  # now whole: conditional GET again
