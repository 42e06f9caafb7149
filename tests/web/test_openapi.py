"""The OpenAPI document: valid OpenAPI 3.1, and in step with the app's routes
and the parameters the code accepts."""

from __future__ import annotations

import json

import httpx
import jsonschema
import pytest
from openapi_spec_validator import validate
from starlette.routing import Route
from starlette.testclient import TestClient

from finews.search.api import PARAMETERS
from finews.web import create_app
from finews.web.openapi import Operation, needs_document, undocumented

from .conftest import Site
from .test_serve import Running, server  # noqa: F401 - the live server fixture


@pytest.fixture
def app(site: Site):
    return create_app(site.settings, site.store)


@pytest.fixture
def doc(app) -> dict:
    with TestClient(app) as client:
        answer = client.get("/api/openapi.json")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    return answer.json()


def test_the_document_is_valid_openapi_3_1(doc: dict) -> None:
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_every_api_route_of_the_app_is_documented_and_nothing_else(app, doc) -> None:
    served = {r.path for r in app.routes if isinstance(r, Route) and needs_document(r.path)}
    assert served == set(doc["paths"])
    assert {"/api/search", "/api/latest", "/api/status", "/api/events", "/api/openapi.json",
            "/metrics"} <= served


def test_documented_parameters_are_the_ones_the_code_takes(doc: dict) -> None:
    def names(path: str) -> list[str]:
        return [p["name"] for p in doc["paths"][path]["get"].get("parameters", [])]
    assert names("/api/search") == list(PARAMETERS)
    assert names("/api/latest") == ["limit"]
    assert names("/api/status") == []


def test_a_route_without_an_operation_is_refused() -> None:
    op = Operation("x", "x", answers={})
    table = [("/api/latest", op), ("/api/new", None), ("/metrics", None), ("/search", None)]
    assert undocumented(table) == ["/api/new", "/metrics"]


def test_error_answers_match_the_documented_error_shape(app, doc: dict) -> None:
    error = doc["components"]["schemas"]["Error"]
    with TestClient(app) as client:
        for target in ("/api/search?q=x&q=y", "/api/latest?limit=0", "/api/status?x=1",
                       "/api/nothing"):
            answer = client.get(target)
            assert answer.status_code in (400, 404)
            jsonschema.validate(answer.json(), error)


def test_live_events_match_the_documented_event(server: Running, doc: dict) -> None:  # noqa: F811
    event_schema = doc["paths"]["/api/events"]["get"]["responses"]["200"]["content"][
        "text/event-stream"]["schema"]
    with httpx.Client(base_url=server.url, timeout=10) as client:
        with client.stream("GET", "/api/events") as stream:
            event: dict[str, str] = {}
            for line in stream.iter_lines():
                if line.startswith(("event: ", "data: ")):
                    key, _, value = line.partition(": ")
                    event[key] = value
                if "data" in event:
                    break
    jsonschema.validate(event, event_schema)
    jsonschema.validate(json.loads(event["data"]), event_schema["properties"]["data"][
        "contentSchema"])
