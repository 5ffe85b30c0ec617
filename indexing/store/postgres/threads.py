"""A thread's rows on PostgreSQL, inside the caller's transaction, so a thread is all-or-nothing:
the thread, its passages (diffed against the stored ones as thread_rows.plan_passages does, so
unchanged passages keep their ids) with their vectors, written with COPY."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Literal

import asyncpg
import numpy as np

from ...errors import StoreError
from ...records import Passage, Thread
from ..thread_rows import THREAD_COLUMNS, WriteResult, passage_key, plan_passages, thread_values
from ..transactions import now_iso

PASSAGE_COPY_COLUMNS = ["id", "thread_id", "scope", "kind", "position", "chunk", "text", "start_char", "end_char",
                        "author", "comment_id", "parent_id", "content_hash", "embedding"]
_THREAD_MARKS = ", ".join(f"${i}" for i in range(1, 12))


async def lock_thread(conn: asyncpg.Connection, thread_id: str) -> None:
    """Writes of one thread take turns across processes (until the transaction ends)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('thread:' || $1))", thread_id)


async def stored_vectors(conn: asyncpg.Connection, hashes: Iterable[str]) -> dict[str, np.ndarray]:
    """One stored vector per content hash (identical texts share theirs)."""
    rows = await conn.fetch("SELECT DISTINCT ON (content_hash) content_hash, embedding FROM passages "
                            "WHERE content_hash = ANY($1::text[]) AND embedding IS NOT NULL", list(set(hashes)))
    return {row[0]: row[1] for row in rows}


async def write_thread_rows(conn: asyncpg.Connection, thread_id: str, scope: str, thread: Thread,
                            passages: list[Passage], new_vectors: dict[str, np.ndarray], with_vectors: bool
                            ) -> tuple[WriteResult, list[int], list[Passage]]:
    """(result, removed passage ids, added passages). `with_vectors`: every added passage must have
    a vector (new, or stored for its text); without, passages are stored without one."""
    await lock_thread(conn, thread_id)
    existing = await conn.fetchval("SELECT scope FROM threads WHERE id = $1", thread_id)
    if existing is not None and existing != scope:
        raise StoreError(f"thread {thread_id} belongs to another scope")
    stamp = now_iso()
    values = await asyncio.to_thread(thread_values, thread, scope)  # the body's JSON: off the event loop
    old: dict[tuple, tuple[int, int]] = {}
    if existing is not None:
        await conn.execute(f"UPDATE threads SET ({THREAD_COLUMNS}, updated_at) = ({_THREAD_MARKS}, $12) "
                           "WHERE id = $13", *values, stamp, thread_id)
        for row in await conn.fetch("SELECT id, kind, position, chunk, comment_id, content_hash FROM passages "
                                    "WHERE thread_id = $1", thread_id):
            pid, kind, position, chunk, comment_id, content_hash = row
            old[passage_key(thread_id, kind, position, chunk, comment_id, content_hash)] = (pid, position)
    else:
        await conn.execute(f"INSERT INTO threads ({THREAD_COLUMNS}, indexed_at, updated_at, id) "
                           f"VALUES ({_THREAD_MARKS}, $12, $12, $13)", *values, stamp, thread_id)
    added, moved, removed = plan_passages(old, passages, scope)
    # Before the removed rows go: a paragraph that moved is removed and added again, with its vector.
    vectors = dict(new_vectors)
    if with_vectors:
        vectors.update(await stored_vectors(conn, {p.content_hash for p in added} - set(new_vectors)))
    removed_ids = [pid for pid, _ in removed]
    if removed_ids:
        await conn.execute("DELETE FROM passages WHERE id = ANY($1::bigint[])", removed_ids)
    if moved:
        await conn.executemany("UPDATE passages SET position = $1 WHERE id = $2", moved)
    if added:
        ids = await conn.fetch("SELECT nextval('passage_ids') FROM generate_series(1, $1)", len(added))
        for p, row in zip(added, ids, strict=True):
            p.id = int(row[0])
        await conn.copy_records_to_table("passages", columns=PASSAGE_COPY_COLUMNS, records=[
            (p.id, thread_id, scope, p.kind, p.position, p.chunk, p.text, p.start, p.end, p.author, p.comment_id,
             p.parent_id, p.content_hash, vectors.get(p.content_hash)) for p in added])
    # Checked after the rows went in, so a bad row fails as itself; either way the transaction rolls back.
    missing = [p.content_hash for p in added if with_vectors and p.content_hash not in vectors]
    if missing:
        raise StoreError(f"no embedding stored for passage hash {missing[0]}")
    status: Literal["indexed", "updated"] = "updated" if existing is not None else "indexed"
    return WriteResult(status, len(passages), len(added), len(removed_ids)), removed_ids, added
