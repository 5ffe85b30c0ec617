"""`threadbot migrate-store`: copy a SQLite database into PostgreSQL without embedding anything again.

Every table the SQLite store holds is copied row for row (ids kept, so citations, statements and
digests still point where they did); a passage takes its vector from the SQLite embeddings table,
or from the saved dense index where most vectors live (snapshot.py), and its scope from its thread.
One transaction: a failed copy leaves the target as it was. The
HNSW index is built once at the end, many times faster than row by row. The source is opened
read-only and must be at the current schema (open it with this threadbot once to migrate it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable

import aiosqlite
import asyncpg
import numpy as np

from ...errors import StoreError
from .. import snapshot
from ..migrations import MIGRATIONS as SQLITE_MIGRATIONS
from ..thread_rows import blob_to_vector, vector_to_blob
from . import connection, schema
from .store import PostgresStore
from .threads import PASSAGE_COPY_COLUMNS

# In foreign-key order; passages are read with their vector and scope (PASSAGES_SQL).
TABLES = ("threads", "passages", "statements", "summary_cache", "digests", "guild_settings", "follows",
          "conversation_channels", "server_messages")
PASSAGES_SQL = ("SELECT p.id, p.thread_id, t.scope, p.kind, p.position, p.chunk, p.text, p.start_char, p.end_char, "
                "p.author, p.comment_id, p.parent_id, p.content_hash, e.vector FROM passages p "
                "JOIN threads t ON t.id = p.thread_id LEFT JOIN embeddings e ON e.content_hash = p.content_hash "
                "ORDER BY p.id")
BATCH = 5_000
Progress = Callable[[str, int], None]  # (table, rows copied so far)


async def migrate_store(source: str, target: str, replace: bool = False, progress: Progress | None = None
                        ) -> dict[str, int]:
    """Copy the SQLite database `source` into the PostgreSQL database at `target`; returns the rows
    copied per table. A target holding threads (or settings, follows) is refused unless `replace`,
    which empties it first."""
    try:
        db = await aiosqlite.connect(f"file:{source}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the SQLite database {source}: {exc}") from exc
    try:
        model_id, dim = await _check_source(db, source)
        held: Callable[[int], np.ndarray | None] = _no_vectors
        if model_id is not None and dim is not None:
            index, _ = await snapshot.load_index(db, source, model_id, dim, ann_min=2**62, cluster=False)
            held = index.vector
        store = await PostgresStore.open(target, model_id, dim, pool_size=1)
        try:
            return await connection.transaction(store._pool, lambda conn: _copy(db, conn, replace, progress, held))
        finally:
            await store.close()
    finally:
        await db.close()


async def _check_source(db: aiosqlite.Connection, source: str) -> tuple[str | None, int | None]:
    """The source's model (None, None without one), once it is known to be a current threadbot database."""
    try:
        async with db.execute("SELECT MAX(version) FROM schema_migrations") as cursor:
            row = await cursor.fetchone()
        async with db.execute("SELECT key, value FROM meta WHERE key IN ('model_id', 'dim')") as cursor:
            meta = {key: value for key, value in await cursor.fetchall()}
    except sqlite3.Error as exc:
        raise StoreError(f"{source} is not a threadbot SQLite database ({exc})") from exc
    latest = max(number for number, _, _ in SQLITE_MIGRATIONS)
    if row is None or row[0] != latest:
        raise StoreError(f"{source} is at schema version {row[0] if row else None}, not {latest}: open it once with "
                         "this threadbot (e.g. `threadbot --db FILE threads`) to migrate it, then copy it")
    if "model_id" in meta and str(meta.get("dim", "")).isdigit():
        return meta["model_id"], int(meta["dim"])
    return None, None


