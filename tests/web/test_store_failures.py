"""A store that fails (damaged, missing, locked, full) reaches a web client as a
503 with the one error shape, and the command line as one sentence naming
the file and what to do; never a 500 or a driver's exception."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from finews.store.failures import store_failure
from finews.web.responses import store_unavailable

from .conftest import Site
from .live import finews_serve, process_env

DRIVER_WORDS = ("sqlite", "DatabaseError", "OperationalError", "Traceback", "finews.sqlite3")


def write_config(tmp_path: Path) -> Path:
    config = tmp_path / "finews.toml"
    config.write_text('data_dir = "."\n[site]\nbase_url = "http://news.example/"\n'
                      '[[sources]]\nname = "demo"\nurl = "http://demo.example/list"\n',
                      encoding="utf-8")
    return config


def finews(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "finews.cli", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=120, env=process_env())


def remove_store(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def assert_503(answer: httpx.Response, code: str) -> None:
    assert answer.status_code == 503, answer.text
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert body["error"]["message"].startswith("the store is not available right now")
    for word in DRIVER_WORDS:
        assert word not in answer.text


def assert_one_sentence(result: subprocess.CompletedProcess, db: Path, advice: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith(f"finews: the store {db} ") and advice in lines[0]


def check_web(base: str, code: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        for target in ("/api/latest", "/api/status", "/api/search?q=新闻"):
            assert_503(client.get(target), code)
        page = client.get("/search", params={"q": "新闻"})
        assert page.status_code == 503 and "sqlite" not in page.text
        metrics = client.get("/metrics")
        assert metrics.status_code == 200 and "finews_store_up 0.0" in metrics.text
        home = client.get("/")       # the published site does not need the store
        assert home.status_code == 200 and "新闻" in home.text


def test_a_damaged_store(site: Site, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    remove_store(site.db)
    site.db.write_bytes(b"this is not a database at all\n" * 2000)
    with finews_serve(config) as base:
        check_web(base, "store_damaged")
    assert_one_sentence(finews(config, "status"), site.db, "restore it from a backup")
    assert_one_sentence(finews(config, "search", "新闻"), site.db, "restore it from a backup")


def test_a_store_damaged_inside(site: Site, tmp_path: Path) -> None:
    """A real SQLite file whose pages were overwritten in the middle."""
    config = write_config(tmp_path)
    conn = sqlite3.connect(site.db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(site.db.read_bytes())
    page = 4096
    for start in range(page, len(data), page):   # every page but the header's
        data[start:start + page] = b"\xff" * min(page, len(data) - start)
    remove_store(site.db)
    site.db.write_bytes(bytes(data))
    with finews_serve(config) as base:
        with httpx.Client(base_url=base, timeout=30) as client:
            assert_503(client.get("/api/latest"), "store_damaged")
            assert_503(client.get("/api/search", params={"q": "新闻"}), "store_damaged")
    assert_one_sentence(finews(config, "status"), site.db, "restore it from a backup")


def test_a_missing_store(site: Site, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    remove_store(site.db)
    with finews_serve(config) as base:
        check_web(base, "store_missing")
    assert not site.db.exists()      # serving never creates a store


def test_a_store_whose_folder_cannot_be_made(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    db = blocker / "finews.sqlite3"
    config.write_text(config.read_text() + f'\n[store]\nurl = "sqlite:///{db}"\n')
    result = finews(config, "status")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(blocker) in result.stderr


def test_a_locked_store(site: Site, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    # In WAL mode a reader is never kept out, and an exclusive lock needs
    # the server's own open connection gone; a rollback-journal store (as on
    # a file system without shared memory) can be locked against readers.
    conn = sqlite3.connect(site.db)
    assert conn.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    conn.close()
    with finews_serve(config) as base:
        holder = sqlite3.connect(site.db, isolation_level=None)
        holder.execute("PRAGMA busy_timeout = 5000")
        holder.execute("BEGIN EXCLUSIVE")          # held until the answers are in
        try:
            answers: dict[str, object] = {}

            def web() -> None:
                answers["web"] = httpx.get(base + "/api/latest", timeout=60)

            def cli() -> None:
                answers["cli"] = finews(config, "status")

            threads = [threading.Thread(target=web), threading.Thread(target=cli)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(90)
            waited = time.monotonic() - started
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        answer = answers["web"]
        assert_503(answer, "store_locked")
        assert answer.headers["retry-after"] == "5"
        assert_one_sentence(answers["cli"], site.db, "try again")
        assert "locked by another process" in answers["cli"].stderr
        assert waited < 60
        # and once the lock is gone, the same server answers again
        assert httpx.get(base + "/api/latest").status_code == 200


def full_error(tmp_path: Path) -> sqlite3.Error:
    """A real 'disk full' from SQLite: a database that may not grow past two pages."""
    conn = sqlite3.connect(tmp_path / "tiny.sqlite3")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count = 2")
    try:
        conn.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,))
    except sqlite3.Error as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError("SQLite did not report a full database")


def test_a_full_disk(tmp_path: Path) -> None:
    from finews.errors import StoreError
    cause = full_error(tmp_path)
    try:
        raise StoreError(f"cannot commit a write: {cause}") from cause
    except StoreError as exc:
        failure = store_failure(exc)
        answer = store_unavailable(exc)
    assert failure is not None and failure.reason == "full"
    assert failure.sentence("/srv/news/finews.sqlite3") == (
        "the store /srv/news/finews.sqlite3 cannot grow: the disk (or its quota) is full; "
        "free some space on that disk and try again")
    assert answer.status_code == 503 and b'"store_full"' in answer.body


@pytest.mark.parametrize("error", [ValueError("x"), RuntimeError("database is locked")])
def test_other_errors_are_not_store_failures(error: Exception) -> None:
    assert store_failure(error) is None
