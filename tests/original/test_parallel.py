"""Reading post files in worker processes: the same events, in the same order."""

from __future__ import annotations

import os
import threading

import pytest

from finews.original import parallel
from finews.original.importer import import_paths

from .test_importer import lay_out


def _square(n: int) -> int:
    return n * n


@pytest.mark.parametrize("workers,count", [(2, 200), (3, 7), (1, 50), (2, 0)])
def test_ordered_map_keeps_the_order(monkeypatch, workers: int, count: int) -> None:
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    monkeypatch.setattr(parallel, "CHUNK", 5)
    assert list(parallel.ordered_map(_square, list(range(count)), workers)) == [
        n * n for n in range(count)]


def test_workers_give_the_events_one_process_gives(tmp_path, monkeypatch) -> None:
    root = lay_out(tmp_path)
    alone = list(import_paths([root], workers=1))
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    monkeypatch.setattr(parallel, "CHUNK", 2)
    together = list(import_paths([root], workers=2))
    assert together == alone


def test_no_fork_while_other_threads_run(monkeypatch) -> None:
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    gate = threading.Event()
    other = threading.Thread(target=gate.wait)
    other.start()
    try:
        pids = set(parallel.ordered_map(_pid, [1, 2, 3], 2))
    finally:
        gate.set()
        other.join()
    assert pids == {os.getpid()}


def _pid(_: int) -> int:
    return os.getpid()
