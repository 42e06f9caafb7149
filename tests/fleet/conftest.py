"""Fleet tests: several ``finews run`` processes against one store and the
many-feeds upstream (``finews.upstream.manyfeeds``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SOURCE_ROOT = str(Path(__file__).resolve().parents[2] / "src")


class Worker:
    """One ``finews run`` process; its output is kept in a file."""

    def __init__(self, config: Path, role: str, *extra: str) -> None:
        self.log = config.parent / f"{role}-{time.monotonic_ns()}.log"
        path = os.pathsep.join([SOURCE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "finews.cli", "--config", str(config), "run",
                 "--role", role, *extra],
                cwd=config.parent, stdout=out, stderr=subprocess.STDOUT,
                env={**{k: v for k, v in os.environ.items() if not k.startswith("FINEWS_")},
                     "PYTHONPATH": path}, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self, timeout: float = 60) -> int:
        """SIGINT, then the exit code (SIGKILL after ``timeout``)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never came:\n{self.output()}")
            time.sleep(0.1)


@pytest.fixture
def workers():
    """Start workers with ``workers(config, role, *args)``; all are stopped
    (killed if they hang) when the test ends, whatever it asserted."""
    started: list[Worker] = []

    def start(config: Path, role: str, *extra: str) -> Worker:
        worker = Worker(config, role, *extra)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop(timeout=20)
