"""The store wing: everything persistent, and the only code that runs SQL.

One interface (interface.py: `ThreadStore`) and one opener (factory.py: `open_store`) over two
backends: PostgreSQL with pgvector (postgres/, several processes on one database) and the embedded
default, the SQLite store (sqlite.py: threads, passages, embeddings, statements, summary cache,
digests, server settings, followed threads), its numbered migrations, transactions (`atomic`, chunked `IN` lists),
full-text search (FTS5 BM25), the ranking maths (pure numpy), and the dense index with its
backends (dense/) saved beside the database and replayed from the passage log (snapshot.py).
Imports only the records, errors and config below it.
"""

from .factory import is_postgres_url, migrate_store, open_store
from .follows import NewFollow
from .interface import Scope, ThreadStore
from .sqlite import Store
from .summaries import DigestRow, NewDigest
from .thread_rows import BulkThread, WriteResult

__all__ = ["BulkThread", "DigestRow", "NewDigest", "NewFollow", "Scope", "Store", "ThreadStore", "WriteResult",
           "is_postgres_url", "migrate_store", "open_store"]
