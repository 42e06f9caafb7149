import subprocess
import sys
import time
import tomllib
from datetime import datetime, timezone

import httpx
import pytest

from finews.config import from_mapping
from finews.errors import ParseError
from finews.sources.feed import parse_feed
from finews.sources.jsonlist import parse_fulltext, parse_list
from finews.sources.presets import plan_source
from finews.upstream import Fault, UpstreamServer
from finews.upstream.__main__ import _toml
from finews.upstream.generator import CHINA

START = datetime(2024, 3, 13, 15, 0, tzinfo=CHINA)


@pytest.fixture(scope="module")
def server():
    with UpstreamServer(seed=5, stories=450, start=START) as up:
        yield up


@pytest.fixture
def up(server):
    yield server
    for prefix in list(server.faults):
        server.set_fault(prefix, None)


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=10) as c:
        yield c


def sources(server):
    """The demo's sources exactly as finews would load them from finews.toml."""
    settings = from_mapping(tomllib.loads(_toml(server.source_settings("t"))))
    return {s.name: s for s in settings.sources}


EXPECTED = {  # source → (list, id of a story)
    "t-rolling": ("rolling", lambda s: s.code),
    "t-media": ("media", lambda s: s.info_code),
    "t-market37": ("market", lambda s: s.info_code),
    "t-fast": ("fast", lambda s: s.code),
    "t-columns": ("columns", lambda s: s.code),
    "t-zhibo": ("zhibo", lambda s: str(s.zhibo_id)),
    "t-rss": (None, lambda s: s.code),
    "t-atom": (None, lambda s: f"urn:finews-demo:{s.code}"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_endpoint_parses_with_its_preset(up, client, name):
    source = sources(up)[name]
    answer = client.get(source.url)
    assert answer.status_code == 200
    if source.kind == "feed":
        result = parse_feed(answer.content, name)
    else:
        mapping = plan_source(source).mapping
        result = parse_list(answer.content, answer.charset_encoding, mapping, name)
    list_name, ident = EXPECTED[name]
    stories = up.stories(list_name)
    if name == "t-market37":
        stories = [s for s in stories if s.market_type == "37"]
    assert result.rejects == []
    assert [i.upstream_id for i in result.items] == [ident(s) for s in stories[:100]]
    first, story = result.items[0], stories[0]
    assert story.title in (first.title or "")
    assert first.published in (story.showtime,
                               story.published.astimezone(timezone.utc).isoformat())
    if source.kind == "json" and first.fulltext_url:
        text = client.get(first.fulltext_url)
        assert parse_fulltext(text.content, text.charset_encoding,
                              mapping) == story.body_html
    elif source.kind == "json":
        assert first.body_html or first.fulltext_url  # flashes carry their text inline


def test_duplicates_are_served_by_two_lists(up):
    both = [s for s in up.stories() if s.lists == ("rolling", "media")]
    assert both and all(s in up.stories("rolling") and s in up.stories("media") for s in both)


@pytest.mark.parametrize("query, size", [("count=5", 5), ("count=0", 100), ("count=x", 100),
                                         ("count=9999", 500)])
def test_count(up, client, query, size):
    records = client.get(f"{up.url}/em/rolling?{query}").json()["records"]
    available = len(up.stories("rolling"))
    assert available > 100  # so the default page size shows
    assert len(records) == min(size or available, available, 500)


def test_jsonp_variants(up, client):
    fast = client.get(up.url + "/em/fast?callback=jQuery_1&pageSize=3")
    assert fast.text.startswith("jQuery_1({") and fast.text.endswith("})")
    zhibo = client.get(up.url + "/sina/zhibo?callback=cb</script>&page_size=3")
    assert zhibo.text.startswith("try{cbscript(")
    for answer, preset in ((fast, "em-fast"), (zhibo, "sina-zhibo")):
        mapping = plan_source(sources(up)["t-" + preset.split("-")[1]]).mapping
        assert len(parse_list(answer.content, None, mapping, "s").items) == 3


def test_etag_and_new_stories(client):
    with UpstreamServer(seed=9, stories=10, start=START) as up:
        first = client.get(up.url + "/em/media")
        etag = first.headers["ETag"]
        again = client.get(up.url + "/em/media", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        while not any("media" in s.lists for s in up.add_stories(3)):
            pass
        changed = client.get(up.url + "/em/media", headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag
        assert len(changed.json()["nodeList"]) > len(first.json()["nodeList"])


def test_stories_arrive_over_time(client):
    with UpstreamServer(seed=3, stories=5, rate=0.02, per_tick=2) as up:
        deadline = time.monotonic() + 10
        while len(up.stories()) < 9 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(up.stories()) >= 9
        times = [s.published for s in up.stories()]
        assert times == sorted(times, reverse=True)


@pytest.mark.parametrize("path", ["/em/nothing", "/em/rolling/text?id=NW1",
                                  "/em/getnews?newsid=1", "/a/1.html"])
def test_not_found(up, client, path):
    assert client.get(up.url + path).status_code == 404


def test_fault_status_and_retry_after(up, client):
    up.set_fault("/em/", Fault(status=429, retry_after=7))
    answer = client.get(up.url + "/em/rolling")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "7"
    assert client.get(up.url + "/sina/zhibo").status_code == 200   # other prefixes fine
    up.set_fault("/em/rolling", Fault(status=503))                  # longest prefix wins
    assert client.get(up.url + "/em/rolling").status_code == 503
    assert client.get(up.url + "/em/media").status_code == 429


def test_fault_truncate_makes_a_parse_error(up, client):
    up.set_fault("/em/rolling", Fault(truncate=500))
    answer = client.get(up.url + "/em/rolling")
    assert len(answer.content) == 500
    mapping = plan_source(sources(up)["t-rolling"]).mapping
    with pytest.raises(ParseError, match="truncated"):
        parse_list(answer.content, answer.charset_encoding, mapping, "s")


def test_fault_gbk_body_still_parses(up, client):
    mapping = plan_source(sources(up)["t-market37"]).mapping
    plain = client.get(up.url + "/em/market")
    up.set_fault("/em/market", Fault(gbk=True))
    answer = client.get(up.url + "/em/market")
    assert answer.charset_encoding == "utf-8"
    assert answer.content != plain.content
    with pytest.raises(UnicodeDecodeError):
        answer.content.decode("utf-8")
    parsed = parse_list(answer.content, answer.charset_encoding, mapping, "s").items
    expected = parse_list(plain.content, "utf-8", mapping, "s").items
    assert [(i.title, i.media) for i in parsed] == [(i.title, i.media) for i in expected]


def test_fault_delay_pad_and_redirect(up, client):
    up.set_fault("/em/columns", Fault(delay=0.05, pad=2_000_000))
    answer = client.get(up.url + "/em/columns?page_size=2")
    assert len(answer.content) > 2_000_000
    assert len(parse_list(answer.content, None, plan_source(
        sources(up)["t-columns"]).mapping, "s").items) == 2
    up.set_fault("/em/old", Fault(redirect="/em/rolling?count=1"))
    moved = client.get(up.url + "/em/old", follow_redirects=True)
    assert moved.status_code == 200 and len(moved.json()["records"]) == 1


def test_fault_reset(up, client):
    up.set_fault("/em/fast", Fault(reset=True))
    with pytest.raises(httpx.TransportError):
        client.get(up.url + "/em/fast")
    up.set_fault("/em/fast", None)
    assert client.get(up.url + "/em/fast").status_code == 200


def test_fault_hostile_items_pass_through_as_data(up, client):
    up.set_fault("/em/rolling", Fault(hostile=True))
    answer = client.get(up.url + "/em/rolling?count=3")
    result = parse_list(answer.content, None, plan_source(sources(up)["t-rolling"]).mapping,
                        "s")
    first = result.items[0]
    assert first.upstream_id == "../../etc/passwd" and "<script>" in first.title
    assert len(result.items) == 4


def test_main_prints_its_url():
    proc = subprocess.Popen([sys.executable, "-m", "finews.upstream", "--port", "0",
                             "--every", "0", "--stories", "5", "--print-sources"],
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert len(httpx.get(url + "/em/rolling", timeout=10).json()["records"]) <= 5
        assert "[[sources]]" in proc.stdout.readline() + proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_re_publications_are_re_worded_copies_by_other_outlets() -> None:
    with UpstreamServer(seed=5, stories=200, start=START, republish=0.3) as up:
        served = up.stories()
    copies = [s for s in served if s.seq >= 10_000_000]
    assert 30 < len(copies) < 100
    originals = {s.info_code: s for s in served if s.seq < 10_000_000}
    assert len({s.info_code for s in served}) == len(served)
    for copy in copies:
        # a copy names the original's companies, under another outlet and title
        original = next(o for o in originals.values() if o.stocks == copy.stocks
                        and o.published <= copy.published)
        assert copy.media != original.media or copy.title != original.title
    with UpstreamServer(seed=5, stories=200, start=START) as plain:
        assert all(s.seq < 10_000_000 for s in plain.stories())
