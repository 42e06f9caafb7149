"""Processing: pure functions from a RawItem to a sanitised Article."""

from .pipeline import ProcessOptions, process_item

__all__ = ["ProcessOptions", "process_item"]
