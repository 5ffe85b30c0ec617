"""SQLite storage through aiosqlite: threads, passages, embeddings, FTS5, and the dense matrix.

Concurrency: one writer connection (writes serialised by an asyncio lock, each thread write one
IMMEDIATE transaction) and one reader connection. WAL mode lets readers run while a write is
in progress, so questions are answered while a large thread is being indexed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import numpy as np

from . import vector_cache
from .errors import ModelMismatchError, NotFoundError, StoreError
from .migrations import migrate
from .quotes import Statement
from .threads import Passage, Thread, ThreadInfo
from .vectors import VectorIndex, VectorRows

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000
_PASSAGE_COLUMNS = ("p.id, p.thread_id, p.kind, p.position, p.chunk, p.text, p.start_char, p.end_char, "
                    "p.author, p.comment_id, p.parent_id, p.content_hash, t.scope")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def vector_to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def blob_to_vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")


@dataclass(frozen=True)
class WriteResult:
    status: str  # "indexed" | "updated"
    passages: int
    added: int
    removed: int


def _passage_from_row(row: tuple) -> Passage:
    (pid, thread_id, kind, position, chunk, text, start, end, author, comment_id, parent_id,
     content_hash, scope) = row
    return Passage(id=pid, thread_id=thread_id, kind=kind, position=position, chunk=chunk, text=text,
                   start=start, end=end, author=author, comment_id=comment_id, parent_id=parent_id,
                   content_hash=content_hash, scope=scope)


class Store:
    """Open with `await Store.open(path, model_id, dim)`; close with `await store.close()`."""

    def __init__(self, path: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection,
                 model_id: str, dim: int):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self.model_id = model_id
        self.dim = dim
        self.vectors = VectorIndex(dim)
        self.ann_min_passages: int | None = None
        self.long_running = True
        self.log_version = 0  # the last passage-log entry reflected in self.vectors
        self._instance = ""

    # ---- lifecycle -------------------------------------------------------------------------
    @classmethod
    async def open(cls, path: str | Path, model_id: str | None = None, dim: int | None = None,
                   ann_min_passages: int | None = None, long_running: bool = True) -> Store:
        """Open (creating and migrating as needed). Without a model, the store serves only
        metadata reads (threads, passages, full text), never vectors. `ann_min_passages`: the size
        at which the dense index is clustered for approximate search (default 200,000). A
        `long_running` process clusters, and copies a saved (mapped) index into memory, in
        background threads; a short-lived one does neither."""
        path = str(path)
        if path != ":memory:":
            parent = Path(path).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(f"cannot create the database {path}: folder {parent} does not exist")
        try:
            writer = await _connect(path)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database {path}: {exc}") from exc
        try:
            await _check_is_database(writer, path)
            await migrate(writer)
            if model_id is not None and dim is not None:
                await _bind_model(writer, model_id, dim)
            reader = await _connect(path)
        except BaseException:
            await writer.close()
            raise
        store = cls(path, writer, reader, model_id or "", dim or 0)
        store.ann_min_passages = ann_min_passages
        store.long_running = long_running
        if model_id is not None and dim is not None:
            await store._load_vectors()
        return store

    async def close(self) -> None:
        try:
            # A copy-in still running would outlive the connections it was loaded under (and log at
            # interpreter exit); it takes about a second at a million passages.
            await asyncio.to_thread(self.vectors.wait_resident)
            await self.save_vectors()
        except (OSError, sqlite3.Error) as exc:  # the database is intact; the next start reloads
            log.warning("could not save the dense index: %s", exc)
        finally:  # whatever happened, close: an open aiosqlite connection's thread keeps the process alive
            await self._reader.close()
            await self._writer.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()

    async def _load_vectors(self) -> None:
        self.vectors, self.log_version = await vector_cache.load_index(
            self._reader, self.path, self.model_id, self.dim, self.ann_min_passages, self.long_running)
        self._instance = await vector_cache.instance_id(self._reader)
        self.vectors.on_built = self._save_vectors_after_build
        if self.long_running:
            self.vectors.make_resident(background=True)

    def _save_vectors_after_build(self) -> None:
        """Runs in the clustering thread: persist at once so a restart does not cluster again."""
        folder = vector_cache.snapshot_folder(self.path)
        if folder is not None and len(self.vectors) >= vector_cache.snapshot_min_passages():
            # log_version moves only after the rows it covers are in the index, so this never claims
            # more than the index holds; replaying an entry twice on load is harmless.
            self.vectors.save(folder, {"instance": self._instance, "model_id": self.model_id,
                                       "version": self.log_version})

    async def save_vectors(self, force: bool = False) -> None:
        """Save the dense index next to the database when enough changed (also done on close)."""
        if not self.model_id:
            return
        async with self._write_lock:
            self.log_version = await vector_cache.save_index(self._writer, self.vectors, self.path,
                                                             self.model_id, self.log_version, force)

    async def _log_version(self) -> int:
        return await vector_cache.log_version(self._writer)

    # ---- writes ------------------------------------------------------------------------------
    async def write_thread(self, thread_id: str, scope: str, thread: Thread, passages: list[Passage],
                           new_vectors: dict[str, np.ndarray],
                           statements: list[Statement] | None = None) -> WriteResult:
        """Insert or update a thread with its passages and any new embeddings: one transaction.

        Unchanged passages keep their ids (so citations stay valid); gone ones are removed; only
        hashes in `new_vectors` are stored as new embeddings (the caller embedded only those).
        `statements` (who-said-what), when given, replace the thread's statements in the same transaction.
        """
        async with self._write_lock:
            db = self._writer
            await db.execute("BEGIN IMMEDIATE")
            try:
                version_before = await self._log_version()
                result, removed_ids, added = await self._write_thread_tx(thread_id, scope, thread, passages,
                                                                         new_vectors)
                if statements is not None:
                    await _write_statements(db, thread_id, passages, statements)
                added_vectors = await self._vectors_for(db, [p.content_hash for p in added], new_vectors)
                version_after = await self._log_version()
                await db.execute("COMMIT")
            except BaseException:
                await _rollback(db)
                raise
            # In a worker thread: at a million passages a removal compacts arrays for tens of ms.
            await asyncio.to_thread(self.vectors.remove, removed_ids)
            if added:
                rows = VectorRows(ids=np.array([p.id for p in added], dtype=np.int64), vectors=added_vectors,
                                  thread_ids=[thread_id] * len(added), scopes=[scope] * len(added),
                                  kinds=[p.kind for p in added])
                await asyncio.to_thread(self.vectors.add, rows)
            self._advance_log(version_before, version_after)
            return result

    async def _write_thread_tx(self, thread_id, scope, thread, passages, new_vectors):
        db = self._writer
        stamp = now_iso()
        async with db.execute("SELECT scope FROM threads WHERE id = ?", (thread_id,)) as cursor:
            existing = await cursor.fetchone()
        if existing and existing[0] != scope:
            raise StoreError(f"thread {thread_id} belongs to another scope")
        await db.executemany("INSERT OR IGNORE INTO embeddings (content_hash, vector) VALUES (?, ?)",
                             [(h, vector_to_blob(v)) for h, v in new_vectors.items()])
        body = json.dumps(thread.to_json(), ensure_ascii=False)
        values = (scope, thread.identity_key(), thread.title, thread.url, thread.source, thread.source_file,
                  thread.published, thread.content_hash(), body, len(thread.paragraphs), len(thread.comments))
        old: dict[tuple, tuple[int, int]] = {}
        if existing:
            await db.execute(
                "UPDATE threads SET scope=?, identity_key=?, title=?, url=?, source=?, source_file=?, published=?, "
                "content_hash=?, body_json=?, paragraph_count=?, comment_count=?, updated_at=? WHERE id=?",
                (*values, stamp, thread_id))
            async with db.execute("SELECT id, kind, position, chunk, comment_id, content_hash FROM passages "
                                  "WHERE thread_id = ?", (thread_id,)) as cursor:
                async for pid, kind, position, chunk, comment_id, content_hash in cursor:
                    probe = Passage(thread_id=thread_id, kind=kind, position=position, text="", chunk=chunk,
                                    comment_id=comment_id, content_hash=content_hash)
                    old[probe.key()] = (pid, position)
        else:
            await db.execute(
                "INSERT INTO threads (scope, identity_key, title, url, source, source_file, published, "
                "content_hash, body_json, paragraph_count, comment_count, indexed_at, updated_at, id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*values, stamp, stamp, thread_id))
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
        removed_ids = [pid for pid, _ in removed]
        if removed_ids:
            await db.executemany("DELETE FROM passages WHERE id = ?", [(pid,) for pid in removed_ids])
        if moved:
            await db.executemany("UPDATE passages SET position = ? WHERE id = ?", moved)
        # Ids assigned here (this transaction holds the write lock) so one executemany inserts them all:
        # a round trip per row made a 100,000-comment upload take a minute.
        async with db.execute("SELECT COALESCE(MAX(id), 0) FROM passages") as cursor:
            next_id = (await cursor.fetchone())[0] + 1
        for offset, p in enumerate(added):
            p.id = next_id + offset
        await db.executemany(
            "INSERT INTO passages (id, thread_id, kind, position, chunk, text, start_char, end_char, author, "
            "comment_id, parent_id, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(p.id, thread_id, p.kind, p.position, p.chunk, p.text, p.start, p.end, p.author, p.comment_id,
              p.parent_id, p.content_hash) for p in added])
        await _delete_orphan_embeddings(db, [h for _, h in removed])
        status = "updated" if existing else "indexed"
        return WriteResult(status, len(passages), len(added), len(removed_ids)), removed_ids, added

    async def _vectors_for(self, db, hashes: list[str], known: dict[str, np.ndarray]) -> np.ndarray:
        out = np.zeros((len(hashes), self.dim), dtype=np.float32)
        missing = [h for h in set(hashes) if h not in known]
        stored: dict[str, np.ndarray] = {}
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            marks = ",".join("?" * len(chunk))
            async with db.execute(f"SELECT content_hash, vector FROM embeddings WHERE content_hash IN ({marks})",
                                  chunk) as cursor:
                async for h, blob in cursor:
                    stored[h] = blob_to_vector(blob)
        for i, h in enumerate(hashes):
            vector = known.get(h)
            if vector is None:
                vector = stored.get(h)
            if vector is None:
                raise StoreError(f"no embedding stored for passage hash {h}")
            out[i] = vector
        return out

    async def delete_thread(self, thread_id: str, scope: str | None = None) -> ThreadInfo:
        async with self._write_lock:
            info = await self.thread_info(thread_id, scope)
            db = self._writer
            await db.execute("BEGIN IMMEDIATE")
            try:
                version_before = await self._log_version()
                async with db.execute("SELECT id, content_hash FROM passages WHERE thread_id = ?",
                                      (thread_id,)) as cursor:
                    rows = await cursor.fetchall()
                ids = [row[0] for row in rows]
                await db.execute("DELETE FROM passages WHERE thread_id = ?", (thread_id,))
                await db.execute("DELETE FROM threads WHERE id = ?", (thread_id,))
                await _delete_orphan_embeddings(db, [row[1] for row in rows])
                version_after = await self._log_version()
                await db.execute("COMMIT")
            except BaseException:
                await _rollback(db)
                raise
            await asyncio.to_thread(self.vectors.remove, ids)
            self._advance_log(version_before, version_after)
            return info

    def _advance_log(self, before: int, after: int) -> None:
        """Our own write is reflected; if another process wrote in between, leave the number where
        it is so those entries are replayed before the index is saved."""
        if self.log_version == before:
            self.log_version = after

    # ---- reads -------------------------------------------------------------------------------
    async def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        hashes = list(set(hashes))
        found: set[str] = set()
        for start in range(0, len(hashes), 500):
            chunk = hashes[start:start + 500]
            marks = ",".join("?" * len(chunk))
            async with self._reader.execute(
                    f"SELECT content_hash FROM embeddings WHERE content_hash IN ({marks})", chunk) as cursor:
                found.update(row[0] for row in await cursor.fetchall())
        return found

    async def thread_hash(self, thread_id: str) -> str | None:
        async with self._reader.execute("SELECT content_hash FROM threads WHERE id = ?", (thread_id,)) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    async def list_threads(self, scope: str | None = None) -> list[ThreadInfo]:
        where, args = ("WHERE t.scope = ?", (scope,)) if scope is not None else ("", ())
        sql = ("SELECT t.id, t.scope, t.title, t.url, t.source, t.source_file, t.published, t.paragraph_count, "
               "t.comment_count, (SELECT COUNT(*) FROM passages p WHERE p.thread_id = t.id), t.content_hash, "
               f"t.indexed_at, t.updated_at FROM threads t {where} ORDER BY t.indexed_at, t.title")
        async with self._reader.execute(sql, args) as cursor:
            return [ThreadInfo(*row) for row in await cursor.fetchall()]

    async def thread_info(self, thread_id: str, scope: str | None = None) -> ThreadInfo:
        infos = [t for t in await self.list_threads(scope) if t.id == thread_id]
        if not infos:
            where = f" in {scope}" if scope not in (None, "local") else ""
            raise NotFoundError(f"no thread with id {thread_id}{where}; `threadbot threads` lists them")
        return infos[0]

    async def get_thread(self, thread_id: str, scope: str | None = None) -> Thread:
        sql = "SELECT body_json FROM threads WHERE id = ?" + (" AND scope = ?" if scope is not None else "")
        args = (thread_id, scope) if scope is not None else (thread_id,)
        async with self._reader.execute(sql, args) as cursor:
            row = await cursor.fetchone()
        if not row:
            raise NotFoundError(f"no thread with id {thread_id}; `threadbot threads` lists them")
        return Thread.from_json(json.loads(row[0]))

    async def thread_passages(self, thread_id: str) -> list[Passage]:
        sql = (f"SELECT {_PASSAGE_COLUMNS} FROM passages p JOIN threads t ON t.id = p.thread_id "
               "WHERE p.thread_id = ? ORDER BY CASE p.kind WHEN 'title' THEN 0 WHEN 'paragraph' THEN 1 ELSE 2 END, "
               "p.position, p.chunk")
        async with self._reader.execute(sql, (thread_id,)) as cursor:
            return [_passage_from_row(r) for r in await cursor.fetchall()]

    async def passages_by_id(self, ids: list[int]) -> dict[int, Passage]:
        found: dict[int, Passage] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            sql = (f"SELECT {_PASSAGE_COLUMNS} FROM passages p JOIN threads t ON t.id = p.thread_id "
                   f"WHERE p.id IN ({marks})")
            async with self._reader.execute(sql, chunk) as cursor:
                for row in await cursor.fetchall():
                    found[row[0]] = _passage_from_row(row)
        return found

    async def thread_titles(self, thread_ids: Iterable[str]) -> dict[str, str]:
        ids = list(set(thread_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        async with self._reader.execute(f"SELECT id, title FROM threads WHERE id IN ({marks})", ids) as cursor:
            return dict(await cursor.fetchall())

    async def passage_ids_by_author(self, author: str, scope: str | None = None) -> list[int]:
        sql = ("SELECT p.id FROM passages p JOIN threads t ON t.id = p.thread_id WHERE p.author = ? COLLATE NOCASE"
               + (" AND t.scope = ?" if scope is not None else ""))
        args = (author, scope) if scope is not None else (author,)
        async with self._reader.execute(sql, args) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def bm25(self, match: str, limit: int, scope: str | None = None, thread_ids: list[str] | None = None,
                   kinds: list[str] | None = None, author: str | None = None) -> list[tuple[int, float]]:
        """(passage id, BM25 score, higher is better) for an FTS5 MATCH expression, filtered."""
        clauses, args = ["passages_fts MATCH ?"], [match]
        if scope is not None:
            clauses.append("t.scope = ?")
            args.append(scope)
        if thread_ids is not None:
            clauses.append(f"p.thread_id IN ({','.join('?' * len(thread_ids))})")
            args += thread_ids
        if kinds is not None:
            clauses.append(f"p.kind IN ({','.join('?' * len(kinds))})")
            args += kinds
        if author is not None:
            clauses.append("p.author = ? COLLATE NOCASE")
            args.append(author)
        try:
            if thread_ids is None and author is None:
                ranked = await self._bm25_then_filter(match, limit, clauses[1:], args[1:])
                if ranked is not None:
                    return ranked
            elif thread_ids is not None:
                # A thread's passages sit in a narrow id range, and FTS5 seeks rowid ranges in its
                # doclists instead of scoring every match in the database (5-10x faster at 100k).
                marks = ",".join("?" * len(thread_ids))
                sql = f"SELECT MIN(id), MAX(id) FROM passages WHERE thread_id IN ({marks})"
                async with self._reader.execute(sql, thread_ids) as cursor:
                    low, high = await cursor.fetchone()
                if low is None:
                    return []
                clauses.append("f.rowid BETWEEN ? AND ?")
                args += [low, high]
            sql = ("SELECT f.rowid, bm25(passages_fts) AS rank FROM passages_fts f "
                   "JOIN passages p ON p.id = f.rowid JOIN threads t ON t.id = p.thread_id "
                   f"WHERE {' AND '.join(clauses)} ORDER BY rank LIMIT ?")
            async with self._reader.execute(sql, [*args, limit]) as cursor:
                return [(pid, -rank) for pid, rank in await cursor.fetchall()]
        except sqlite3.OperationalError as exc:
            log.warning("full-text query %r failed: %s", match, exc)
            return []

    async def _bm25_then_filter(self, match: str, limit: int, clauses: list[str],
                                args: list) -> list[tuple[int, float]] | None:
        """Rank in FTS5 alone (no per-match joins: 2-3x faster at 100k passages), then keep the
        candidates that pass the scope/kind filters. None when the filters dropped too many."""
        fetch = 4 * limit
        sql = ("SELECT rowid, bm25(passages_fts) AS rank FROM passages_fts WHERE passages_fts MATCH ? "
               "ORDER BY rank LIMIT ?")
        async with self._reader.execute(sql, (match, fetch)) as cursor:
            ranked = await cursor.fetchall()
        if clauses and ranked:
            ids = [pid for pid, _ in ranked]
            sql = (f"SELECT p.id FROM passages p JOIN threads t ON t.id = p.thread_id WHERE p.id IN "
                   f"({','.join('?' * len(ids))}) AND {' AND '.join(clauses)}")
            async with self._reader.execute(sql, [*ids, *args]) as cursor:
                allowed = {row[0] for row in await cursor.fetchall()}
            ranked = [(pid, rank) for pid, rank in ranked if pid in allowed]
            if len(ranked) < limit and len(ids) == fetch:
                return None  # a selective filter: let the joined query find the rest
        return [(pid, -rank) for pid, rank in ranked[:limit]]

    async def statement_count(self, thread_id: str) -> int:
        async with self._reader.execute("SELECT COUNT(*) FROM statements WHERE thread_id = ?", (thread_id,)) as cur:
            return (await cur.fetchone())[0]

    async def replace_statements(self, thread_id: str, passages: list[Passage], statements: list[Statement]) -> None:
        """Replace a thread's statements alone (its passages are stored and carry their ids)."""
        async with self._write_lock:
            db = self._writer
            await db.execute("BEGIN IMMEDIATE")
            try:
                await _write_statements(db, thread_id, passages, statements)
                await db.execute("COMMIT")
            except BaseException:
                await _rollback(db)
                raise

    async def statements(self, scope: str | None = None, thread_id: str | None = None,
                         speaker: str | None = None) -> list[Statement]:
        """Stored statements in thread and reading order, filtered by scope, thread and exact speaker."""
        clauses, args = [], []
        if scope is not None:
            clauses.append("t.scope = ?")
            args.append(scope)
        if thread_id is not None:
            clauses.append("s.thread_id = ?")
            args.append(thread_id)
        if speaker is not None:
            clauses.append("s.speaker = ? COLLATE NOCASE")
            args.append(speaker)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = ("SELECT s.thread_id, s.passage_id, s.seq, s.speaker, s.speaker_mention, s.cue, s.source, "
               "s.start_char, s.end_char, s.content_start, s.content_end, s.verbatim, p.kind, p.position, "
               "p.chunk, p.text FROM statements s JOIN passages p ON p.id = s.passage_id "
               f"JOIN threads t ON t.id = s.thread_id {where} ORDER BY t.indexed_at, s.thread_id, s.seq")
        async with self._reader.execute(sql, args) as cursor:
            rows = await cursor.fetchall()
        return [Statement(thread_id=r[0], passage_id=r[1], seq=r[2], speaker=r[3], speaker_mention=r[4],
                          cue=r[5], source=r[6], start=r[7], end=r[8], content_start=r[9], content_end=r[10],
                          verbatim=bool(r[11]), passage_kind=r[12], position=r[13], chunk=r[14],
                          text=r[15][r[7]:r[8]]) for r in rows]

    async def counts(self) -> dict[str, int]:
        out = {}
        for table in ("threads", "passages", "embeddings"):
            async with self._reader.execute(f"SELECT COUNT(*) FROM {table}") as cursor:
                out[table] = (await cursor.fetchone())[0]
        return out

    # ---- small tables of features built on the store (summary cache, digests) ----------------
    async def fetch_all(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Rows of one read-only query on the reader connection."""
        async with self._reader.execute(sql, args) as cursor:
            return list(await cursor.fetchall())

    async def write_all(self, statements: list[tuple[str, tuple]]) -> list[int | None]:
        """Run write statements in one IMMEDIATE transaction; returns each statement's lastrowid."""
        async with self._write_lock:
            db = self._writer
            await db.execute("BEGIN IMMEDIATE")
            try:
                rowids = []
                for sql, args in statements:
                    cursor = await db.execute(sql, args)
                    rowids.append(cursor.lastrowid)
                    await cursor.close()
                await db.execute("COMMIT")
            except BaseException:
                await _rollback(db)
                raise
            return rowids


async def _connect(path: str) -> aiosqlite.Connection:
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await db.execute("PRAGMA journal_mode = WAL")
        await db.execute("PRAGMA synchronous = NORMAL")
        await db.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        # An unclosed aiosqlite connection keeps its non-daemon thread alive: the process would hang at exit.
        await db.close()
        raise
    return db


async def _check_is_database(db: aiosqlite.Connection, path: str) -> None:
    try:
        async with db.execute("SELECT COUNT(*) FROM sqlite_master") as cursor:
            await cursor.fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a threadbot database ({exc})") from exc


async def _bind_model(db: aiosqlite.Connection, model_id: str, dim: int) -> None:
    """Record the embedding model once per database; refuse to mix vectors of two models."""
    async with db.execute("SELECT key, value FROM meta WHERE key IN ('model_id', 'dim')") as cursor:
        meta = dict(await cursor.fetchall())
    if not meta:
        await db.execute("BEGIN IMMEDIATE")
        await db.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                             [("model_id", model_id), ("dim", str(dim))])
        await db.execute("COMMIT")
        return
    if meta.get("model_id") != model_id or int(meta.get("dim", 0)) != dim:
        raise ModelMismatchError(
            f"the database was built with model {meta.get('model_id')} ({meta.get('dim')} dimensions), "
            f"not {model_id} ({dim}); use the same model or a new database")


