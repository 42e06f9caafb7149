"""The store's reads and small writes, written once for both backends.

The tables and columns are the same on SQLite and PostgreSQL, and so is
this SQL (``?`` placeholders): a backend's store class mixes this in and
supplies ``_rows`` (a query's rows), ``_exec`` (one statement inside a
transaction it opened with ``_write``), ``_in`` (how a list of ids is
passed), ``_ledger`` (its ``ledger.SQLLedger``), ``_category_cache``,
``tz``, and its own ``category_walk``, search and copy.
"""

from __future__ import annotations

import json
import zlib
from contextlib import AbstractContextManager
from datetime import date, datetime, timezone
from typing import Any, Iterator, Sequence

from ..model import (Article, Category, Headline, QuarantineRecord, StoredAlias,
                     StoredArticle, UpsertOutcome)
from ..search.indextext import IndexEntry
from . import rows as rows_, rules
from .base import (Change, ClusterCandidate, ClusterEntry, ClusterSummary, QuarantineEntry,
                   SourceState, StockSummary)
from .copy import Table

_ts = rules.timestamp


def _ts_up(value: datetime) -> int:
    """Unix seconds rounded up: a source's next attempt never comes early
    (a poll 0.9 s after the last with a 1 s interval would be a second one
    within its interval)."""
    return -int(-value.timestamp() // 1)
_dt = rows_.when


class StoreQueries:
    # --- what a backend supplies ------------------------------------------------

    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        raise NotImplementedError

    def _exec(self, sql: str, params: Sequence = ()) -> None:
        raise NotImplementedError

    def _exec_many(self, sql: str, rows: Sequence[Sequence]) -> None:
        raise NotImplementedError

    def _write(self) -> AbstractContextManager:
        raise NotImplementedError

    def _in(self, values: Sequence[Any]) -> Iterator[tuple[str, tuple]]:
        """(``IN``-like SQL, its parameters) for ``values``, in as many parts as it takes."""
        raise NotImplementedError

    # --- shared ------------------------------------------------------------------

    def _one(self, sql: str, params: Sequence = ()) -> tuple | None:
        found = self._rows(sql, params)
        return found[0] if found else None

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

    def category_by_slug(self, slug: str) -> Category | None:
        return self._ledger.category_row("slug", slug)

    #: Attempts at a batch that lost a race with another writer.
    _UPSERT_ATTEMPTS = 3

    def _lost_race(self, exc: BaseException) -> bool:
        """Whether a failed write collided with another writer's (a backend
        with several writers says; trying again then sees what it committed)."""
        return False

    def upsert_articles(self, batch: Sequence[tuple[Article, bytes]], *,
                        index_entries: Sequence[IndexEntry | None] | None = None
                        ) -> UpsertOutcome:
        for attempt in range(1, self._UPSERT_ATTEMPTS + 1):
            try:
                with self._write():
                    return rules.upsert(self._ledger, batch, index_entries,
                                        now=_ts(datetime.now(timezone.utc)),
                                        category_of=self._category_of, tz=self.tz)
            except BaseException as exc:
                # Categories made inside the failed transaction were rolled back too.
                self._category_cache.clear()
                if attempt == self._UPSERT_ATTEMPTS or not self._lost_race(exc):
                    raise
        raise AssertionError("unreachable")

    def _category_of(self, article: Article) -> Category:
        if article.category_slug:
            return self.category_for(article.media, slug=article.category_slug,
                                     tag=article.tags[0] if article.tags else None)
        return self.category_for(article.media)

    def categories(self) -> list[Category]:
        return [Category(*row) for row in self._rows(
            "SELECT id, slug, name, tag, original_slug FROM categories ORDER BY slug")]

    def seen_item_hashes(self, source: str, upstream_ids: Sequence[str]) -> dict[str, str]:
        """The list-item hashes recorded by :meth:`mark_items_seen` for these ids."""
        found: dict[str, str] = {}
        for among, params in self._in(upstream_ids):
            found.update(self._rows("SELECT upstream_id, item_hash FROM seen_items "
                                    f"WHERE source = ? AND upstream_id {among}",
                                    (source, *params)))
        return found

    def mark_items_seen(self, source: str, hashes: dict[str, str]) -> None:
        if not hashes:
            return
        with self._write():
            self._exec_many(
                "INSERT INTO seen_items (source, upstream_id, item_hash) VALUES (?, ?, ?) "
                "ON CONFLICT (source, upstream_id) DO UPDATE SET item_hash = excluded.item_hash "
                "WHERE seen_items.item_hash != excluded.item_hash",
                [(source, uid, h) for uid, h in hashes.items()])

    def quarantine(self, record: QuarantineRecord) -> None:
        """Keep a bad item; the same item failing the same way again is kept once."""
        with self._write():
            self._exec(
                "INSERT INTO quarantine (source, upstream_id, code, reason, payload, "
                "fingerprint, created) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (source, fingerprint) DO NOTHING",
                (record.source, record.upstream_id, record.code, record.reason,
                 zlib.compress(record.payload, 6), rules.fingerprint(record),
                 _ts(datetime.now(timezone.utc))))

    def _select(self, where: str, params: Sequence = ()) -> list[StoredArticle]:
        rows = self._rows(f"SELECT {rows_.ARTICLE_COLUMNS} FROM articles a JOIN categories c "
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
        alias = self._one("SELECT article_id FROM aliases WHERE source = ? AND "
                          "upstream_id = ?", (source, upstream_id))
        return self.article(alias[0]) if alias else None

    def articles(self, ids: Sequence[int]) -> list[StoredArticle]:
        found: list[StoredArticle] = []
        for among, params in self._in(ids):
            found.extend(self._select(f"WHERE a.id {among} ORDER BY a.id", params))
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

    def aliases(self, article_ids: Sequence[int]) -> list[StoredAlias]:
        found: list[StoredAlias] = []
        for among, params in self._in(article_ids):
            found.extend(rows_.alias(row) for row in self._rows(
                f"SELECT {rows_.ALIAS_COLUMNS} FROM aliases WHERE article_id {among} "
                "AND title IS NOT NULL", params))
        found.sort(key=lambda a: (a.article_id, a.article.source, a.article.upstream_id))
        return found

    def iter_aliases(self, batch: int = 500, *, after: int = 0,
                     upto: int | None = None) -> Iterator[StoredAlias]:
        last, upto = after, (2 ** 63 - 1 if upto is None else upto)
        while True:
            ids = [row[0] for row in self._rows(
                "SELECT DISTINCT article_id FROM aliases WHERE article_id > ? AND "
                "article_id <= ? AND title IS NOT NULL ORDER BY article_id LIMIT ?",
                (last, upto, batch))]
            if not ids:
                return
            yield from self.aliases(ids)
            last = ids[-1]

    def raw_payload(self, article_id: int) -> bytes | None:
        row = self._one("SELECT data FROM raw_payloads WHERE article_id = ?", (article_id,))
        return zlib.decompress(row[0]) if row else None

    def revision_count(self, article_id: int) -> int:
        return self._one("SELECT COUNT(*) FROM revisions WHERE article_id = ?",
                         (article_id,))[0]

    def article_id_bounds(self) -> tuple[int, int]:
        """The smallest and largest article id (0, 0 when empty)."""
        lo, hi = self._one("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM articles")
        return lo, hi

    def count_articles(self) -> int:
        return self._one("SELECT COUNT(*) FROM articles")[0]

    def changes_since(self, seq: int) -> tuple[list[Change], int]:
        return rules.changes(self._rows(rules.CHANGES_SQL, (seq,)))

    def earlier_times(self, article_ids: Sequence[int]) -> list[tuple[int, int, datetime]]:
        found = []
        for among, params in self._in(article_ids):
            found += [(aid, cid, _dt(published)) for aid, cid, published in self._rows(
                "SELECT DISTINCT r.article_id, a.category_id, r.published FROM revisions r "
                "JOIN articles a ON a.id = r.article_id "
                f"WHERE r.article_id {among} AND r.published != a.published", params)]
        return found

    def _headlines(self, where: str, params: Sequence) -> list[Headline]:
        return [rows_.headline(row) for row in self._rows(
            f"SELECT {rows_.HEADLINE_COLUMNS} FROM articles a JOIN categories c "
            f"ON c.id = a.category_id {where}", params)]

    def newest(self, limit: int) -> list[Headline]:
        return self._headlines("ORDER BY a.published DESC, a.id DESC LIMIT ?", (limit,))

    def category_newest(self, category_id: int, limit: int) -> list[Headline]:
        return self._headlines("WHERE a.category_id = ? ORDER BY a.published DESC, "
                               "a.id DESC LIMIT ?", (category_id, limit))

    def category_count(self, category_id: int) -> int:
        return self._one("SELECT COUNT(*) FROM articles WHERE category_id = ?",
                         (category_id,))[0]

    def category_rank(self, category_id: int, published: datetime, article_id: int) -> int:
        ts = _ts(published)
        return self._one(
            "SELECT COUNT(*) FROM articles WHERE category_id = ? AND "
            "(published < ? OR (published = ? AND id < ?))",
            (category_id, ts, ts, article_id))[0]

    def day_headlines(self, day: date) -> list[Headline]:
        number = day.year * 10000 + day.month * 100 + day.day
        return self._headlines("WHERE a.day = ? ORDER BY a.published DESC, a.id DESC",
                               (number,))

    def days(self) -> list[tuple[date, int]]:
        rows = self._rows("SELECT day, COUNT(*) FROM articles GROUP BY day ORDER BY day DESC")
        return [(date(d // 10000, d // 100 % 100, d % 100), n) for d, n in rows]

    # --- stocks -----------------------------------------------------------------

    _STOCK_JOIN = ("FROM stock_mentions m JOIN articles a ON a.id = m.article_id "
                   "JOIN categories c ON c.id = a.category_id "
                   "WHERE m.code = ? AND m.market = ? ")

    def stocks(self) -> list[StockSummary]:
        return [StockSummary(*row) for row in self._rows(
            "SELECT market, code, MAX(name), COUNT(*) FROM stock_mentions "
            "GROUP BY market, code ORDER BY market, code")]

    def stock(self, market: str, code: str) -> StockSummary | None:
        row = self._one("SELECT MAX(name), COUNT(*) FROM stock_mentions "
                        "WHERE code = ? AND market = ?", (code, market))
        return StockSummary(market, code, row[0], row[1]) if row and row[1] else None

    def stock_newest(self, market: str, code: str, limit: int,
                     offset: int = 0) -> list[Headline]:
        return [rows_.headline(row) for row in self._rows(
            f"SELECT {rows_.HEADLINE_COLUMNS} {self._STOCK_JOIN}"
            "ORDER BY a.published DESC, a.id DESC LIMIT ? OFFSET ?",
            (code, market, limit, offset))]

    def stock_rank(self, market: str, code: str, published: datetime,
                   article_id: int) -> int:
        ts = _ts(published)
        return self._one(
            "SELECT COUNT(*) FROM stock_mentions m JOIN articles a ON a.id = m.article_id "
            "WHERE m.code = ? AND m.market = ? AND "
            "(a.published < ? OR (a.published = ? AND a.id < ?))",
            (code, market, ts, ts, article_id))[0]

    def earlier_stocks(self, article_ids: Sequence[int]) -> list[tuple[int, str, str]]:
        found: set[tuple[int, str, str]] = set()
        for among, params in self._in(article_ids):
            for aid, stocks in self._rows(
                    "SELECT DISTINCT article_id, stocks FROM revisions "
                    f"WHERE article_id {among} AND stocks IS NOT NULL "
                    "AND stocks != '[]'", params):
                found.update((aid, market, code) for market, code, _ in json.loads(stocks))
        return sorted(found)

    # --- story clusters ---------------------------------------------------------

    def cluster_key_hits(self, keys: Sequence[int], per_key: int) -> dict[int, list[int]]:
        hits: dict[int, list[int]] = {}
        if not keys:
            return hits
        # One statement, each key's look-up bounded by its own LIMIT.
        one = ("SELECT * FROM (SELECT key, article_id FROM cluster_keys WHERE key = ? "
               "ORDER BY article_id DESC LIMIT ?) AS k")
        params: list[int] = []
        for key in keys:
            params += (key, per_key)
        for key, aid in self._rows(" UNION ALL ".join([one] * len(keys)), params):
            hits.setdefault(key, []).append(aid)
        for ids in hits.values():
            ids.sort(reverse=True)
        return hits

    def cluster_fingerprints(self, article_ids: Sequence[int], *, since: datetime,
                             until: datetime) -> list[ClusterCandidate]:
        found: list[ClusterCandidate] = []
        for among, params in self._in(article_ids):
            found += [ClusterCandidate(aid, cid, bytes(fp)) for aid, cid, fp in self._rows(
                "SELECT article_id, cluster_id, fingerprint FROM story_clusters "
                f"WHERE article_id {among} AND published BETWEEN ? AND ?",
                (*params, _ts(since), _ts(until)))]
        found.sort(key=lambda c: c.article_id)
        return found

    def add_to_clusters(self, entries: Sequence[ClusterEntry]) -> int:
        added = 0
        touched: list[int] = []
        with self._write():
            for entry in entries:
                if not self._rows(
                        "INSERT INTO story_clusters (article_id, cluster_id, published, "
                        "fingerprint) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING "
                        "RETURNING article_id",
                        (entry.article_id, entry.cluster_id, _ts(entry.published),
                         entry.fingerprint)):
                    continue
                added += 1
                self._exec_many("INSERT INTO cluster_keys (key, article_id) VALUES (?, ?) "
                                "ON CONFLICT DO NOTHING",
                                [(k, entry.article_id) for k in entry.keys])
                touched += sorted(entry.touch)
            # Their pages list the new story: they change with it.
            rules.renumber(self._ledger, touched)
        return added

    _MEMBER_SELECT = (f"SELECT {rows_.HEADLINE_COLUMNS} FROM story_clusters s "
                      "JOIN articles a ON a.id = s.article_id "
                      "JOIN categories c ON c.id = a.category_id ")

    def cluster_members(self, cluster_id: int, limit: int | None = None) -> list[Headline]:
        bound, params = ("", (cluster_id,)) if limit is None else (" LIMIT ?",
                                                                   (cluster_id, limit))
        return [rows_.headline(row) for row in self._rows(
            self._MEMBER_SELECT + "WHERE s.cluster_id = ? ORDER BY a.published, a.id"
            + bound, params)]

    def clusters_of(self, article_ids: Sequence[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for among, params in self._in(article_ids):
            found.update(self._rows("SELECT article_id, cluster_id FROM story_clusters "
                                    f"WHERE article_id {among}", params))
        return found

    def cluster_peers(self, article_ids: Sequence[int],
                      limit: int) -> dict[int, tuple[int, list[Headline]]]:
        of = self.clusters_of(article_ids)
        clusters: dict[int, tuple[int, list[Headline]]] = {}
        for cluster_id in sorted(set(of.values())):
            size = self._one("SELECT COUNT(*) FROM story_clusters WHERE cluster_id = ?",
                             (cluster_id,))[0]
            if size > 1:
                clusters[cluster_id] = (size, self.cluster_members(cluster_id, limit))
        return {aid: clusters[cid] for aid, cid in of.items() if cid in clusters}

    def largest_clusters(self, since: datetime, limit: int, *,
                         min_size: int = 2) -> list[ClusterSummary]:
        rows = self._rows(
            "SELECT s.cluster_id, COUNT(*), MAX(s.published) FROM story_clusters s "
            "WHERE s.cluster_id IN (SELECT DISTINCT cluster_id FROM story_clusters "
            "WHERE published >= ?) GROUP BY s.cluster_id HAVING COUNT(*) >= ? "
            "ORDER BY COUNT(*) DESC, MAX(s.published) DESC, s.cluster_id LIMIT ?",
            (_ts(since), min_size, limit))
        found = []
        for cluster_id, size, newest in rows:
            lead = self.cluster_members(cluster_id, 1)
            if lead:
                found.append(ClusterSummary(cluster_id, size, lead[0], _dt(newest)))
        return found

    def list_quarantine(self, limit: int = 100) -> list[QuarantineEntry]:
        rows = self._rows("SELECT id, source, upstream_id, code, reason, created FROM quarantine "
                          "ORDER BY id DESC LIMIT ?", (limit,))
        return [QuarantineEntry(i, s, u, c, r, _dt(t)) for i, s, u, c, r, t in rows]

    def quarantine_payload(self, entry_id: int) -> bytes | None:
        row = self._one("SELECT payload FROM quarantine WHERE id = ?", (entry_id,))
        return zlib.decompress(row[0]) if row else None

    def count_quarantine(self) -> int:
        return self._one("SELECT COUNT(*) FROM quarantine")[0]

    # --- sources ----------------------------------------------------------------

    def source_state(self, name: str) -> SourceState:
        row = self._one(
            "SELECT last_attempt, last_success, last_error, error_count, next_attempt, "
            "etag, last_modified, served, new, updated, unchanged, quarantined, "
            "lease_owner, lease_until FROM sources WHERE name = ?", (name,))
        if row is None:
            return SourceState(name)
        (attempt, success, error, count, next_at, etag, modified, *counts,
         owner, until) = row
        return SourceState(name, _dt(attempt), _dt(success), error, count, _dt(next_at),
                           etag, modified, *counts, lease_owner=owner,
                           lease_until=_dt(until))

    #: What the lease query adds to lock the rows it reads (PostgreSQL); a
    #: SQLite writer holds the whole database already.
    _LEASE_LOCK = ""

    def register_sources(self, names: Sequence[str]) -> None:
        with self._write():
            self._exec_many("INSERT INTO sources (name, position) VALUES (?, ?) "
                            "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                            [(name, n) for n, name in enumerate(names)])

    def lease_sources(self, names: Sequence[str], *, worker: str, now: datetime,
                      until: datetime, limit: int) -> list[str]:
        taken: list[str] = []
        at = _ts(now)
        with self._write():
            for clause, params in self._in(list(names)):
                if len(taken) >= limit:
                    break
                taken.extend(row[0] for row in self._rows(
                    "UPDATE sources SET lease_owner = ?, lease_until = ? WHERE name IN ("
                    f"SELECT name FROM sources WHERE name {clause} "
                    "AND (next_attempt IS NULL OR next_attempt <= ?) "
                    "AND (lease_until IS NULL OR lease_until <= ?) "
                    f"ORDER BY COALESCE(next_attempt, 0), position, name LIMIT ?{self._LEASE_LOCK}) "
                    "RETURNING name",
                    (worker, _ts(until), *params, at, at, limit - len(taken))))
        return taken

    def renew_lease(self, name: str, *, worker: str, until: datetime) -> bool:
        with self._write():
            return bool(self._rows(
                "UPDATE sources SET lease_until = ? WHERE name = ? AND lease_owner = ? "
                "RETURNING name", (_ts(until), name, worker)))

    def release_sources(self, worker: str) -> int:
        with self._write():
            return len(self._rows(
                "UPDATE sources SET lease_owner = NULL, lease_until = NULL "
                "WHERE lease_owner = ? RETURNING name", (worker,)))

    def _ensure_source(self, name: str) -> None:
        self._exec("INSERT INTO sources (name) VALUES (?) ON CONFLICT DO NOTHING", (name,))

    def record_source_success(self, name: str, *, at: datetime, next_attempt: datetime,
                              etag: str | None = None, last_modified: str | None = None,
                              served: int = 0, outcome: UpsertOutcome | None = None,
                              quarantined: int = 0) -> None:
        outcome = outcome or UpsertOutcome()
        with self._write():
            self._ensure_source(name)
            self._exec(
                "UPDATE sources SET last_attempt = ?, last_success = ?, last_error = NULL, "
                "error_count = 0, next_attempt = ?, lease_owner = NULL, lease_until = NULL, "
                "etag = COALESCE(?, etag), "
                "last_modified = COALESCE(?, last_modified), served = served + ?, "
                "new = new + ?, updated = updated + ?, unchanged = unchanged + ?, "
                "quarantined = quarantined + ? WHERE name = ?",
                (_ts(at), _ts(at), _ts_up(next_attempt), etag, last_modified, served,
                 outcome.new, outcome.updated, outcome.unchanged, quarantined, name))

    def record_source_error(self, name: str, error: str, *, at: datetime,
                            next_attempt: datetime) -> None:
        with self._write():
            self._ensure_source(name)
            self._exec(
                "UPDATE sources SET last_attempt = ?, last_error = ?, "
                "error_count = error_count + 1, next_attempt = ?, lease_owner = NULL, "
                "lease_until = NULL WHERE name = ?",
                (_ts(at), error, _ts_up(next_attempt), name))

    # --- state ------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        row = self._one("SELECT value FROM state WHERE key = ?", (key,))
        return row[0] if row else None

    def set_state(self, key: str, value: str) -> None:
        with self._write():
            self._exec("INSERT INTO state (key, value) VALUES (?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    # --- copying a whole archive (store.copy) -----------------------------------

    def copy_count(self, table: Table) -> int:
        return self._one(f"SELECT COUNT(*) FROM {table.name}")[0]

    def copy_last_key(self, table: Table) -> tuple | None:
        keys = ", ".join(table.key)
        order = ", ".join(f"{k} DESC" for k in table.key)
        return self._one(f"SELECT {keys} FROM {table.name} ORDER BY {order} LIMIT 1")

    def copy_count_upto(self, table: Table, key: tuple) -> int:
        keys = ", ".join(table.key)
        return self._one(f"SELECT COUNT(*) FROM {table.name} "
                         f"WHERE ({keys}) <= ({', '.join('?' * len(key))})", key)[0]

    def copy_row(self, table: Table, key: tuple) -> tuple | None:
        keys = ", ".join(table.key)
        return self._one(f"SELECT {', '.join(table.columns)} FROM {table.name} "
                         f"WHERE ({keys}) = ({', '.join('?' * len(key))})", key)

    def copy_read(self, table: Table, after: tuple | None, limit: int) -> list[tuple]:
        keys = ", ".join(table.key)
        where = f"WHERE ({keys}) > ({', '.join('?' * len(after))})" if after else ""
        return self._rows(f"SELECT {', '.join(table.columns)} FROM {table.name} {where} "
                          f"ORDER BY {keys} LIMIT ?", (*(after or ()), limit))
