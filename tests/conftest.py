"""Both store backends for every test that asks for ``store_url``.

``store_url`` is parametrised: each test that uses it runs once on a SQLite
file and once on a fresh PostgreSQL database of a throw-away server that
``scripts/ensure-postgres.sh`` installs (Debian's ``postgresql``) and starts
for the test session. Each test's database is made from a template holding
the migrated schema, which takes milliseconds.

When the server cannot start, the PostgreSQL half is skipped with the
reason locally, and fails in CI (``CI=true``): a CI run must exercise both.
``FINEWS_TEST_POSTGRES_URL`` points the tests at an existing server instead
(its user must be allowed to create databases).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
ENSURE = REPO / "scripts" / "ensure-postgres.sh"
TEMPLATE = "finews_template"
BACKENDS = ("sqlite", "postgresql")
_numbers = itertools.count(1)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def with_database(url: str, database: str) -> str:
    """``url`` naming another database on the same server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


class PostgresServer:
    def __init__(self, url: str) -> None:
        self.url = url
        self._template_ready = False

    def _admin(self):
        import psycopg
        return psycopg.connect(self.url, autocommit=True)

    def _template(self) -> None:
        if self._template_ready:
            return
        from zoneinfo import ZoneInfo
        from finews.store import open_store
        with self._admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        # The schema is made once; every test database is a copy of it.
        open_store(with_database(self.url, TEMPLATE), ZoneInfo("UTC")).close()
        self._template_ready = True

    def new_database(self) -> str:
        self._template()
        name = f"finews_test_{os.getpid()}_{next(_numbers)}"
        with self._admin() as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return with_database(self.url, name)


@pytest.fixture(scope="session")
def postgres_server():
    """The session's PostgreSQL server; skipped locally (failed in CI) when none starts."""
    given = os.environ.get("FINEWS_TEST_POSTGRES_URL")
    if given:
        yield PostgresServer(given)
        return
    folder = Path(tempfile.mkdtemp(prefix="finews-pg-"))
    try:
        done = subprocess.run(["bash", str(ENSURE), "start", str(folder)],
                              capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        done = None
        reason = f"scripts/ensure-postgres.sh could not run: {exc}"
    if done is not None:
        reason = done.stderr.strip() or "scripts/ensure-postgres.sh failed"
    if done is None or done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        if _in_ci():
            pytest.fail(f"PostgreSQL is required in CI and did not start: {reason}")
        pytest.skip(f"no PostgreSQL server for the tests: {reason}")
    try:
        yield PostgresServer(done.stdout.strip().splitlines()[-1])
    finally:
        subprocess.run(["bash", str(ENSURE), "stop", str(folder)], capture_output=True,
                       timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """``sqlite`` or ``postgresql``: the test runs once on each."""
    return request.param


@pytest.fixture
def store_url(backend, request, tmp_path) -> str:
    """A fresh, empty store's URL on this test's backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'finews.db'}"
    return request.getfixturevalue("postgres_server").new_database()
