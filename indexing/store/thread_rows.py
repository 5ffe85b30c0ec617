"""The rows of one thread: the thread, its passages and new embeddings, written inside the caller's
transaction so that a thread is all-or-nothing. Unchanged passages keep their ids (so citations stay
valid); gone ones are removed, and embeddings no passage uses any more with them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import aiosqlite
import numpy as np

from ..errors import StoreError
from ..records import Passage, PassageKind, Thread
from .transactions import chunked, marks, now_iso

PASSAGE_COLUMNS = ("p.id, p.thread_id, p.kind, p.position, p.chunk, p.text, p.start_char, p.end_char, "
                   "p.author, p.comment_id, p.parent_id, p.content_hash, t.scope")


VECTOR_DTYPE = "<f2"  # little-endian float16 since migration 12: what the dense index stores anyway


def vector_to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def blob_to_vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=VECTOR_DTYPE).astype(np.float32)


def as_stored(vectors: np.ndarray) -> np.ndarray:
    """Vectors rounded as the rows store them, so an index built from new vectors in memory holds
    what one rebuilt from the rows holds."""
    return np.asarray(vectors, dtype=VECTOR_DTYPE).astype(np.float32)


@dataclass(frozen=True)
class WriteResult:
    status: Literal["indexed", "updated"]
    passages: int
    added: int
    removed: int


@dataclass(frozen=True)
class BulkThread:
    """One thread's rows for `Store.bulk_write`: the passages with the vectors of their hashes."""

    thread_id: str
    scope: str
    thread: Thread
    passages: list[Passage]
    vectors: dict[str, np.ndarray]


def thread_values(thread: Thread, scope: str) -> tuple:
    """A thread row's values (THREAD_COLUMNS), timestamps and id aside."""
    body = json.dumps(thread.to_json(), ensure_ascii=False)
    return (scope, thread.identity_key(), thread.title, thread.url, thread.source, thread.source_file,
            thread.published, thread.content_hash(), body, len(thread.paragraphs), len(thread.comments))


THREAD_COLUMNS = ("scope, identity_key, title, url, source, source_file, published, content_hash, body_json, "
                  "paragraph_count, comment_count")
# A thread's listing (ThreadInfo's fields) on `threads t`, with its passage count.
INFO_COLUMNS = ("t.id, t.scope, t.title, t.url, t.source, t.source_file, t.published, t.paragraph_count, "
                "t.comment_count, (SELECT COUNT(*) FROM passages p WHERE p.thread_id = t.id), t.content_hash, "
                "t.indexed_at, t.updated_at")


def passage_from_row(row: tuple) -> Passage:
    (pid, thread_id, kind, position, chunk, text, start, end, author, comment_id, parent_id,
     content_hash, scope) = row
    return Passage(id=pid, thread_id=thread_id, kind=kind, position=position, chunk=chunk, text=text,
                   start=start, end=end, author=author, comment_id=comment_id, parent_id=parent_id,
                   content_hash=content_hash, scope=scope)


async def write_thread_rows(db: aiosqlite.Connection, thread_id: str, scope: str, thread: Thread,
                            passages: list[Passage], new_vectors: dict[str, np.ndarray]
                            ) -> tuple[WriteResult, list[int], list[Passage]]:
    """The thread's rows, inside the caller's transaction: (result, removed passage ids, added passages)."""
    stamp = now_iso()
    async with db.execute("SELECT scope FROM threads WHERE id = ?", (thread_id,)) as cursor:
        existing = await cursor.fetchone()
    if existing and existing[0] != scope:
        raise StoreError(f"thread {thread_id} belongs to another scope")
    await db.executemany("INSERT OR IGNORE INTO embeddings (content_hash, vector) VALUES (?, ?)",
                         [(h, vector_to_blob(v)) for h, v in new_vectors.items()])
    # In a worker thread: for a 1,522-comment thread the body and its hash took 30 ms of the event loop.
    values = await asyncio.to_thread(thread_values, thread, scope)
    old: dict[tuple, tuple[int, int]] = {}
    if existing:
        await db.execute(
            "UPDATE threads SET scope=?, identity_key=?, title=?, url=?, source=?, source_file=?, published=?, "
            "content_hash=?, body_json=?, paragraph_count=?, comment_count=?, updated_at=? WHERE id=?",
            (*values, stamp, thread_id))
        async with db.execute("SELECT id, kind, position, chunk, comment_id, content_hash FROM passages "
                              "WHERE thread_id = ?", (thread_id,)) as cursor:
            async for pid, kind, position, chunk, comment_id, content_hash in cursor:
                old[passage_key(thread_id, kind, position, chunk, comment_id, content_hash)] = (pid, position)
    else:
        await db.execute(
            "INSERT INTO threads (scope, identity_key, title, url, source, source_file, published, "
            "content_hash, body_json, paragraph_count, comment_count, indexed_at, updated_at, id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*values, stamp, stamp, thread_id))
    added, moved, removed = plan_passages(old, passages, scope)
    removed_ids = [pid for pid, _ in removed]
    if removed_ids:
        await db.executemany("DELETE FROM passages WHERE id = ?", [(pid,) for pid in removed_ids])
    if moved:
        await db.executemany("UPDATE passages SET position = ? WHERE id = ?", moved)
    # Ids assigned here (this transaction holds the write lock) so one executemany inserts them all:
    # a round trip per row made a 100,000-comment upload take a minute.
    next_id = await _next_passage_id(db, len(added))
    for offset, p in enumerate(added):
        p.id = next_id + offset
    await db.executemany(
        "INSERT INTO passages (id, thread_id, kind, position, chunk, text, start_char, end_char, author, "
        "comment_id, parent_id, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(p.id, thread_id, p.kind, p.position, p.chunk, p.text, p.start, p.end, p.author, p.comment_id,
          p.parent_id, p.content_hash) for p in added])
    await delete_orphan_embeddings(db, [h for _, h in removed])
    status: Literal["indexed", "updated"] = "updated" if existing else "indexed"
    return WriteResult(status, len(passages), len(added), len(removed_ids)), removed_ids, added


