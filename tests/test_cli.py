"""The `finews` command as a user runs it: a real process, real files, real ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import httpx
import pytest

import finews as finews_package
from finews.store import open_store

COMMANDS = ["init", "fetch", "build", "serve", "run", "import", "demo", "status",
            "export-jekyll", "search", "reindex", "recluster", "presets",
            "copy-store"]


#: The folder holding the finews package under test: the commands run that
#: code, not another installed copy.
SOURCE_ROOT = str(Path(finews_package.__file__).resolve().parents[1])


def finews(*args: str, cwd: Path, env: dict | None = None, timeout: float = 60):
    path = os.pathsep.join([SOURCE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])
    return subprocess.run([sys.executable, "-m", "finews.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": path, **(env or {})})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, tmp_path):
    result = finews(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "Usage:" in result.stdout and len(result.stdout.splitlines()) >= 3


def test_presets_lists_every_preset(tmp_path):
    from finews.sources.presets import PRESETS
    result = finews("presets", cwd=tmp_path)
    assert result.returncode == 0
    listed = [line for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert listed == sorted(PRESETS)


def test_presets_show_the_fulltext_host_option():
    from click.testing import CliRunner

    from finews.cli import main
    from finews.config_template import TEMPLATE
    result = CliRunner().invoke(main, ["presets"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for name in ("em-rolling", "em-media", "em-market"):
        shown = lines[lines.index(name) + 2]
        assert shown.startswith('    option fulltext_host = "choicewzp1.eastmoney.com"'), shown
    assert "fulltext_host" in TEMPLATE


def test_init_writes_a_config_once(tmp_path):
    first = finews("init", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "finews.toml").is_file()
    second = finews("init", cwd=tmp_path)
    assert second.returncode == 2
    assert second.stderr.startswith("finews: ") and "--force" in second.stderr
    assert finews("init", "--force", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("config, message", [
    ("[site]\ntitel = 'x'\n", "site.titel"),
    ("[site\n", "not valid TOML"),
    ("[[sources]]\nname = 'a'\nurl = 'gopher://x'\n", "sources[0].url"),
])
def test_bad_config_is_one_sentence_and_exit_2(config, message, tmp_path):
    (tmp_path / "finews.toml").write_text(config, encoding="utf-8")
    result = finews("status", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_fetch_without_sources_says_so(tmp_path):
    result = finews("fetch", cwd=tmp_path)
    assert result.returncode == 2
    assert "no sources are configured" in result.stderr


def test_fetch_failure_is_reported_not_raised(tmp_path):
    port = free_port()  # nothing listens there
    (tmp_path / "finews.toml").write_text(
        "[fetch]\nretries = 0\nconnect_timeout = 0.5\n"
        f"[[sources]]\nname = 'down'\npreset = 'em-fast'\n"
        f"url = 'http://127.0.0.1:{port}/x'\nallow_private = true\n", encoding="utf-8")
    result = finews("fetch", cwd=tmp_path)
    assert result.returncode == 3
    assert "down: failed" in result.stderr and "Traceback" not in result.stderr
    status = finews("status", cwd=tmp_path)
    assert "1 errors in a row" in status.stdout


def test_fetch_build_from_the_local_upstream(tmp_path):
    from finews.demo import prepare
    from finews.upstream.server import UpstreamServer
    with UpstreamServer(port=0, seed=3, stories=30) as upstream:
        prepare(tmp_path, upstream.source_settings(name_prefix="t"), 8000)
        fetched = finews("fetch", cwd=tmp_path)
        assert fetched.returncode == 0, fetched.stderr
        assert "30 new" in fetched.stdout.splitlines()[-1]
        built = finews("build", cwd=tmp_path)
        assert built.returncode == 0, built.stderr
        assert (tmp_path / "data" / "site" / "index.html").is_file()
        again = finews("fetch", cwd=tmp_path)
        assert " 0 new, 0 updated" in again.stdout.splitlines()[-1]
        rebuilt = finews("build", cwd=tmp_path)
        assert "0 pages written" in rebuilt.stdout
        # fetching clustered every story already: nothing is left for recluster
        assert finews("recluster", cwd=tmp_path).stdout.strip() == "clustered 0 stories"


#: What ``finews build`` must not load: the PostgreSQL driver, the clustering
#: stack, the HTTP client and the event loop belong to other commands, and a
#: user times the whole command, start-up included (issue #18).
NOT_FOR_BUILD = {"psycopg", "numpy", "datasketch", "httpx", "feedparser", "asyncio", "ssl",
                 "http", "rjieba", "opencc", "nh3"}


def test_build_does_not_load_what_only_other_commands_use(tmp_path):
    from finews.demo import prepare
    from finews.upstream.server import UpstreamServer
    with UpstreamServer(port=0, seed=3, stories=20) as upstream:
        prepare(tmp_path, upstream.source_settings(name_prefix="t"), 8000)
        assert finews("fetch", cwd=tmp_path).returncode == 0
    path = os.pathsep.join([SOURCE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])
    built = subprocess.run([sys.executable, "-X", "importtime", "-m", "finews.cli", "build",
                            "--full"], cwd=tmp_path, capture_output=True, text=True,
                           timeout=60, env={**os.environ, "PYTHONPATH": path})
    assert built.returncode == 0, built.stderr
    assert "full build:" in built.stdout
    loaded = {line.rsplit("|", 1)[1].strip().split(".")[0]
              for line in built.stderr.splitlines() if line.startswith("import time:")}
    assert "jinja2" in loaded and "finews" in loaded   # the parse read real lines
    assert loaded & NOT_FOR_BUILD == set()


def test_serve_with_search_workers_answers_and_stops_cleanly(tmp_path):
    """`python -m finews serve` with search worker processes: the command
    runs once (spawned workers do not run it again), they answer searches,
    and they stop with the server."""
    from finews.demo import prepare
    from finews.upstream.server import UpstreamServer
    with UpstreamServer(port=0, seed=3, stories=20) as upstream:
        prepare(tmp_path, upstream.source_settings(name_prefix="t"), 8000)
        assert finews("fetch", cwd=tmp_path).returncode == 0
    port = free_port()
    path = os.pathsep.join([SOURCE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])
    env = {**os.environ, "PYTHONPATH": path, "FINEWS_SERVE_SEARCH_WORKERS": "2",
           "FINEWS_SERVE_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "finews", "serve"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/search",
                                   params={"q": "公司"}, timeout=10)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert answer is not None and answer.status_code == 200, proc.poll()
        assert answer.json()["total"] > 0
        children = _children(proc.pid)
        assert len(children) >= 2   # the two search workers (and the pool's helper)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "serving" in out and out.count("serving") == 1
    # Nothing left behind: the workers (and multiprocessing's resource
    # tracker, which leaves when the server has) end with the server.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in children):
        time.sleep(0.1)
    left = [Path(f"/proc/{p}/cmdline").read_bytes() for p in children
            if Path(f"/proc/{p}").exists()]
    assert not left


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_recluster_clusters_imported_stories(tmp_path):
    from finews.config import load
    from finews.demo import prepare
    from finews.store.sqlite import SQLiteStore
    from finews.upstream.server import UpstreamServer
    with UpstreamServer(port=0, seed=3, stories=40, republish=0.4) as upstream:
        prepare(tmp_path, upstream.source_settings(name_prefix="t"), 8000)
        assert finews("fetch", cwd=tmp_path).returncode == 0
    settings = load(tmp_path / "finews.toml", {})
    with open_store(settings.store, settings.site.tz) as store:
        # as if the stories came in through an import: no clusters yet
        store._conn.executescript("DELETE FROM story_clusters; DELETE FROM cluster_keys; "
                                  "DELETE FROM state WHERE key = 'cluster.last_id';")
    done = finews("recluster", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clustered 40 stories"
    with open_store(settings.store, settings.site.tz) as store:
        assert store.largest_clusters(datetime(2000, 1, 1, tzinfo=timezone.utc), 5)


def _upstream_config(tmp_path, upstream, names):
    from finews.demo import prepare
    sources = [s for s in upstream.source_settings(name_prefix="t") if s["name"] in names]
    config = prepare(tmp_path, sources, 8000)
    text = config.read_text(encoding="utf-8")
    top, tables = text.split("\n[", 1)
    config.write_text(f"{top}\n[fetch]\nretries = 0\n\n[{tables}", encoding="utf-8")


def test_fetch_exits_3_when_one_source_fails_and_stores_the_others(tmp_path):
    from finews.upstream import Fault
    from finews.upstream.server import UpstreamServer
    with UpstreamServer(port=0, seed=5, stories=20) as upstream:
        _upstream_config(tmp_path, upstream, {"t-fast", "t-rolling"})
        upstream.set_fault("/em/fast", Fault(status=503))
        failed = finews("fetch", cwd=tmp_path)
        assert failed.returncode == 3, failed.stderr
        assert "t-fast: failed" in failed.stderr and "Traceback" not in failed.stderr
        assert "; 1 failed" in failed.stdout.splitlines()[-1]
        status = finews("status", cwd=tmp_path)
        rolling = [line for line in status.stdout.splitlines() if line.startswith("t-rolling")]
        assert rolling and "new 0" not in rolling[0]   # the working source was stored
        upstream.clear_faults()
        recovered = finews("fetch", cwd=tmp_path)
        assert recovered.returncode == 0, recovered.stderr
        assert "failed" not in recovered.stdout + recovered.stderr


def test_run_keeps_running_when_a_source_fails(tmp_path):
    from finews.upstream import Fault
    from finews.upstream.server import UpstreamServer
    with UpstreamServer(port=0, seed=6, stories=20) as upstream:
        _upstream_config(tmp_path, upstream, {"t-fast", "t-rolling"})
        upstream.set_fault("/em/fast", Fault(status=503))
        path = os.pathsep.join([SOURCE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])
        proc = subprocess.Popen([sys.executable, "-m", "finews.cli", "run", "--no-serve"],
                                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env={**os.environ, "PYTHONPATH": path})
        try:
            lines = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any("published" in x for x in lines):
                line = proc.stdout.readline()
                if not line:
                    break
                lines.append(line)
            assert any("t-fast:" in x for x in lines), lines
            time.sleep(1.5)    # past a tick of the loop: still running
            assert proc.poll() is None, "".join(lines)
        finally:
            proc.send_signal(signal.SIGINT)
            output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert "stopped cleanly" in output


def test_demo_is_a_live_site_that_fills_up(tmp_path, backend, request):
    port = free_port()
    store = ([] if backend == "sqlite"
             else ["--store", request.getfixturevalue("postgres_server").new_database()])
    proc = subprocess.Popen(
        [sys.executable, "-m", "finews.cli", "demo", "--port", str(port),
         "--dir", str(tmp_path / "demo"), *store],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        first = _wait_for_stories(base, at_least=1, timeout=30)
        later = _wait_for_stories(base, at_least=first + 1, timeout=30)
        assert later > first
        home = httpx.get(base)
        assert home.status_code == 200 and "text/html" in home.headers["content-type"]
        feed = feedparser.parse(httpx.get(base + "feed.xml").content)
        assert feed.entries
        story = httpx.get(feed.entries[0].link.replace("http://127.0.0.1:%d/" % port, base))
        assert story.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert "stopped cleanly" in output
    if backend == "postgresql":
        assert "stories stored in postgresql://" in output
        assert not list((tmp_path / "demo").rglob("*.sqlite3"))   # no SQLite file made


def _wait_for_stories(base: str, *, at_least: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(base + "latest.json", timeout=2)
            if answer.status_code == 200:
                seq = answer.json().get("seq", 0)
                if seq >= at_least:
                    return seq
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the demo site had fewer than {at_least} stories after {timeout} s")
