"""/api/clusters, /api/stocks/<id> and search grouped by cluster, on a real store."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from starlette.testclient import TestClient

from finews.cluster import cluster_new
from finews.config import Settings, SiteSettings
from finews.model import RawItem
from finews.process import ProcessOptions, process_item
from finews.store.sqlite import SQLiteStore
from finews.upstream.generator import StoryGenerator
from finews.upstream.republish import republish
from finews.web.app import create_app

START = datetime(2026, 3, 1, 2, tzinfo=timezone.utc)


def _article(story, source: str, tz):
    raw = RawItem(source=source, upstream_id=story.info_code, title=story.title,
                  body_html=story.body_html, published=story.showtime, media=story.media,
                  stocks=story.stock_ids, payload=b"{}")
    return process_item(raw, options=ProcessOptions(tz=tz))


@pytest.fixture
def site(tmp_path):
    settings = Settings(data_dir=tmp_path, site=SiteSettings(base_url="http://127.0.0.1:8000/"))
    gen, rng = StoryGenerator(4), random.Random(4)
    batch, originals = [], []
    for i in range(8):
        story = gen.make(START + timedelta(hours=i))
        originals.append(story)
        batch.append(_article(story, "a", settings.site.tz))
    for c in range(3):   # three copies of the first story, one of the second
        batch.append(_article(republish(originals[0], rng, seq=500 + c,
                                        delay=timedelta(minutes=10 + c), traditional=0),
                              f"copy{c}", settings.site.tz))
    batch.append(_article(republish(originals[1], rng, seq=600, delay=timedelta(minutes=3),
                                    traditional=0), "copy9", settings.site.tz))
    with SQLiteStore.open(settings.store_path, settings.site.tz) as store:
        store.upsert_articles([(a, b"{}") for a in batch])
        cluster_new(store)
    app = create_app(settings, lambda: SQLiteStore.open(settings.store_path,
                                                        settings.site.tz, readonly=True))
    return originals, TestClient(app)


def test_api_clusters_lists_the_largest_first_with_their_lead(site):
    originals, client = site
    answer = client.get("/api/clusters").json()
    sizes = [c["size"] for c in answer["clusters"]]
    assert sizes == [4, 2]
    top = answer["clusters"][0]
    assert top["lead"]["title"] == originals[0].title
    assert len(top["stories"]) == 4 and top["stories"][0] == top["lead"]
    assert len({s["media"] for s in top["stories"]}) >= 2
    assert client.get("/api/clusters", params={"min_size": "3"}).json()["clusters"][0][
        "size"] == 4
    # the window counts back from the newest story: one hour leaves the first out
    assert client.get("/api/clusters", params={"hours": "1"}).json()["clusters"] == []
    bad = client.get("/api/clusters", params={"hours": "0"})
    assert bad.status_code == 400 and bad.json()["error"]["code"]
    assert client.get("/api/clusters", params={"colour": "x"}).status_code == 400


def test_api_stocks_pages_a_stocks_stories(site):
    originals, client = site
    market, code, name = originals[0].stocks[0]
    answer = client.get(f"/api/stocks/{market}.{code}", params={"size": "2"})
    assert answer.status_code == 200
    doc = answer.json()
    # named when some story marked it up with its name, else known by its code
    assert doc["stock"]["name"] in (name, "") and doc["stock"]["path"] == f"stock/{market}.{code}.html"
    assert len(doc["stories"]) == min(2, doc["stock"]["count"])
    times = [s["published"] for s in doc["stories"]]
    assert times == sorted(times, reverse=True)
    assert doc["pages"] == -(-doc["stock"]["count"] // 2)
    assert client.get("/api/stocks/1.999999").status_code == 404
    assert client.get("/api/stocks/nodot").status_code == 400


def test_search_groups_a_clusters_reports_into_one_result(site):
    originals, client = site
    word = originals[0].stocks[0][2]
    plain = client.get("/api/search", params={"q": word, "size": "50"}).json()["results"]
    grouped = client.get("/api/search", params={"q": word, "size": "50",
                                                "group": "cluster"}).json()
    folded = [r for r in grouped["results"] if r["also"]]
    assert folded and len(grouped["results"]) < len(plain)
    assert sum(1 + len(r["also"]) for r in grouped["results"]) == len(plain)
    assert grouped["query"]["group"] == "cluster"
    assert client.get("/api/search", params={"q": word, "group": "x"}).status_code == 400
    page = client.get("/search", params={"q": word, "group": "cluster"})
    assert "家报道" in page.text and "checked" in page.text


def test_the_openapi_document_describes_both_routes(site):
    _, client = site
    doc = client.get("/api/openapi.json").json()
    clusters = doc["paths"]["/api/clusters"]["get"]
    assert {p["name"] for p in clusters["parameters"]} == {"hours", "limit", "min_size"}
    stock = doc["paths"]["/api/stocks/{stock_id}"]["get"]
    where = {p["name"]: (p["in"], p["required"]) for p in stock["parameters"]}
    assert where == {"stock_id": ("path", True), "page": ("query", False),
                     "size": ("query", False)}
    assert "404" in stock["responses"]
    search = doc["paths"]["/api/search"]["get"]
    assert "group" in {p["name"] for p in search["parameters"]}
