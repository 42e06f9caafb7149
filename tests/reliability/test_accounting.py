"""A long faulty run: faults switched on and off at random (seeded), pass after pass.

For every pass and source, every item served ends as exactly one of new,
updated, unchanged or quarantined. After every pass, every story a source
served while its list and full texts were healthy is in the store; at the
end, with the upstream healthy again, every story is stored exactly once
and the lifetime counters `finews status` shows add up.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from pathlib import Path

from finews.upstream import Fault

from .conftest import SLOW, run_pass, settings_for, stored_keys

PASSES = int(os.environ.get("FINEWS_FAULTY_PASSES", "300" if SLOW else "24"))
SEED = int(os.environ.get("FINEWS_FAULTY_SEED", "7"))
FIGURES = os.environ.get("FINEWS_FIGURES")

#: source → (list prefix, full-text prefix, list name, item id, id field, filter)
SOURCES = {
    "t-rolling": ("/em/rolling", "/em/rolling/text", "rolling", lambda s: s.code, "id"),
    "t-media": ("/em/media", "/em/media/text", "media", lambda s: s.info_code, "infocode"),
    "t-market37": ("/em/market", "/em/market/text", "market", lambda s: s.info_code,
                   "infoCode"),
    "t-fast": ("/em/fast", None, "fast", lambda s: s.code, "code"),
    "t-columns": ("/em/columns", "/em/getnews", "columns", lambda s: s.code, "code"),
    "t-zhibo": ("/sina/zhibo", None, "zhibo", lambda s: str(s.zhibo_id), "id"),
    "t-rss": ("/feed/rss.xml", None, None, lambda s: s.code, None),
}

#: Faults drawn at random for a list (the id field is filled in per list).
LIST_FAULTS = {
    "http-500": Fault(status=500), "http-503": Fault(status=503, retry_after=1),
    "http-429-long": Fault(status=429, retry_after=600), "reset": Fault(reset=True),
    "truncated": Fault(truncate=400), "malformed": Fault(malformed=True),
    "empty": Fault(empty=True), "duplicate": Fault(duplicate=True),
    "missing-id": Fault(missing=("ID",)), "hostile": Fault(hostile=True),
    "gbk": Fault(gbk=True), "jsonp": Fault(jsonp="cb"), "huge": Fault(pad=600_000),
    "one-503": Fault(status=503, times=1),
}
TEXT_FAULTS = {"text-500": Fault(status=500), "text-malformed": Fault(malformed=True),
               "text-reset": Fault(reset=True)}


def served_keys(upstream, name: str) -> set[tuple[str, str]]:
    _, _, list_name, ident, _ = SOURCES[name]
    stories = upstream.stories(list_name)
    if name == "t-market37":
        stories = [s for s in stories if s.market_type == "37"]
    return {(name, ident(s)) for s in stories[:100]}


def draw_faults(rng: random.Random, upstream, active: dict, injected: Counter) -> None:
    """Switch a few faults on or off."""
    for name, (prefix, text_prefix, _, _, id_field) in SOURCES.items():
        if rng.random() < 0.3:
            if active.pop(prefix, None):
                upstream.set_fault(prefix, None)
            else:
                kind = rng.choice(sorted(LIST_FAULTS))
                fault = LIST_FAULTS[kind]
                if fault.missing:
                    fault = Fault(missing=(id_field or "guid",))
                upstream.set_fault(prefix, fault)
                active[prefix] = kind
                injected[kind] += 1
        if text_prefix and rng.random() < 0.2:
            if active.pop(text_prefix, None):
                upstream.set_fault(text_prefix, None)
            else:
                kind = rng.choice(sorted(TEXT_FAULTS))
                upstream.set_fault(text_prefix, TEXT_FAULTS[kind])
                active[text_prefix] = kind
                injected[kind] += 1


def test_long_faulty_run_accounts_for_every_item(upstream, backend_store_for, tmp_path):
    rng = random.Random(SEED)
    settings = settings_for(upstream, tmp_path, names=SOURCES)
    store = backend_store_for(settings)
    active: dict[str, str] = {}
    injected: Counter = Counter()
    totals: Counter = Counter()
    lost_while_healthy = 0
    for _ in range(PASSES):
        if rng.random() < 0.5:
            upstream.add_stories(rng.randint(1, 3))
        draw_faults(rng, upstream, active, injected)
        # "one-503" faults clear themselves: what is active is what the upstream has.
        active = {p: k for p, k in active.items() if p in upstream.faults}
        report = run_pass(settings, store)
        known = set(stored_keys(store))
        for src in report.sources:
            assert src.accounted == src.served, src
            for key in ("served", "new", "updated", "unchanged", "quarantined"):
                totals[key] += getattr(src, key)
            prefix, text_prefix, *_ = SOURCES[src.source]
            healthy = (src.error is None and not src.not_modified
                       and prefix not in active and text_prefix not in active)
            if healthy:
                lost_while_healthy += len(served_keys(upstream, src.source) - known)
    assert lost_while_healthy == 0

    upstream.clear_faults()
    run_pass(settings, store)
    keys = Counter(stored_keys(store))
    assert max(keys.values()) == 1
    lost = sum(len(served_keys(upstream, name) - set(keys)) for name in SOURCES)
    assert lost == 0
    # every story once, however many lists carried it (plus the hostile test item)
    hostile = sum(1 for a in store.iter_articles() if "引号" in a.article.title)
    assert store.count_articles() - hostile == len(upstream.stories())
    for name in SOURCES:
        st = store.source_state(name)
        assert st.served == st.new + st.updated + st.unchanged + st.quarantined
    assert totals["served"] == (totals["new"] + totals["updated"] + totals["unchanged"]
                                + totals["quarantined"])
    assert sum(injected.values()) >= PASSES  # the run really was faulty
    if FIGURES:
        Path(FIGURES).write_text(json.dumps({
            "passes": PASSES, "faults_injected": sum(injected.values()),
            "by_kind": dict(injected), "totals": dict(totals),
            "lost_while_healthy": lost_while_healthy, "lost_at_end": lost}), encoding="utf-8")
