"""The load benchmark at a tiny size, so it cannot rot (no timing asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.load import main


def test_load_benchmark_runs_and_counts_every_request(tmp_path: Path, capsys) -> None:
    out = tmp_path / "load.json"
    status = main(["--stories", "150", "--requests", "120", "--seconds", "30",
                   "--warmup", "1", "--clients", "3", "--work", str(tmp_path / "work"),
                   "--search-workers", "1",
                   "--json", str(out)])
    table = capsys.readouterr().out
    result = json.loads(out.read_text())
    rows = {row["kind"]: row for row in result["rows"]}
    assert status == 0 and rows["all"]["errors"] == 0
    assert rows["all"]["requests"] == 120
    assert sum(rows[k]["requests"] for k in ("page", "search", "latest")) == 120
    assert all(rows[k]["requests"] > 0 for k in ("page", "search", "latest"))
    assert result["conditions"]["stories_before"] == 150
    assert result["conditions"]["server_search"]["count"] == rows["search"]["requests"]
    assert "| search |" in table and "requests/s" in table
    assert result["conditions"]["search_workers"] == 1 and "1 search workers" in table
