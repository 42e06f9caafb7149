"""Reading post files in worker processes: the same events, in the same order."""

from __future__ import annotations

import functools
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


def _note_chunk(log, items) -> None:
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(" ".join(map(str, items)) + "\n")


@pytest.mark.parametrize("workers", [1, 2])
def test_each_chunk_is_prepared_before_it_is_read(tmp_path, monkeypatch, workers: int) -> None:
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    log = tmp_path / "chunks.txt"
    prepare = functools.partial(_note_chunk, log)
    assert list(parallel.ordered_map(_square, list(range(7)), workers, prepare=prepare)) == [
        n * n for n in range(7)]
    assert sorted(log.read_text(encoding="utf-8").splitlines()) == ["0 1 2", "3 4 5", "6"]


def test_read_ahead_passes_over_what_it_cannot_open(tmp_path) -> None:
    from finews.original.importer import CHINA, _Candidate, _read_ahead
    fifo = tmp_path / "2022-03-01-NW1.md"
    os.mkfifo(fifo)                      # opening it to read would block
    post = tmp_path / "2022-03-02-NW2.md"
    post.write_text("---\n")
    done = threading.Event()
    worker = threading.Thread(target=lambda: (_read_ahead(
        [(_Candidate(p, "_posts", 0), CHINA) for p in (fifo, tmp_path / "gone.md", post)]),
        done.set()), daemon=True)
    worker.start()
    worker.join(5)
    assert done.is_set()


def _pid(_: int) -> int:
    return os.getpid()