def plan_passages(old: dict[tuple, tuple[int, int]], passages: list[Passage], scope: str
                  ) -> tuple[list[Passage], list[tuple[int, int]], list[tuple[int, str]]]:
    """The diff of a thread's stored passages (key -> (id, position)) against its new ones: (added
    passages, (new position, id) of moved ones, (id, content hash) of removed ones). Unchanged
    passages get their stored ids (so citations stay valid); every passage gets the scope."""
    new_keys = set()
    added: list[Passage] = []
    moved: list[tuple[int, int]] = []
    for p in passages:
        p.scope = scope
        key = p.key()
        new_keys.add(key)
        if key in old:
            p.id, old_position = old[key]
            if old_position != p.position:
                moved.append((p.position, p.id))
            continue
        added.append(p)
    removed = [(pid, key[3]) for key, (pid, _) in old.items() if key not in new_keys]
    return added, moved, removed


def passage_key(thread_id: str, kind: PassageKind, position: int, chunk: int, comment_id: str | None,
                content_hash: str) -> tuple:
    """A stored passage's diff key (`Passage.key`) from its row."""
    return Passage(thread_id=thread_id, kind=kind, position=position, text="", chunk=chunk,
                   comment_id=comment_id, content_hash=content_hash).key()


async def _next_passage_id(db: aiosqlite.Connection, count: int) -> int:
    """The first of `count` fresh passage ids, above every id ever handed out (migration 8): an id is
    never reused, so a process whose dense index still holds a removed id can never serve another
    passage under it."""
    async with db.execute("SELECT MAX(COALESCE((SELECT MAX(id) FROM passages), 0), COALESCE((SELECT "
                          "CAST(value AS INTEGER) FROM meta WHERE key = 'passage_id_high'), 0))") as cursor:
        row = await cursor.fetchone()
    first = int(row[0]) + 1 if row else 1
    if count:
        await db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('passage_id_high', ?)",
                         (str(first + count - 1),))
    return first


class VectorsGone(StoreError):
    """A vector this write needs was in neither the embeddings rows nor this process's index: another
    process moved it into a saved copy this one has not loaded. The caller reloads and retries."""


async def vectors_for(db: aiosqlite.Connection, dim: int, added: list[Passage], known: dict[str, np.ndarray],
                      held: Callable[[int], np.ndarray | None]) -> np.ndarray:
    """The vectors of these newly written passages: the new ones given, the others from the
    embeddings rows or, for text whose vector lives only in the saved copy, from the index in memory
    (`held`: passage id -> vector) through another passage of the same text. Those are written back
    as rows, so other processes replaying this write find them. Raises VectorsGone."""
    hashes = [p.content_hash for p in added]
    out = np.zeros((len(hashes), dim), dtype=np.float32)
    missing = [h for h in set(hashes) if h not in known]
    stored: dict[str, np.ndarray] = {}
    for chunk in chunked(missing):
        async with db.execute(f"SELECT content_hash, vector FROM embeddings WHERE content_hash IN ({marks(chunk)})",
                              chunk) as cursor:
            async for h, blob in cursor:
                stored[h] = blob_to_vector(blob)
    unstored = [h for h in missing if h not in stored]
    if unstored:
        new_ids = {p.id for p in added}
        recovered: dict[str, np.ndarray] = {}
        for chunk in chunked(unstored):
            rows = await db.execute_fetchall(
                f"SELECT content_hash, id FROM passages WHERE content_hash IN ({marks(chunk)})", chunk)
            for h, pid in rows:
                vector = None if h in recovered or pid in new_ids else held(pid)
                if vector is not None:
                    recovered[h] = vector
        if len(recovered) < len(unstored):
            raise VectorsGone(f"no vector held for {len(unstored) - len(recovered)} passage texts")
        await db.executemany("INSERT OR IGNORE INTO embeddings (content_hash, vector) VALUES (?, ?)",
                             [(h, vector_to_blob(v)) for h, v in recovered.items()])
        stored.update(recovered)
    for i, h in enumerate(hashes):
        vector = known.get(h)
        if vector is None:
            vector = stored[h]
        out[i] = vector
    return as_stored(out)


async def delete_orphan_embeddings(db: aiosqlite.Connection, hashes: Iterable[str]) -> None:
    """Drop embeddings of these hashes once no passage uses them (identical text may be shared)."""
    await db.executemany("DELETE FROM embeddings WHERE content_hash = ? AND NOT EXISTS "
                         "(SELECT 1 FROM passages p WHERE p.content_hash = ?)", [(h, h) for h in set(hashes)])
