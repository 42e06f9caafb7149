"""Processing: pure functions from a RawItem to a sanitised Article."""

from __future__ import annotations

from typing import Any

__all__ = ["ProcessOptions", "process_item"]


def __getattr__(name: str) -> Any:
    # The pipeline (and its HTML sanitiser) loads on first use: publishing
    # imports only ``.text``, and a build should not pay for the rest.
    if name in __all__:
        from . import pipeline
        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
