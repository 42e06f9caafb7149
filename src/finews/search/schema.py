"""The search index schema, appended to the store's migrations as one step.

One FTS5 table keyed by ``rowid = articles.id``. It keeps its own copy of the
tokens (not contentless): SQLite 3.40 cannot delete from a contentless table
without the exact old tokens, and re-segmenting an article's old text after a
dictionary change would corrupt the index. Columns, weighted by BM25 in
``engine``:

* ``title`` / ``body`` — plain segmentation in reading order (phrases match);
* ``title_more`` / ``body_more`` — search-mode sub-words and single Han
  characters (short words match inside long ones).

A small ``search_docs`` table repeats each article's time and category, so
ranking and filtering a thousand matches never reads article bodies.

``unicode61`` splits on the spaces ``segment`` puts between tokens; ``.`` is a
token character so numbers such as ``1.2`` stay whole, and diacritics are kept
because queries go through the same ``segment.normalise``.
"""

from __future__ import annotations

FTS_TABLE = "articles_fts"
DOCS_TABLE = "search_docs"

FTS_MIGRATION = """
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, title_more, body_more,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '.'"
);
-- What ranking and filters read for every match. An articles row holds the
-- body before these columns, so reading them there costs the whole row.
CREATE TABLE search_docs (
    id          INTEGER PRIMARY KEY,          -- articles.id
    published   INTEGER NOT NULL,
    category_id INTEGER NOT NULL
);
"""
