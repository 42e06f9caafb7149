"""Chinese full-text search, backend-neutral: segment, index text, parse, results.

``segment`` turns text into index tokens, ``indextext`` makes an article's
index columns, ``query`` turns what a user typed into a small query tree,
``results`` ranks candidates and makes snippets, ``api`` speaks JSON to the
web layer. Each store backend finds the candidates its own way
(``store.sqlite.fts_*``: FTS5 shards; ``store.postgres.search``: a GIN index
on a ``tsvector``).
"""
