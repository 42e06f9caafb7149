"""The SQLite store: one file in WAL mode, one writer, domain-named methods.

Writes go through short ``BEGIN IMMEDIATE`` transactions, so a crash leaves
either the whole batch or none of it. Readers (the publisher, the web server)
open their own connections; WAL lets them read while the writer writes.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator, Sequence
from zoneinfo import ZoneInfo

from ..errors import StoreError
from ..model import (Article, Category, Headline, PackedPayload, QuarantineRecord,
                     StockMention, StoredAlias, StoredArticle, UpsertOutcome)
from ..search.index import IndexEntry, index_article
from ..urls import story_path
from .base import (Change, ClusterCandidate, ClusterEntry, ClusterSummary, QuarantineEntry,
                   SourceState, StockSummary)
from . import readers
from .migrations import migrate

_ARTICLE_COLUMNS = (
    "a.id, a.seq, a.path, a.source, a.upstream_id, a.title, a.digest, a.body_html, "
    "a.published, a.media, a.url, a.tags, a.stocks, a.shape, a.extra, a.content_hash, "
    "a.first_seen, a.updated, c.id, c.slug, c.name, c.tag, c.original_slug")
_HEADLINE_COLUMNS = "a.id, a.path, a.title, a.published, c.slug, a.media, a.digest"
_ALIAS_COLUMNS = ("article_id, source, upstream_id, title, digest, published, media, url, "
                  "tags, shape, category_slug, extra, content_hash, payload, path")


def _ts(value: datetime) -> int:
    if value.tzinfo is None:
        raise StoreError("naive datetime reached the store; times must be time-zone aware")
    return int(value.timestamp())


def _dt(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, timezone.utc)


def _packed(raw: bytes) -> bytes:
    """The payload as stored: zlib, unless a worker packed it already."""
    return raw if isinstance(raw, PackedPayload) else PackedPayload.pack(raw)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _day_number(value: datetime, tz: ZoneInfo) -> int:
    local = value.astimezone(tz)
    return local.year * 10000 + local.month * 100 + local.day


class SQLiteStore:
    """The default store. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, conn: sqlite3.Connection, tz: ZoneInfo, path: Path) -> None:
        self._conn = conn
        self.tz = tz
        self.path = path
        self._category_cache: dict[tuple[str, str], Category] = {}
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

    def _category_row(self, where: str, value: str) -> Category | None:
        row = self._conn.execute(
            f"SELECT id, slug, name, tag, original_slug FROM categories WHERE {where} = ? "
            "ORDER BY id LIMIT 1", (value,)).fetchone()
        return Category(*row) if row else None

    def _unique_slug(self, wanted: str) -> str:
        slug, n = wanted, 1
        while self._conn.execute("SELECT 1 FROM categories WHERE slug = ?",
                                 (slug,)).fetchone():
            n += 1
            slug = f"{wanted}-{n}"
        return slug

    def category_for(self, media: str, *, slug: str | None = None,
                     tag: str | None = None) -> Category:
        key = ("slug", slug) if slug is not None else ("media", media)
        cached = self._category_cache.get(key)
        if cached is not None:
            return cached
        from ..process.slug import media_slug, safe_slug  # pure functions

        if slug is not None:
            found = (self._category_row("original_slug", slug)
                     or self._category_row("slug", slug))
        else:
            found = self._category_row("name", media)
        if found is None:
            with self._write():
                wanted = safe_slug(slug) if slug is not None else media_slug(media)
                new_slug = self._unique_slug(wanted)
                cur = self._conn.execute(
                    "INSERT INTO categories (slug, name, tag, original_slug) "
                    "VALUES (?, ?, ?, ?)",
                    (new_slug, media, tag or f"{media}新闻", slug))
                found = Category(cur.lastrowid, new_slug, media, tag or f"{media}新闻", slug)
        self._category_cache[key] = found
        return found

    def categories(self) -> list[Category]:
        rows = self._conn.execute(
            "SELECT id, slug, name, tag, original_slug FROM categories ORDER BY slug")
        return [Category(*row) for row in rows]

    def category_by_slug(self, slug: str) -> Category | None:
        return self._category_row("slug", slug)

    # --- articles: writing ------------------------------------------------------

    def upsert_articles(self, batch: Sequence[tuple[Article, bytes]], *,
                        index_entries: Sequence[IndexEntry | None] | None = None
                        ) -> UpsertOutcome:
        new = updated = unchanged = 0
        entries = index_entries if index_entries is not None else [None] * len(batch)
        changed: list[int] = []
        now = _ts(_now())
        try:
            with self._write():
                seq = self._conn.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0]
                for (article, raw), entry in zip(batch, entries, strict=True):
                    result = self._upsert_one(article, raw, seq + 1, now, entry)
                    if result is None:
                        unchanged += 1
                        continue
                    seq += 1
                    article_id, kind = result
                    changed.append(article_id)
                    if kind == "new":
                        new += 1
                    elif kind == "updated":
                        updated += 1
                    else:   # a twin: the story has one more address
                        unchanged += 1
        except BaseException:
            # Categories made inside the failed transaction were rolled back too.
            self._category_cache.clear()
            raise
        return UpsertOutcome(new=new, updated=updated, unchanged=unchanged,
                             article_ids=tuple(changed))

    def _category_of(self, article: Article) -> Category:
        if article.category_slug:
            return self.category_for(article.media, slug=article.category_slug,
                                     tag=article.tags[0] if article.tags else None)
        return self.category_for(article.media)

    def _upsert_one(self, article: Article, raw: bytes, seq: int, now: int,
                    entry: IndexEntry | None = None) -> tuple[int, str] | None:
        """Insert or update one article; None when nothing changed.

        Otherwise (article id, ``new`` / ``updated`` / ``twin``), having used
        the change sequence ``seq``.
        """
        conn = self._conn
        key = (article.source, article.upstream_id)
        row = conn.execute("SELECT id, content_hash FROM articles "
                           "WHERE source = ? AND upstream_id = ?", key).fetchone()
        if row is None:
            alias = conn.execute("SELECT article_id, content_hash FROM aliases "
                                 "WHERE source = ? AND upstream_id = ?", key).fetchone()
            if alias is not None:
                if alias[1] == article.content_hash:
                    return None
                self._keep_alias(alias[0], article, raw, new=False)
                # The story takes the new content, but stays the first list's
                # copy: its own fields, category and payload are not the twin's.
                self._update(alias[0], self._as_story(alias[0], article), None, seq, now,
                             entry)
                return alias[0], "updated"
            twin = self._find_twin(article)
            if twin is not None:
                self._keep_alias(twin, article, raw, new=True)
                conn.execute("UPDATE articles SET seq = ? WHERE id = ?", (seq, twin))
                return twin, "twin"
            # The category is made only for a story that really is new, so a
            # duplicate from another list never leaves an empty category.
            cat = self._category_of(article)
            return self._insert(article, raw, cat, seq, now, entry), "new"
        if row[1] == article.content_hash:
            return None
        self._update(row[0], article, raw, seq, now, entry)
        return row[0], "updated"

    def _keep_alias(self, article_id: int, article: Article, raw: bytes, *, new: bool) -> None:
        """Record (or refresh) a twin's key with the copy its own list served."""
        values = (article.content_hash, article.title, article.digest,
                  _ts(article.published), article.media, article.url,
                  json.dumps(list(article.tags), ensure_ascii=False), article.shape,
                  article.category_slug, json.dumps(dict(article.extra), ensure_ascii=False),
                  _packed(raw))
        if new:
            self._conn.execute(
                "INSERT INTO aliases (source, upstream_id, article_id, content_hash, title, "
                "digest, published, media, url, tags, shape, category_slug, extra, payload, "
                "path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (article.source, article.upstream_id, article_id, *values,
                 self._twin_path(article)))
        else:
            self._conn.execute(
                "UPDATE aliases SET content_hash = ?, title = ?, digest = ?, published = ?, "
                "media = ?, url = ?, tags = ?, shape = ?, category_slug = ?, extra = ?, "
                "payload = ? WHERE source = ? AND upstream_id = ?",
                (*values, article.source, article.upstream_id))

    def _path_taken(self, path: str) -> bool:
        return bool(self._conn.execute(
            "SELECT 1 FROM articles WHERE path = ? UNION ALL "
            "SELECT 1 FROM aliases WHERE path = ? LIMIT 1", (path, path)).fetchone())

    def _twin_path(self, article: Article) -> str | None:
        """The address a twin's own list gave it, unless a page has it already."""
        from ..twins import twin_category
        cat = twin_category(article, self._category_row)
        path = story_path(cat.slug, article.published, article.upstream_id, self.tz)
        return None if self._path_taken(path) else path

    def _as_story(self, article_id: int, article: Article) -> Article:
        """``article``'s content with the stored story's own identity fields."""
        story = self._select("WHERE a.id = ?", (article_id,))[0].article
        return replace(article, source=story.source, upstream_id=story.upstream_id,
                       media=story.media, url=story.url, tags=story.tags,
                       shape=story.shape, category_slug=story.category_slug,
                       extra=story.extra)

    def _find_twin(self, article: Article) -> int | None:
        """The same story stored under another key: same canonical URL or content."""
        if article.url:
            row = self._conn.execute("SELECT id FROM articles WHERE url = ? LIMIT 1",
                                     (article.url,)).fetchone()
            if row:
                return row[0]
        row = self._conn.execute("SELECT id FROM articles WHERE content_hash = ? LIMIT 1",
                                 (article.content_hash,)).fetchone()
        if row:
            return row[0]
        # A copy that ingest marked partial (its full text failed, its feed was
        # not well-formed) hashes differently from the whole story: the same
        # headline at the same second from another source is its twin then.
        partial = "partial" in article.extra
        row = self._conn.execute(
            "SELECT id FROM articles WHERE published = ? AND title = ? AND source != ? "
            "AND (? OR json_extract(extra, '$.partial') IS NOT NULL) LIMIT 1",
            (_ts(article.published), article.title, article.source, partial)).fetchone()
        return row[0] if row else None

    def _free_path(self, path: str) -> str:
        stem, n = path.removesuffix(".html"), 1
        while self._path_taken(path):
            n += 1
            path = f"{stem}-{n}.html"
        return path

    def _insert(self, article: Article, raw: bytes, cat: Category, seq: int, now: int,
                entry: IndexEntry | None) -> int:
        path = self._free_path(story_path(cat.slug, article.published, article.upstream_id,
                                          self.tz))
        cur = self._conn.execute(
            "INSERT INTO articles (source, upstream_id, category_id, path, title, digest, "
            "body_html, published, day, media, url, tags, stocks, shape, extra, "
            "content_hash, seq, first_seen, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.source, article.upstream_id, cat.id, path, *self._content(article),
             seq, now, now))
        article_id = cur.lastrowid
        self._conn.execute("INSERT INTO raw_payloads (article_id, data) VALUES (?, ?)",
                           (article_id, _packed(raw)))
        self._write_stocks(article_id, article.stocks)
        # In the same transaction: search never lags the site.
        index_article(self._conn, article_id, article.title, article.digest,
                      article.body_html, entry=entry, new=True)
        return article_id

    def _content(self, article: Article) -> tuple:
        return (article.title, article.digest, article.body_html, _ts(article.published),
                _day_number(article.published, self.tz), article.media, article.url,
                json.dumps(list(article.tags), ensure_ascii=False),
                json.dumps([[s.market, s.code, s.name] for s in article.stocks],
                           ensure_ascii=False),
                article.shape, json.dumps(dict(article.extra), ensure_ascii=False),
                article.content_hash)

    def _update(self, article_id: int, article: Article, raw: bytes | None, seq: int,
                now: int, entry: IndexEntry | None) -> None:
        """Replace a story's content, keeping the old one as a revision
        (``raw`` None: the stored payload stays)."""
        conn = self._conn
        conn.execute(
            "INSERT INTO revisions (article_id, title, digest, body_html, published, "
            "content_hash, raw, replaced_at, stocks) SELECT a.id, a.title, a.digest, "
            "a.body_html, a.published, a.content_hash, r.data, ?, a.stocks FROM articles a "
            "LEFT JOIN raw_payloads r ON r.article_id = a.id WHERE a.id = ?",
            (now, article_id))
        conn.execute(
            "UPDATE articles SET title = ?, digest = ?, body_html = ?, published = ?, "
            "day = ?, media = ?, url = ?, tags = ?, stocks = ?, shape = ?, extra = ?, "
            "content_hash = ?, seq = ?, updated = ? WHERE id = ?",
            (*self._content(article), seq, now, article_id))
        if raw is not None:
            conn.execute("INSERT OR REPLACE INTO raw_payloads (article_id, data) "
                         "VALUES (?, ?)", (article_id, _packed(raw)))
        conn.execute("DELETE FROM stock_mentions WHERE article_id = ?", (article_id,))
        self._write_stocks(article_id, article.stocks)
        index_article(conn, article_id, article.title, article.digest, article.body_html,
                      entry=entry)

    def _write_stocks(self, article_id: int, stocks: Sequence[StockMention]) -> None:
        self._conn.executemany(
            "INSERT OR IGNORE INTO stock_mentions (article_id, market, code, name) "
            "VALUES (?, ?, ?, ?)", [(article_id, s.market, s.code, s.name) for s in stocks])

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
        digest = hashlib.sha256()
        for part in (record.upstream_id or "", record.code, record.reason):
            digest.update(part.encode("utf-8", "replace") + b"\0")
        digest.update(record.payload)
        with self._write():
            self._conn.execute(
                "INSERT OR IGNORE INTO quarantine (source, upstream_id, code, reason, "
                "payload, fingerprint, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record.source, record.upstream_id, record.code, record.reason,
                 zlib.compress(record.payload, 6), digest.hexdigest(), _ts(_now())))

    # --- articles: reading ------------------------------------------------------

    def _stored(self, row: tuple, categories: dict[int, Category]) -> StoredArticle:
        (aid, seq, path, source, upstream_id, title, digest, body, published, media, url,
         tags, stocks, shape, extra, content_hash, first_seen, updated,
         cid, slug, name, tag, original_slug) = row
        category = categories.get(cid)
        if category is None:
            category = categories[cid] = Category(cid, slug, name, tag, original_slug)
        article = Article(
            source=source, upstream_id=upstream_id, title=title,
            published=_dt(published), media=media, body_html=body, digest=digest,
            url=url, tags=tuple(json.loads(tags)),
            stocks=(() if stocks == "[]"
                    else tuple(StockMention(*s) for s in json.loads(stocks))),
            category_slug=original_slug or slug, shape=shape,
            content_hash=content_hash, extra={} if extra == "{}" else json.loads(extra))
        return StoredArticle(aid, seq, path, article, category, _dt(first_seen), _dt(updated))

    def _select(self, where: str, params: tuple = ()) -> list[StoredArticle]:
        rows = self._conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a JOIN categories c "
            f"ON c.id = a.category_id {where}", params)
        categories: dict[int, Category] = {}   # one record per outlet, not per story
        return [self._stored(row, categories) for row in rows]

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

    def _alias(self, row: tuple) -> StoredAlias:
        (article_id, source, upstream_id, title, digest, published, media, url, tags,
         shape, category_slug, extra, content_hash, payload, path) = row
        article = Article(
            source=source, upstream_id=upstream_id, title=title, published=_dt(published),
            media=media, body_html="", digest=digest or "", url=url,
            tags=tuple(json.loads(tags or "[]")), category_slug=category_slug, shape=shape,
            content_hash=content_hash, extra=json.loads(extra or "{}"))
        return StoredAlias(article_id, article, zlib.decompress(payload) if payload else b"",
                           path)

    def aliases(self, article_ids: Sequence[int]) -> list[StoredAlias]:
        found: list[StoredAlias] = []
        for start in range(0, len(article_ids), 500):
            chunk = tuple(article_ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT {_ALIAS_COLUMNS} FROM aliases WHERE article_id IN ({marks}) "
                "AND title IS NOT NULL", chunk).fetchall()
            found.extend(self._alias(row) for row in rows)
        found.sort(key=lambda a: (a.article_id, a.article.source, a.article.upstream_id))
        return found

    def iter_aliases(self, batch: int = 500, *, after: int = 0,
                     upto: int | None = None) -> Iterator[StoredAlias]:
        last, upto = after, (2 ** 63 - 1 if upto is None else upto)
        while True:
            ids = [row[0] for row in self._conn.execute(
                "SELECT DISTINCT article_id FROM aliases WHERE article_id > ? AND "
                "article_id <= ? AND title IS NOT NULL ORDER BY article_id LIMIT ?",
                (last, upto, batch))]
            if not ids:
                return
            yield from self.aliases(ids)
            last = ids[-1]

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
        rows = self._conn.execute("SELECT id, seq FROM articles WHERE seq > ? ORDER BY seq",
                                  (seq,)).fetchall()
        top = self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0]
        return [Change(aid, s) for aid, s in rows], top

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
        return [Headline(aid, path, title, _dt(pub), slug, media, digest)
                for aid, path, title, pub, slug, media, digest in rows]

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
        for aid, path, title, pub, slug, media, digest in rows:
            yield Headline(aid, path, title, _dt(pub), slug, media, digest)

    def day_headlines(self, day: date) -> list[Headline]:
        number = day.year * 10000 + day.month * 100 + day.day
        return self._headlines("WHERE a.day = ? ORDER BY a.published DESC, a.id DESC",
                               (number,))

    def days(self) -> list[tuple[date, int]]:
        rows = self._conn.execute(
            "SELECT day, COUNT(*) FROM articles GROUP BY day ORDER BY day DESC")
        return [(date(d // 10000, d // 100 % 100, d % 100), n) for d, n in rows]

    # --- stocks -----------------------------------------------------------------

    _STOCK_JOIN = ("FROM stock_mentions m JOIN articles a ON a.id = m.article_id "
                   "JOIN categories c ON c.id = a.category_id "
                   "WHERE m.code = ? AND m.market = ? ")

    def stocks(self) -> list[StockSummary]:
        rows = self._conn.execute(
            "SELECT market, code, MAX(name), COUNT(*) FROM stock_mentions "
            "GROUP BY market, code ORDER BY market, code")
        return [StockSummary(*row) for row in rows]

    def stock(self, market: str, code: str) -> StockSummary | None:
        row = self._conn.execute(
            "SELECT MAX(name), COUNT(*) FROM stock_mentions WHERE code = ? AND market = ?",
            (code, market)).fetchone()
        return StockSummary(market, code, row[0], row[1]) if row and row[1] else None

    def stock_newest(self, market: str, code: str, limit: int,
                     offset: int = 0) -> list[Headline]:
        rows = self._conn.execute(
            f"SELECT {_HEADLINE_COLUMNS} {self._STOCK_JOIN}"
            "ORDER BY a.published DESC, a.id DESC LIMIT ? OFFSET ?",
            (code, market, limit, offset))
        return [Headline(aid, path, title, _dt(pub), slug, media, digest)
                for aid, path, title, pub, slug, media, digest in rows]

    def stock_rank(self, market: str, code: str, published: datetime,
                   article_id: int) -> int:
        ts = _ts(published)
        return self._conn.execute(
            "SELECT COUNT(*) FROM stock_mentions m JOIN articles a ON a.id = m.article_id "
            "WHERE m.code = ? AND m.market = ? AND "
            "(a.published < ? OR (a.published = ? AND a.id < ?))",
            (code, market, ts, ts, article_id)).fetchone()[0]

    def stock_walk(self, market: str, code: str, offset: int = 0) -> Iterator[Headline]:
        rows = self._conn.execute(
            f"SELECT {_HEADLINE_COLUMNS} {self._STOCK_JOIN}"
            "ORDER BY a.published, a.id LIMIT -1 OFFSET ?", (code, market, offset))
        for aid, path, title, pub, slug, media, digest in rows:
            yield Headline(aid, path, title, _dt(pub), slug, media, digest)

    def earlier_stocks(self, article_ids: Sequence[int]) -> list[tuple[int, str, str]]:
        found: set[tuple[int, str, str]] = set()
        for start in range(0, len(article_ids), 500):
            chunk = tuple(article_ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            for aid, stocks in self._conn.execute(
                    f"SELECT DISTINCT article_id, stocks FROM revisions "
                    f"WHERE article_id IN ({marks}) AND stocks IS NOT NULL "
                    f"AND stocks != '[]'", chunk):
                found.update((aid, market, code) for market, code, _ in json.loads(stocks))
        return sorted(found)

    # --- story clusters ---------------------------------------------------------

    def cluster_key_hits(self, keys: Sequence[int], per_key: int) -> dict[int, list[int]]:
        hits: dict[int, list[int]] = {}
        if not keys:
            return hits
        # One statement, each key's look-up bounded by its own LIMIT.
        one = "SELECT * FROM (SELECT key, article_id FROM cluster_keys WHERE key = ? " \
              "ORDER BY article_id DESC LIMIT ?)"
        params: list[int] = []
        for key in keys:
            params += (key, per_key)
        for key, aid in self._conn.execute(" UNION ALL ".join([one] * len(keys)), params):
            hits.setdefault(key, []).append(aid)
        for ids in hits.values():
            ids.sort(reverse=True)
        return hits

    def cluster_fingerprints(self, article_ids: Sequence[int], *, since: datetime,
                             until: datetime) -> list[ClusterCandidate]:
        found: list[ClusterCandidate] = []
        for start in range(0, len(article_ids), 500):
            chunk = tuple(article_ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            found += [ClusterCandidate(*row) for row in self._conn.execute(
                f"SELECT article_id, cluster_id, fingerprint FROM story_clusters "
                f"WHERE article_id IN ({marks}) AND published BETWEEN ? AND ?",
                (*chunk, _ts(since), _ts(until)))]
        found.sort(key=lambda c: c.article_id)
        return found

    def add_to_clusters(self, entries: Sequence[ClusterEntry]) -> int:
        conn = self._conn
        added = 0
        with self._write():
            seq = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0]
            for entry in entries:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO story_clusters (article_id, cluster_id, published, "
                    "fingerprint) VALUES (?, ?, ?, ?)",
                    (entry.article_id, entry.cluster_id, _ts(entry.published),
                     entry.fingerprint))
                if cur.rowcount == 0:
                    continue
                added += 1
                conn.executemany("INSERT OR IGNORE INTO cluster_keys (key, article_id) "
                                 "VALUES (?, ?)", [(k, entry.article_id) for k in entry.keys])
                for aid in sorted(entry.touch):
                    seq += 1
                    conn.execute("UPDATE articles SET seq = ? WHERE id = ?", (seq, aid))
        return added

    _MEMBER_SELECT = (f"SELECT s.cluster_id, {_HEADLINE_COLUMNS} FROM story_clusters s "
                      "JOIN articles a ON a.id = s.article_id "
                      "JOIN categories c ON c.id = a.category_id ")

    def cluster_members(self, cluster_id: int, limit: int | None = None) -> list[Headline]:
        rows = self._conn.execute(
            self._MEMBER_SELECT + "WHERE s.cluster_id = ? ORDER BY a.published, a.id "
            "LIMIT ?", (cluster_id, -1 if limit is None else limit))
        return [Headline(aid, path, title, _dt(pub), slug, media, digest)
                for _, aid, path, title, pub, slug, media, digest in rows]

    def clusters_of(self, article_ids: Sequence[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for start in range(0, len(article_ids), 500):
            chunk = tuple(article_ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            found.update(self._conn.execute(
                f"SELECT article_id, cluster_id FROM story_clusters "
                f"WHERE article_id IN ({marks})", chunk))
        return found

    def cluster_peers(self, article_ids: Sequence[int],
                      limit: int) -> dict[int, tuple[int, list[Headline]]]:
        of = self.clusters_of(article_ids)
        clusters: dict[int, tuple[int, list[Headline]]] = {}
        for cluster_id in sorted(set(of.values())):
            size = self._conn.execute(
                "SELECT COUNT(*) FROM story_clusters WHERE cluster_id = ?",
                (cluster_id,)).fetchone()[0]
            if size > 1:
                clusters[cluster_id] = (size, self.cluster_members(cluster_id, limit))
        return {aid: clusters[cid] for aid, cid in of.items() if cid in clusters}

    def largest_clusters(self, since: datetime, limit: int, *,
                         min_size: int = 2) -> list[ClusterSummary]:
        rows = self._conn.execute(
            "SELECT s.cluster_id, COUNT(*), MAX(s.published) FROM story_clusters s "
            "WHERE s.cluster_id IN (SELECT DISTINCT cluster_id FROM story_clusters "
            "WHERE published >= ?) GROUP BY s.cluster_id HAVING COUNT(*) >= ? "
            "ORDER BY COUNT(*) DESC, MAX(s.published) DESC, s.cluster_id LIMIT ?",
            (_ts(since), min_size, limit)).fetchall()
        found = []
        for cluster_id, size, newest in rows:
            lead = self.cluster_members(cluster_id, 1)
            if lead:
                found.append(ClusterSummary(cluster_id, size, lead[0], _dt(newest)))
        return found

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

    def search(self, query, *, limit: int = 20, offset: int = 0, order: str = "relevance"):
        """Full-text search (see :mod:`finews.search.engine`): SearchResults."""
        from ..search.engine import search
        return search(self._conn, query, limit=limit, offset=offset, order=order, tz=self.tz)

    def reindex(self, progress=None) -> int:
        """Rebuild the search index from the stored articles."""
        from ..search.index import reindex
        return reindex(self._conn, progress=progress)

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
