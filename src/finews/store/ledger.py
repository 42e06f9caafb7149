"""The SQL behind the archive's rules (``rules.Ledger``) that both backends share.

Both backends keep the same tables and columns, and SQLite (3.35 and later)
speaks the ``ON CONFLICT`` and ``RETURNING`` forms PostgreSQL does, so the
statements are written once here, with ``?`` placeholders; a backend's
subclass runs them (``_run``, ``_many``) and supplies what differs: how a
story is indexed for search, how a JSON field is tested, and how changes are
numbered.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from ..model import Article, Category
from . import rows as rows_
from .rules import ArticleRow, packed, timestamp

_CONTENT = ("title = ?, digest = ?, body_html = ?, published = ?, day = ?, media = ?, "
            "url = ?, tags = ?, stocks = ?, shape = ?, extra = ?, content_hash = ?")


class SQLLedger:
    """Everything of ``rules.Ledger`` but numbering changes, headline twins and indexing."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    # --- what a backend supplies ------------------------------------------------

    def _run(self, sql: str, params: Sequence = ()) -> Any:
        """Run one statement (``?`` placeholders); its cursor."""
        raise NotImplementedError

    def _many(self, sql: str, rows: Sequence[Sequence]) -> None:
        raise NotImplementedError

    def _index(self, article_id: int, row: ArticleRow, category_id: int, *, new: bool) -> None:
        """Put the story's words into the search index, in this transaction."""
        raise NotImplementedError

    def _returning(self, sql: str, params: Sequence, column: str) -> Any:
        """Run an INSERT or UPDATE of one row; that row's ``column``."""
        return self._one(f"{sql} RETURNING {column}", params)[0]

    def start_batch(self) -> None:
        """A batch of stories begins (a backend numbering changes as it goes counts from here)."""

    # --- shared ------------------------------------------------------------------

    def _one(self, sql: str, params: Sequence = ()) -> tuple | None:
        return self._run(sql, params).fetchone()

    def _id(self, sql: str, params: Sequence) -> int | None:
        row = self._one(sql, params)
        return row[0] if row else None

    def key_row(self, source: str, upstream_id: str) -> tuple[int, str] | None:
        return self._one("SELECT id, content_hash FROM articles "
                         "WHERE source = ? AND upstream_id = ?", (source, upstream_id))

    def alias_row(self, source: str, upstream_id: str) -> tuple[int, str] | None:
        return self._one("SELECT article_id, content_hash FROM aliases "
                         "WHERE source = ? AND upstream_id = ?", (source, upstream_id))

    def set_alias_hash(self, source: str, upstream_id: str, content_hash: str) -> None:
        self._run("UPDATE aliases SET content_hash = ? WHERE source = ? AND upstream_id = ?",
                  (content_hash, source, upstream_id))

    def add_alias(self, source: str, upstream_id: str, article_id: int,
                  content_hash: str) -> None:
        self._run("INSERT INTO aliases (source, upstream_id, article_id, content_hash) "
                  "VALUES (?, ?, ?, ?)", (source, upstream_id, article_id, content_hash))

    def id_by_url(self, url: str) -> int | None:
        return self._id("SELECT id FROM articles WHERE url = ? LIMIT 1", (url,))

    def id_by_hash(self, content_hash: str) -> int | None:
        return self._id("SELECT id FROM articles WHERE content_hash = ? LIMIT 1",
                        (content_hash,))

    def path_taken(self, path: str) -> bool:
        return self._one("SELECT 1 FROM articles WHERE path = ? UNION ALL "
                         "SELECT 1 FROM aliases WHERE path = ? LIMIT 1",
                         (path, path)) is not None

    def keep_alias(self, article_id: int, article: Article, raw: bytes, *, new: bool,
                   path: str | None) -> None:
        values = (article.content_hash, article.title, article.digest,
                  timestamp(article.published), article.media, article.url,
                  json.dumps(list(article.tags), ensure_ascii=False), article.shape,
                  article.category_slug, json.dumps(dict(article.extra), ensure_ascii=False),
                  bytes(packed(raw)))
        if new:
            self._run(
                "INSERT INTO aliases (source, upstream_id, article_id, content_hash, title, "
                "digest, published, media, url, tags, shape, category_slug, extra, payload, "
                "path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (article.source, article.upstream_id, article_id, *values, path))
        else:
            self._run(
                "UPDATE aliases SET content_hash = ?, title = ?, digest = ?, published = ?, "
                "media = ?, url = ?, tags = ?, shape = ?, category_slug = ?, extra = ?, "
                "payload = ? WHERE source = ? AND upstream_id = ?",
                (*values, article.source, article.upstream_id))

    def story(self, article_id: int) -> Article:
        row = self._one(f"SELECT {rows_.ARTICLE_COLUMNS} FROM articles a JOIN categories c "
                        "ON c.id = a.category_id WHERE a.id = ?", (article_id,))
        return rows_.stored(row, {}).article

    def set_seq(self, article_id: int, seq: int | None) -> None:
        if seq is not None:
            self._run("UPDATE articles SET seq = ? WHERE id = ?", (seq, article_id))

    def slug_taken(self, slug: str) -> bool:
        return self._one("SELECT 1 FROM categories WHERE slug = ?", (slug,)) is not None

    def category_row(self, column: str, value: str) -> Category | None:
        assert column in ("slug", "name", "original_slug")
        row = self._one(f"SELECT id, slug, name, tag, original_slug FROM categories "
                        f"WHERE {column} = ? ORDER BY id LIMIT 1", (value,))
        return Category(*row) if row else None

    def insert_category(self, slug: str, name: str, tag: str,
                        original_slug: str | None) -> int | None:
        # With several writers a concurrent new category wins; it is found
        # once this statement has waited for that writer's commit.
        return self._id("INSERT INTO categories (slug, name, tag, original_slug) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                        (slug, name, tag, original_slug))

    @staticmethod
    def _content(row: ArticleRow) -> tuple:
        return (row.title, row.digest, row.body_html, row.published, row.day, row.media,
                row.url, row.tags, row.stocks, row.shape, row.extra, row.content_hash)

    def insert_article(self, row: ArticleRow) -> int:
        article_id = self._returning(
            "INSERT INTO articles (source, upstream_id, category_id, path, title, digest, "
            "body_html, published, day, media, url, tags, stocks, shape, extra, "
            "content_hash, seq, first_seen, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row.source, row.upstream_id, row.category_id, row.path, *self._content(row),
             row.seq, row.now, row.now), "id")
        self._run("INSERT INTO raw_payloads (article_id, data) VALUES (?, ?)",
                  (article_id, bytes(row.raw)))
        self._write_stocks(article_id, row)
        # In the same transaction: search never lags the site.
        self._index(article_id, row, row.category_id, new=True)
        return article_id

    def update_article(self, article_id: int, row: ArticleRow) -> None:
        self._run(
            "INSERT INTO revisions (article_id, title, digest, body_html, published, "
            "content_hash, raw, replaced_at, stocks) SELECT a.id, a.title, a.digest, "
            "a.body_html, a.published, a.content_hash, r.data, ?, a.stocks FROM articles a "
            "LEFT JOIN raw_payloads r ON r.article_id = a.id WHERE a.id = ?",
            (row.now, article_id))
        self._run(f"UPDATE articles SET {_CONTENT}, seq = ?, updated = ? WHERE id = ?",
                  (*self._content(row), row.seq, row.now, article_id))
        category_id = self._id("SELECT category_id FROM articles WHERE id = ?", (article_id,))
        if row.raw is not None:
            self._run("INSERT INTO raw_payloads (article_id, data) VALUES (?, ?) "
                      "ON CONFLICT (article_id) DO UPDATE SET data = excluded.data",
                      (article_id, bytes(row.raw)))
        self._run("DELETE FROM stock_mentions WHERE article_id = ?", (article_id,))
        self._write_stocks(article_id, row)
        self._index(article_id, row, category_id, new=False)

    def _write_stocks(self, article_id: int, row: ArticleRow) -> None:
        stocks = row.article.stocks
        if stocks:
            self._many("INSERT INTO stock_mentions (article_id, market, code, name) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       [(article_id, s.market, s.code, s.name) for s in stocks])