async def _write_statements(db: aiosqlite.Connection, thread_id: str, passages: list[Passage],
                            statements: list[Statement]) -> None:
    """Replace a thread's statements; each is tied to its passage row by (kind, position, chunk)."""
    ids = {(p.kind, p.position, p.chunk): p.id for p in passages}
    await db.execute("DELETE FROM statements WHERE thread_id = ?", (thread_id,))
    rows = []
    for s in statements:
        passage_id = ids.get((s.passage_kind, s.position, s.chunk))
        if passage_id is None:
            raise StoreError(f"statement by {s.speaker} points at no passage of thread {thread_id}")
        rows.append((thread_id, passage_id, s.seq, s.speaker, s.speaker_mention, s.cue, s.source, s.start,
                     s.end, s.content_start, s.content_end, int(s.verbatim)))
    await db.executemany(
        "INSERT INTO statements (thread_id, passage_id, seq, speaker, speaker_mention, cue, source, "
        "start_char, end_char, content_start, content_end, verbatim) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


async def _delete_orphan_embeddings(db: aiosqlite.Connection, hashes: Iterable[str]) -> None:
    """Drop embeddings of these hashes once no passage uses them (identical text may be shared)."""
    await db.executemany("DELETE FROM embeddings WHERE content_hash = ? AND NOT EXISTS "
                         "(SELECT 1 FROM passages p WHERE p.content_hash = ?)", [(h, h) for h in set(hashes)])


async def _rollback(db: aiosqlite.Connection) -> None:
    try:
        await db.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:  # no transaction is active: nothing to undo
        log.debug("rollback skipped: %s", exc)