async def _copy(db: aiosqlite.Connection, conn: asyncpg.Connection, replace: bool,
                progress: Progress | None, vector_of: Callable[[int], np.ndarray | None]) -> dict[str, int]:
    held = await conn.fetchval("SELECT (SELECT COUNT(*) FROM threads) + (SELECT COUNT(*) FROM guild_settings) "
                               "+ (SELECT COUNT(*) FROM follows)")
    if held and not replace:
        raise StoreError("the PostgreSQL database already holds threads, settings or follows: copy into an empty "
                         "database, or pass --replace to empty it first")
    if held:
        await conn.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
    await conn.execute("DROP INDEX IF EXISTS passages_embedding")
    counts = {}
    for table in TABLES:
        columns, types = await _target_columns(conn, table)
        if table == "passages":
            columns, sql = PASSAGE_COPY_COLUMNS, PASSAGES_SQL
        else:
            sql = f"SELECT {', '.join(columns)} FROM {table}"
        counts[table] = 0
        async for rows in _batches(db, sql):
            if table == "passages":
                rows = [_with_vector(row, vector_of) for row in rows]
            records = [_coerce(row, columns, types) for row in rows]
            await conn.copy_records_to_table(table, records=records, columns=columns)
            counts[table] += len(records)
            if progress:
                progress(table, counts[table])
    if await conn.fetchval("SELECT value FROM meta WHERE key = 'dim'") is not None:
        await schema.create_vector_index(conn)
    await _advance_sequences(db, conn)
    return counts


def _no_vectors(passage_id: int) -> np.ndarray | None:
    return None


def _with_vector(row: tuple, vector_of: Callable[[int], np.ndarray | None]) -> tuple:
    """A passage row (PASSAGES_SQL) whose vector is in the saved index rather than the rows takes it there."""
    if row[-1] is not None:
        return row
    vector = vector_of(row[0])
    if vector is None:
        raise StoreError(f"passage {row[0]} has no stored vector: open the database once with threadbot and its "
                         "model (which embeds lost vectors again), then copy it")
    return (*row[:-1], vector_to_blob(vector))


async def _target_columns(conn: asyncpg.Connection, table: str) -> tuple[list[str], dict[str, str]]:
    rows = await conn.fetch("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 "
                            "AND table_schema = current_schema() AND is_generated = 'NEVER' ORDER BY ordinal_position",
                            table)
    types = {row[0]: row[1] for row in rows}
    types["embedding"] = "vector"
    return [row[0] for row in rows if row[0] != "embedding"], types


async def _batches(db: aiosqlite.Connection, sql: str) -> AsyncIterator[list]:
    async with db.execute(sql) as cursor:
        while rows := await cursor.fetchmany(BATCH):
            yield list(rows)


def _coerce(row: tuple, columns: list[str], types: dict[str, str]) -> tuple:
    """SQLite's loosely typed values as the target's columns want them (text, whole numbers, vectors)."""
    out: list[object] = []
    for name, value in zip(columns, row, strict=True):
        kind = types.get(name, "text")
        if value is None:
            out.append(None)
        elif kind == "vector":
            out.append(blob_to_vector(value))
        elif kind == "text":
            out.append(value if isinstance(value, str) else str(value))
        elif kind in ("integer", "bigint"):
            out.append(int(value))
        elif kind == "double precision":
            out.append(float(value))
        else:
            out.append(value)
    return tuple(out)


async def _advance_sequences(db: aiosqlite.Connection, conn: asyncpg.Connection) -> None:
    """Ids handed out next start above every copied one (and above every passage id SQLite ever
    handed out, which it never reuses either)."""
    async with db.execute("SELECT value FROM meta WHERE key = 'passage_id_high'") as cursor:
        row = await cursor.fetchone()
    high = max(int(row[0]) if row else 0, int(await conn.fetchval("SELECT COALESCE(MAX(id), 0) FROM passages")))
    if high:
        await conn.execute("SELECT setval('passage_ids', $1)", high)
    for table in ("statements", "digests", "follows"):
        await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) "
                           f"FROM {table}")
