"""The PostgreSQL backend: psycopg 3, a tsvector + GIN search index."""

from .store import PostgresStore

__all__ = ["PostgresStore"]
