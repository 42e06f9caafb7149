"""The SQLite store: one file in WAL mode, one writer, domain-named methods.

Writes go through short ``BEGIN IMMEDIATE`` transactions, so a crash leaves
either the whole batch or none of it. Readers (the publisher, the web server)
open their own connections; WAL lets them read while the writer writes.
"""

from __future__ import annotations

import sqlite3
import zlib
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator, Sequence
from zoneinfo import ZoneInfo

from ...errors import StoreError
from ...model import (Article, Category, Headline, QuarantineRecord, StoredArticle,
                      UpsertOutcome)
from ...search.indextext import IndexEntry
from ...search.query import SearchQuery
from ...search.results import Order, SearchResults
from .. import rows as rows_, rules
from ..base import Change, QuarantineEntry, SourceState
from ..copy import Table
from ..ledger import SQLLedger
from . import readers
from .fts_index import index_article
from .migrations import migrate

_ARTICLE_COLUMNS = rows_.ARTICLE_COLUMNS
_HEADLINE_COLUMNS = rows_.HEADLINE_COLUMNS

_ts = rules.timestamp


_dt = rows_.when


def _now() -> datetime:
    return datetime.now(timezone.utc)


class SQLiteStore:
    """The default store. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, conn: sqlite3.Connection, tz: ZoneInfo, path: Path) -> None:
        self._conn = conn
        self.tz = tz
        self.path = path
        self._category_cache: dict[tuple[str, str], Category] = {}
        self._ledger = _Ledger(conn)
        # Searches read older shards on read-only connections of their own.
        self._readers = readers.attach(conn)

    # --- lifecycle ----------------------------------------------------------

    @classmethod
    def open(cls, path: Path, tz: ZoneInfo, *, readonly: bool = False) -> "SQLiteStore":
        path = Path(path)
        try:
            if readonly:
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                       isolation_level=None, check_same_thread=False)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 10000")
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA cache_size = -65536")
            if not readonly:
                migrate(conn)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        return cls(conn, tz, path)

    @property
    def url(self) -> str:
        """The URL that opens this store again (``store.open_store``)."""
        return f"sqlite:///{self.path}"

    def close(self) -> None:
        readers.detach(self._readers)
        self._readers = None
        self._conn.close()

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self):
        return _Transaction(self._conn)

    def integrity_check(self) -> str:
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0]

    # --- categories -----------------------------------------------------------

    def category_for(self, media: str, *, slug: str | None = None,
                     tag: str | None = None) -> Category:
        key = ("slug", slug) if slug is not None else ("media", media)
        cached = self._category_cache.get(key)
        if cached is not None:
            return cached
        found = rules.find_category(self._ledger, media, slug)
        if found is None:
            with self._write():
                found = rules.category_for(self._ledger, media, slug=slug, tag=tag)
        self._category_cache[key] = found
        return found

    def categories(self) -> list[Category]:
        rows = self._conn.execute(
            "SELECT id, slug, name, tag, original_slug FROM categories ORDER BY slug")
        return [Category(*row) for row in rows]

    def category_by_slug(self, slug: str) -> Category | None:
        return self._ledger.category_row("slug", slug)

    # --- articles: writing ------------------------------------------------------

    def upsert_articles(self, batch: Sequence[tuple[Article, bytes]], *,
                        index_entries: Sequence[IndexEntry | None] | None = None
                        ) -> UpsertOutcome:
        try:
            with self._write():
                self._ledger.start_batch()
                return rules.upsert(self._ledger, batch, index_entries,
                                    now=rules.timestamp(_now()),
                                    category_of=self._category_of, tz=self.tz)
        except BaseException:
            # Categories made inside the failed transaction were rolled back too.
            self._category_cache.clear()
            raise

    def _category_of(self, article: Article) -> Category:
        if article.category_slug:
            return self.category_for(article.media, slug=article.category_slug,
                                     tag=article.tags[0] if article.tags else None)
        return self.category_for(article.media)

    def seen_item_hashes(self, source: str, upstream_ids: Sequence[str]) -> dict[str, str]:
        """The list-item hashes recorded by :meth:`mark_items_seen` for these ids."""
        found: dict[str, str] = {}
        for start in range(0, len(upstream_ids), 500):
            chunk = tuple(upstream_ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT upstream_id, item_hash FROM seen_items WHERE source = ? "
                f"AND upstream_id IN ({marks})", (source, *chunk))
            found.update(rows)
        return found

    def mark_items_seen(self, source: str, hashes: dict[str, str]) -> None:
        if not hashes:
            return
        with self._write():
            self._conn.executemany(
                "INSERT INTO seen_items (source, upstream_id, item_hash) VALUES (?, ?, ?) "
                "ON CONFLICT(source, upstream_id) DO UPDATE SET item_hash = excluded.item_hash "
                "WHERE item_hash != excluded.item_hash",
                [(source, uid, h) for uid, h in hashes.items()])

    def quarantine(self, record: QuarantineRecord) -> None:
        """Keep a bad item; the same item failing the same way again is kept once."""
        with self._write():
            self._conn.execute(
                "INSERT OR IGNORE INTO quarantine (source, upstream_id, code, reason, "
                "payload, fingerprint, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record.source, record.upstream_id, record.code, record.reason,
                 zlib.compress(record.payload, 6), rules.fingerprint(record),
                 _ts(_now())))

    # --- articles: reading ------------------------------------------------------

    def _select(self, where: str, params: tuple = ()) -> list[StoredArticle]:
        rows = self._conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a JOIN categories c "
            f"ON c.id = a.category_id {where}", params)
        categories: dict[int, Category] = {}   # one record per outlet, not per story
        return [rows_.stored(row, categories) for row in rows]

    def article(self, article_id: int) -> StoredArticle | None:
        found = self._select("WHERE a.id = ?", (article_id,))
        return found[0] if found else None

    def article_by_key(self, source: str, upstream_id: str) -> StoredArticle | None:
        found = self._select("WHERE a.source = ? AND a.upstream_id = ?", (source, upstream_id))
        if found:
            return found[0]
        alias = self._conn.execute("SELECT article_id FROM aliases WHERE source = ? AND "
                                   "upstream_id = ?", (source, upstream_id)).fetchone()
        return self.article(alias[0]) if alias else None

    def articles(self, ids: Sequence[int]) -> list[StoredArticle]:
        found: list[StoredArticle] = []
        for start in range(0, len(ids), 500):
            chunk = tuple(ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            found.extend(self._select(f"WHERE a.id IN ({marks}) ORDER BY a.id", chunk))
        return found

    def iter_articles(self, batch: int = 500, *, after: int = 0,
                      upto: int | None = None) -> Iterator[StoredArticle]:
        """Every article (ids in ``(after, upto]`` when given), in id order."""
        last, upto = after, (2 ** 63 - 1 if upto is None else upto)
        while True:
            page = self._select("WHERE a.id > ? AND a.id <= ? ORDER BY a.id LIMIT ?",
                                (last, upto, batch))
            if not page:
                return
            yield from page
            last = page[-1].id

    def raw_payload(self, article_id: int) -> bytes | None:
        row = self._conn.execute("SELECT data FROM raw_payloads WHERE article_id = ?",
                                 (article_id,)).fetchone()
        return zlib.decompress(row[0]) if row else None

    def revision_count(self, article_id: int) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM revisions WHERE article_id = ?",
                                  (article_id,)).fetchone()[0]

    def article_id_bounds(self) -> tuple[int, int]:
        """The smallest and largest article id (0, 0 when empty)."""
        lo, hi = self._conn.execute(
            "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM articles").fetchone()
        return lo, hi

    def count_articles(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def changes_since(self, seq: int) -> tuple[list[Change], int]:
        return rules.changes(self._conn.execute(rules.CHANGES_SQL, (seq,)).fetchall())

    def earlier_times(self, article_ids: Sequence[int]) -> list[tuple[int, int, datetime]]:
        found = []
        for start in range(0, len(article_ids), 500):
            chunk = tuple(article_ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            found += [(aid, cid, _dt(published)) for aid, cid, published in self._conn.execute(
                f"SELECT DISTINCT r.article_id, a.category_id, r.published FROM revisions r "
                f"JOIN articles a ON a.id = r.article_id "
                f"WHERE r.article_id IN ({marks}) AND r.published != a.published", chunk)]
        return found

    def _headlines(self, where: str, params: tuple) -> list[Headline]:
        rows = self._conn.execute(
            f"SELECT {_HEADLINE_COLUMNS} FROM articles a JOIN categories c "
            f"ON c.id = a.category_id {where}", params)
        return [rows_.headline(row) for row in rows]

    def newest(self, limit: int) -> list[Headline]:
        return self._headlines("ORDER BY a.published DESC, a.id DESC LIMIT ?", (limit,))

    def category_newest(self, category_id: int, limit: int) -> list[Headline]:
        return self._headlines("WHERE a.category_id = ? ORDER BY a.published DESC, "
                               "a.id DESC LIMIT ?", (category_id, limit))

    def category_count(self, category_id: int) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM articles WHERE category_id = ?",
                                  (category_id,)).fetchone()[0]

    def category_rank(self, category_id: int, published: datetime, article_id: int) -> int:
        ts = _ts(published)
        return self._conn.execute(
            "SELECT COUNT(*) FROM articles WHERE category_id = ? AND "
            "(published < ? OR (published = ? AND id < ?))",
            (category_id, ts, ts, article_id)).fetchone()[0]

    def category_walk(self, category_id: int, offset: int = 0) -> Iterator[Headline]:
        rows = self._conn.execute(
            f"SELECT {_HEADLINE_COLUMNS} FROM articles a JOIN categories c "
            "ON c.id = a.category_id WHERE a.category_id = ? ORDER BY a.published, a.id "
            "LIMIT -1 OFFSET ?", (category_id, offset))
        for row in rows:
            yield rows_.headline(row)

    def day_headlines(self, day: date) -> list[Headline]:
        number = day.year * 10000 + day.month * 100 + day.day
        return self._headlines("WHERE a.day = ? ORDER BY a.published DESC, a.id DESC",
                               (number,))

    def days(self) -> list[tuple[date, int]]:
        rows = self._conn.execute(
            "SELECT day, COUNT(*) FROM articles GROUP BY day ORDER BY day DESC")
        return [(date(d // 10000, d // 100 % 100, d % 100), n) for d, n in rows]

    def list_quarantine(self, limit: int = 100) -> list[QuarantineEntry]:
        rows = self._conn.execute(
            "SELECT id, source, upstream_id, code, reason, created FROM quarantine "
            "ORDER BY id DESC LIMIT ?", (limit,))
        return [QuarantineEntry(i, s, u, c, r, _dt(t)) for i, s, u, c, r, t in rows]

    def quarantine_payload(self, entry_id: int) -> bytes | None:
        row = self._conn.execute("SELECT payload FROM quarantine WHERE id = ?",
                                 (entry_id,)).fetchone()
        return zlib.decompress(row[0]) if row else None

    def count_quarantine(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0]

    # --- search ---------------------------------------------------------------

    def search(self, query: SearchQuery, *, limit: int = 20, offset: int = 0,
               order: Order = "relevance", now: float | None = None) -> SearchResults:
        """Full-text search (see :mod:`.fts_engine`)."""
        from .fts_engine import search
        return search(self._conn, query, limit=limit, offset=offset, order=order, tz=self.tz,
                      now=now)

    def reindex(self, progress=None) -> int:
        """Rebuild the search index from the stored articles."""
        from .fts_index import reindex
        return reindex(self._conn, progress=progress)

    # --- copying a whole archive (store.copy) -----------------------------------

    def copy_count(self, table: Table) -> int:
        return self._conn.execute(f"SELECT COUNT(*) FROM {table.name}").fetchone()[0]

    def copy_last_key(self, table: Table) -> tuple | None:
        keys = ", ".join(table.key)
        order = ", ".join(f"{k} DESC" for k in table.key)
        return self._conn.execute(f"SELECT {keys} FROM {table.name} ORDER BY {order} "
                                  "LIMIT 1").fetchone()

    def copy_read(self, table: Table, after: tuple | None, limit: int) -> list[tuple]:
        keys = ", ".join(table.key)
        where = ""
        if after is not None:
            where = f"WHERE ({keys}) > ({', '.join('?' * len(after))})"
        return self._conn.execute(
            f"SELECT {', '.join(table.columns)} FROM {table.name} {where} ORDER BY {keys} "
            "LIMIT ?", (*(after or ()), limit)).fetchall()

    def copy_write(self, table: Table, rows: list[tuple]) -> None:
        marks = ", ".join("?" * len(table.columns))
        with self._write():
            self._conn.executemany(f"INSERT INTO {table.name} ({', '.join(table.columns)}) "
                                   f"VALUES ({marks})", rows)

    def copy_finish(self) -> None:
        self._category_cache.clear()

    # --- sources ----------------------------------------------------------------

    def source_state(self, name: str) -> SourceState:
        row = self._conn.execute(
            "SELECT last_attempt, last_success, last_error, error_count, next_attempt, "
            "etag, last_modified, served, new, updated, unchanged, quarantined "
            "FROM sources WHERE name = ?", (name,)).fetchone()
        if row is None:
            return SourceState(name)
        (attempt, success, error, count, next_at, etag, modified, *counts) = row
        return SourceState(name, _dt(attempt), _dt(success), error, count, _dt(next_at),
                           etag, modified, *counts)

    def _ensure_source(self, name: str) -> None:
        self._conn.execute("INSERT OR IGNORE INTO sources (name) VALUES (?)", (name,))

    def record_source_success(self, name: str, *, at: datetime, next_attempt: datetime,
                              etag: str | None = None, last_modified: str | None = None,
                              served: int = 0, outcome: UpsertOutcome | None = None,
                              quarantined: int = 0) -> None:
        outcome = outcome or UpsertOutcome()
        with self._write():
            self._ensure_source(name)
            self._conn.execute(
                "UPDATE sources SET last_attempt = ?, last_success = ?, last_error = NULL, "
                "error_count = 0, next_attempt = ?, etag = COALESCE(?, etag), "
                "last_modified = COALESCE(?, last_modified), served = served + ?, "
                "new = new + ?, updated = updated + ?, unchanged = unchanged + ?, "
                "quarantined = quarantined + ? WHERE name = ?",
                (_ts(at), _ts(at), _ts(next_attempt), etag, last_modified, served,
                 outcome.new, outcome.updated, outcome.unchanged, quarantined, name))

    def record_source_error(self, name: str, error: str, *, at: datetime,
                            next_attempt: datetime) -> None:
        with self._write():
            self._ensure_source(name)
            self._conn.execute(
                "UPDATE sources SET last_attempt = ?, last_error = ?, "
                "error_count = error_count + 1, next_attempt = ? WHERE name = ?",
                (_ts(at), error, _ts(next_attempt), name))

    # --- state ------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_state(self, key: str, value: str) -> None:
        with self._write():
            self._conn.execute("INSERT INTO state (key, value) VALUES (?, ?) "
                               "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               (key, value))


class _Ledger(SQLLedger):
    """The archive's rules' SQL (``store.ledger``) on the writer's connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__(conn)
        self._seq = 0

    def _run(self, sql: str, params: Sequence = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    def _many(self, sql: str, rows: Sequence[Sequence]) -> None:
        self._conn.executemany(sql, rows)

    def _returning(self, sql: str, params: Sequence, column: str) -> int:
        # Not RETURNING: it opens a statement savepoint, and FTS5 writes its
        # pending terms out as a segment at every savepoint (fts_index).
        assert column == "id"
        return self._conn.execute(sql, params).lastrowid

    def _index(self, article_id: int, row: rules.ArticleRow, category_id: int, *,
               new: bool) -> None:
        index_article(self._conn, article_id, row.title, row.digest, row.body_html,
                      entry=row.entry, new=new)

    def start_batch(self) -> None:
        # The writer holds the database (BEGIN IMMEDIATE): numbers counted on
        # from the newest one are in commit order.
        self._seq = self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0]

    def change_seq(self) -> int:
        self._seq += 1
        return self._seq

    def stamp_changes(self, article_ids: Sequence[int]) -> None:
        pass

    def id_by_headline(self, published: int, title: str, source: str,
                       partial: bool) -> int | None:
        return self._id(
            "SELECT id FROM articles WHERE published = ? AND title = ? AND source != ? "
            "AND (? OR json_extract(extra, '$.partial') IS NOT NULL) LIMIT 1",
            (published, title, source, partial))


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

    Nested use joins the outer transaction, so a method that writes can be
    called from inside another write.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._owner = False

    def __enter__(self) -> None:
        if not self._conn.in_transaction:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot start a write: {exc}") from exc
            self._owner = True

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self._owner:
            return
        if exc_type is None:
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as err:
                self._conn.execute("ROLLBACK")
                raise StoreError(f"cannot commit a write: {err}") from err
        else:
            self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"store write failed: {exc}") from exc
