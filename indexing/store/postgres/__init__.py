"""The PostgreSQL backend of the store (a `postgresql://` URL): pgvector's HNSW index for dense
search, PostgreSQL full-text search for lexical search, a connection pool and retried transactions
for several processes at once (store.py); the schema and its migrations (schema.py); connections,
errors and the vector codec (connection.py); the rows, in PostgreSQL's dialect (threads.py,
rows.py, social.py); search (search.py); and the copy of a SQLite database into it (copy.py)."""

from .store import PostgresStore

__all__ = ["PostgresStore"]
