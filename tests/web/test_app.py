"""The web app through Starlette's TestClient: files, API, errors, headers."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from finews.web import create_app
from finews.web.headers import CSP

from .conftest import SECRET, Site


@pytest.fixture
def site(any_site):
    """The API on each store backend."""
    return any_site



@pytest.fixture
def client(site: Site) -> TestClient:
    return TestClient(create_app(site.settings, site.store), raise_server_exceptions=False)


def assert_secure(response) -> None:
    h = response.headers
    assert h["content-security-policy"] == CSP
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"]


@pytest.mark.parametrize("path,status,ctype", [
    ("/", 200, "text/html; charset=utf-8"),
    ("/index.html", 200, "text/html; charset=utf-8"),
    ("/archive/", 200, "text/html; charset=utf-8"),
    ("/feed.xml", 200, "application/atom+xml"),
    ("/category/shiliribao.xml", 200, "application/atom+xml"),
    ("/sitemap.xml", 200, "application/xml"),
    ("/sitemap/pages.xml", 200, "application/xml"),
    ("/latest.json", 200, "application/json"),
    ("/static/style.css", 200, "text/css; charset=utf-8"),
    ("/static/live.js", 200, "text/javascript; charset=utf-8"),
    ("/shiliribao/2022/03/01/NW0.html", 200, "text/html; charset=utf-8"),
    ("/no/such/page.html", 404, "text/html; charset=utf-8"),
    ("/api/latest", 200, "application/json"),
    ("/api/status", 200, "application/json"),
    ("/api/nothing", 404, "application/json"),
])
def test_status_and_content_types(client: TestClient, path: str, status: int,
                                  ctype: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == status
    assert response.headers["content-type"] == ctype
    assert_secure(response)


def test_not_found_serves_the_site_404_page(client: TestClient) -> None:
    response = client.get("/missing.html")
    assert response.status_code == 404
    assert "找不到这个页面" in response.text


def test_folder_without_slash_redirects(client: TestClient) -> None:
    response = client.get("/archive", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == "/archive/"
    assert_secure(response)


def test_head_and_wrong_method(client: TestClient) -> None:
    head = client.head("/index.html")
    assert head.status_code == 200 and head.content == b""
    post = client.post("/index.html")
    assert post.status_code == 405
    assert_secure(post)


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/static/%2e%2e/%2e%2e/secret.txt",
    "/static%2f..%2f..%2fsecret.txt", "/..%2fsecret.txt", "/..%5csecret.txt",
    "/static/..\\..\\secret.txt", "/%00", "/index.html%00.txt", "/%2e%2e%2fsecret.txt",
    "/.tmp-x.part", "/static/.hidden",
])
def test_no_traversal(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code in (400, 404)
    assert SECRET not in response.text
    assert_secure(response)


def test_latest_api(client: TestClient) -> None:
    data = client.get("/api/latest?limit=2").json()
    assert data["seq"] == 6
    assert [s["title"] for s in data["stories"]] == ["新闻 5 & <b>", "新闻 4 & <b>"]
    assert data["stories"][0]["url"] == "http://news.example/" + data["stories"][0]["path"]
    assert len(client.get("/api/latest").json()["stories"]) == 6


@pytest.mark.parametrize("query", [
    "limit=0", "limit=201", "limit=-1", "limit=abc", "limit=", "limit=1.5",
    "limit=%EF%BC%91", "limit=1&limit=2", "other=1", "limit=99999999999999999999",
])
def test_latest_rejects_bad_parameters(client: TestClient, query: str) -> None:
    response = client.get("/api/latest?" + query)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == "query" and body["error"]["message"]
    assert_secure(response)


def test_status_api(client: TestClient) -> None:
    data = client.get("/api/status").json()
    assert data["articles"] == 6 and data["quarantine"] == 0 and data["published_seq"] == 6
    demo, quiet = data["sources"]
    assert demo["name"] == "demo" and demo["last_error"] == "upstream answered 502"
    assert demo["error_count"] == 1 and demo["next_attempt"].startswith("2022-03-01T01:35")
    assert quiet["error_count"] == 0 and quiet["last_error"] is None
    bad = client.get("/api/status?x=1")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "query"


def test_store_failure_gives_the_json_error_shape(site: Site, tmp_path) -> None:
    from finews.errors import StoreError

    def broken():
        raise StoreError("cannot open the store")

    client = TestClient(create_app(site.settings, broken), raise_server_exceptions=False)
    response = client.get("/api/latest")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "store"
    assert_secure(response)
