"""Compatibility with the original finews: its post files in, a Jekyll site out.

* ``post``      parse and write post files, keeping every byte;
* ``convert``   a parsed post → an Article (with the repairs made);
* ``importer``  walk folders of posts → import events;
* ``listed``    each list's copy of a story, read back from its kept payload;
* ``kramdown``  what may go into a post as it is, the way Jekyll reads it;
* ``writer``    post files from stored articles (kept bytes or new);
* ``site``      layouts, pages and config of the Jekyll site;
* ``export``    the whole Jekyll export from the store.
"""

from .convert import SOURCE_NEWS, SOURCE_ROLLING, post_to_article
from .export import ExportSummary, export_jekyll
from .importer import (ImportEvent, Imported, ImportSummary, Quarantined, Skipped,
                       import_paths)
from .post import OriginalPost, parse_post, render_post

__all__ = [
    "ExportSummary", "ImportEvent", "ImportSummary", "Imported", "OriginalPost",
    "Quarantined", "SOURCE_NEWS", "SOURCE_ROLLING", "Skipped", "export_jekyll",
    "import_paths", "parse_post", "post_to_article", "render_post",
]
