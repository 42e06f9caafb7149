"""The ``jekyll`` fixture: Debian's jekyll and jekyll-feed, for real builds.

``scripts/ensure-jekyll.sh`` installs them when missing; a test using the
fixture is skipped, with the script's reason, only when that install is
impossible (and fails instead in CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _unavailable(reason: str) -> None:
    # In CI the real Jekyll build must run: a missing Jekyll there is a failure.
    if os.environ.get("CI"):
        pytest.fail(f"jekyll could not be installed in CI: {reason}")
    pytest.skip(f"jekyll could not be installed: {reason}")


@pytest.fixture(scope="module")
def jekyll() -> str:
    try:
        done = subprocess.run(["bash", str(ROOT / "scripts" / "ensure-jekyll.sh")],
                              capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _unavailable(str(exc))
    path = shutil.which("jekyll")
    if done.returncode != 0 or path is None:
        _unavailable(done.stderr.strip() or done.stdout.strip() or "no reason given")
    return path


def jekyll_build(jekyll: str, source: Path, destination: Path) -> Path:
    """Build ``source`` with Jekyll into ``destination``; fails the test on an error."""
    done = subprocess.run(
        [jekyll, "build", "--source", str(source), "--destination", str(destination),
         "--disable-disk-cache"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return destination


