"""How many worker processes a big job may fork, and whether it may fork at all."""

from __future__ import annotations

import multiprocessing
import os
import threading


def default_workers() -> int:
    """One worker per usable core, at most 4 (more only add contention on disk)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:   # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def can_fork() -> bool:
    """Forking is only safe while this is the process's only thread.

    Workers are forked, not spawned (a spawned one would re-run the caller's
    main module); inside a busy process (``finews run``, the web server) the
    job runs in process instead.
    """
    return (threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())
