"""Property-based tests of the live API from its own OpenAPI document.

schemathesis reads ``/api/openapi.json`` from a real `finews serve` process
on a real SQLite store with stories in it, generates requests from the
documented parameters (hypothesis, a bounded number of examples), and checks
every answer: no 5xx, a documented status and content type, a body that
matches the documented schema. It takes about ten seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from .conftest import Site, article
from .live import finews_serve

EXAMPLES = 100
CHECKS = [checks.not_a_server_error, openapi_checks.status_code_conformance,
          openapi_checks.content_type_conformance,
          openapi_checks.response_schema_conformance]


@pytest.fixture(scope="module")
def live_api(tmp_path_factory) -> Iterator[str]:
    import finews.publish as publish
    from finews.store.sqlite import SQLiteStore

    from .conftest import TZ
    root: Path = tmp_path_factory.mktemp("schemathesis")
    db = root / "finews.sqlite3"
    store = SQLiteStore.open(db, TZ)
    store.upsert_articles([(article(n, ("示例日报", "其他晚报", "证券时报")[n % 3]), b"{}")
                           for n in range(40)])
    from finews.config import Settings, SiteSettings
    site = SiteSettings(base_url="http://news.example/")
    publish.build_site(store, root / "site", site)
    store.close()
    config = root / "finews.toml"
    config.write_text('data_dir = "."\n[site]\nbase_url = "http://news.example/"\n'
                      '[[sources]]\nname = "demo"\nurl = "http://demo.example/list"\n',
                      encoding="utf-8")
    with finews_serve(config) as base:
        yield base


@pytest.fixture(scope="module")
def api_schema(live_api: str):
    return schemathesis.openapi.from_url(f"{live_api}/api/openapi.json")


# The event stream stays open by design (schemathesis would read it until its
# own time limit); test_openapi checks its events against the document.
schema = schemathesis.pytest.from_fixture("api_schema").exclude(path="/api/events")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_answers_match_the_document(case, live_api: str) -> None:
    case.call_and_validate(base_url=live_api, checks=CHECKS)
