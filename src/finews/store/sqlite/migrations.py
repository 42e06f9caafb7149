"""Schema migrations for the SQLite store: an append-only ordered list.

Migration N brings the schema from version N to N+1 (``PRAGMA user_version``).
Never edit a released migration; add a new one.
"""

from __future__ import annotations

import sqlite3

from .fts_schema import FTS_MIGRATION

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema.
    """
    CREATE TABLE categories (
        id            INTEGER PRIMARY KEY,
        slug          TEXT NOT NULL UNIQUE,      -- URL-safe, never changes
        name          TEXT NOT NULL,             -- media name
        tag           TEXT NOT NULL,
        original_slug TEXT UNIQUE                -- an imported site's slug, as written
    );
    CREATE INDEX categories_name ON categories(name);

    CREATE TABLE articles (
        id           INTEGER PRIMARY KEY,
        source       TEXT NOT NULL,
        upstream_id  TEXT NOT NULL,
        category_id  INTEGER NOT NULL REFERENCES categories(id),
        path         TEXT NOT NULL UNIQUE,
        title        TEXT NOT NULL,
        digest       TEXT NOT NULL,
        body_html    TEXT NOT NULL,
        published    INTEGER NOT NULL,           -- Unix seconds, UTC
        day          INTEGER NOT NULL,           -- local date as YYYYMMDD
        media        TEXT NOT NULL,
        url          TEXT,
        tags         TEXT NOT NULL,              -- JSON array
        stocks       TEXT NOT NULL,              -- JSON array of [market, code, name]
        shape        TEXT,
        extra        TEXT NOT NULL,              -- JSON object
        content_hash TEXT NOT NULL,
        seq          INTEGER NOT NULL UNIQUE,    -- change sequence of the last change
        first_seen   INTEGER NOT NULL,
        updated      INTEGER NOT NULL,
        UNIQUE (source, upstream_id)
    );
    CREATE INDEX articles_category ON articles(category_id, published, id);
    CREATE INDEX articles_published ON articles(published, id);
    CREATE INDEX articles_day ON articles(day, published);
    CREATE INDEX articles_url ON articles(url) WHERE url IS NOT NULL;
    CREATE INDEX articles_hash ON articles(content_hash);

    -- The same story served by a second list under another id.
    CREATE TABLE aliases (
        source       TEXT NOT NULL,
        upstream_id  TEXT NOT NULL,
        article_id   INTEGER NOT NULL REFERENCES articles(id),
        content_hash TEXT NOT NULL,
        PRIMARY KEY (source, upstream_id)
    );

    -- What each list said of an item last time it was stored whole, so an
    -- unchanged item costs no full-text request and no write.
    CREATE TABLE seen_items (
        source      TEXT NOT NULL,
        upstream_id TEXT NOT NULL,
        item_hash   TEXT NOT NULL,
        PRIMARY KEY (source, upstream_id)
    ) WITHOUT ROWID;

    CREATE TABLE stock_mentions (
        article_id INTEGER NOT NULL REFERENCES articles(id),
        market     TEXT NOT NULL,
        code       TEXT NOT NULL,
        name       TEXT NOT NULL,
        PRIMARY KEY (article_id, market, code)
    ) WITHOUT ROWID;
    CREATE INDEX stock_mentions_code ON stock_mentions(code, article_id);

    CREATE TABLE raw_payloads (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id),
        data       BLOB NOT NULL                 -- zlib-compressed
    );

    CREATE TABLE revisions (
        id           INTEGER PRIMARY KEY,
        article_id   INTEGER NOT NULL REFERENCES articles(id),
        title        TEXT NOT NULL,
        digest       TEXT NOT NULL,
        body_html    TEXT NOT NULL,
        published    INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        raw          BLOB,
        replaced_at  INTEGER NOT NULL
    );
    CREATE INDEX revisions_article ON revisions(article_id);

    CREATE TABLE quarantine (
        id          INTEGER PRIMARY KEY,
        source      TEXT NOT NULL,
        upstream_id TEXT,
        code        TEXT NOT NULL,
        reason      TEXT NOT NULL,
        payload     BLOB NOT NULL,               -- zlib-compressed
        fingerprint TEXT NOT NULL,               -- the same bad item is kept once
        created     INTEGER NOT NULL,
        UNIQUE (source, fingerprint)
    );

    CREATE TABLE sources (
        name          TEXT PRIMARY KEY,
        last_attempt  INTEGER,
        last_success  INTEGER,
        last_error    TEXT,
        error_count   INTEGER NOT NULL DEFAULT 0,
        next_attempt  INTEGER,
        etag          TEXT,
        last_modified TEXT,
        served        INTEGER NOT NULL DEFAULT 0,
        new           INTEGER NOT NULL DEFAULT 0,
        updated       INTEGER NOT NULL DEFAULT 0,
        unchanged     INTEGER NOT NULL DEFAULT 0,
        quarantined   INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: the full-text search index (see finews.store.sqlite.fts_schema). A store that
    # already had stories gets an empty index here: `finews reindex` fills it.
    FTS_MIGRATION,
    # 3: what each twin's own list said of it (the copy's fields and raw
    # payload), so each list's post can be exported and its address kept.
    # Twins recorded before this migration have NULLs: no copy was kept.
    """
    ALTER TABLE aliases ADD COLUMN title TEXT;
    ALTER TABLE aliases ADD COLUMN digest TEXT;
    ALTER TABLE aliases ADD COLUMN published INTEGER;
    ALTER TABLE aliases ADD COLUMN media TEXT;
    ALTER TABLE aliases ADD COLUMN url TEXT;
    ALTER TABLE aliases ADD COLUMN tags TEXT;
    ALTER TABLE aliases ADD COLUMN shape TEXT;
    ALTER TABLE aliases ADD COLUMN category_slug TEXT;
    ALTER TABLE aliases ADD COLUMN extra TEXT;
    ALTER TABLE aliases ADD COLUMN payload BLOB;     -- zlib-compressed
    -- The copy's own page address (a redirect to the story); NULL when a
    -- story or another copy had that address first.
    ALTER TABLE aliases ADD COLUMN path TEXT;
    CREATE INDEX aliases_article ON aliases(article_id);
    CREATE UNIQUE INDEX aliases_path ON aliases(path) WHERE path IS NOT NULL;
    """,
    # 4: revisions keep the stocks a version mentioned, so a stock page that
    # listed a story can be rewritten when an update drops the mention; story
    # clusters (finews.cluster): each clustered story's cluster and
    # fingerprint, and its LSH band keys. A store that already had stories
    # clusters them as it catches up (`finews recluster` does it at once).
    """
    ALTER TABLE revisions ADD COLUMN stocks TEXT;

    CREATE TABLE story_clusters (
        article_id  INTEGER PRIMARY KEY REFERENCES articles(id),
        cluster_id  INTEGER NOT NULL,            -- the id of its first story
        published   INTEGER NOT NULL,            -- the story's time, Unix seconds
        fingerprint BLOB NOT NULL                -- opaque to the store
    );
    CREATE INDEX story_clusters_cluster ON story_clusters(cluster_id, published, article_id);
    CREATE INDEX story_clusters_published ON story_clusters(published);

    CREATE TABLE cluster_keys (
        key        INTEGER NOT NULL,
        article_id INTEGER NOT NULL,
        PRIMARY KEY (key, article_id)
    ) WITHOUT ROWID;
    """,
    # 5: a fetch worker's lease on a source (``finews run --role fetch``):
    # who polls it now and until when the claim holds (Unix seconds), and
    # the source's place in the configuration. Not copied by ``copy-store``:
    # a lease means nothing in another store, and workers set the places.
    """
    ALTER TABLE sources ADD COLUMN lease_owner TEXT;
    ALTER TABLE sources ADD COLUMN lease_until INTEGER;
    -- Where the source stands in finews.toml: sources due at once are
    -- polled in that order, as `finews fetch` polls them.
    ALTER TABLE sources ADD COLUMN position INTEGER;
    """,
)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply pending migrations, each in its own transaction; return the version.

    Processes that open a new store at once (a fetch worker and a publisher
    started together) migrate it once: each step re-reads the version under
    the write lock and is skipped when another process applied it first.
    """
    from ...errors import StoreError
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StoreError(
            f"the database has schema version {version}, newer than this finews "
            f"knows ({len(MIGRATIONS)}): upgrade finews")
    for number in range(version, len(MIGRATIONS)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] == number:
                for statement in _statements(MIGRATIONS[number]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    """The statements of a migration, split where SQLite's own tokenizer says
    a statement is complete (so a ``;`` inside a string or comment stays)."""
    found, part = [], ""
    for piece in script.split(";"):
        part += piece + ";"
        if sqlite3.complete_statement(part):
            if part.strip(" \t\n;"):
                found.append(part)
            part = ""
    if part.strip(" \t\n;"):
        found.append(part)
    return found
