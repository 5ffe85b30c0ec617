"""The SQLite store through aiosqlite: threads, passages, embeddings, FTS5, statements, summaries,
digests, server settings and followed threads, with the dense index of the passage vectors kept beside them.

Concurrency: one writer connection (writes serialised by an asyncio lock, each write one IMMEDIATE
transaction through `atomic`) and one reader connection. WAL mode lets readers run while a write is
in progress, so questions are answered while a large thread is being indexed.

`scope` is a required argument of every read: a guild's id, "local" for the command line, or None,
said explicitly, for every scope at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import TypeVar

import aiosqlite
import numpy as np

from ..errors import NotFoundError, StoreError
from ..records import Passage, Statement, Thread, ThreadInfo
from ..text.lexical import fts_match_expression
from . import fulltext, lost_vectors, snapshot, statements
from .dense import DEFAULT_ANN_MIN_PASSAGES, SearchResult, VectorIndex, VectorRows
from .interface import LexicalHits, Scope
from .lexical.side import LexicalSide
from .lost_vectors import Reembed
from .opening import database_path, open_connections
from .sqlite_rows import RowMethods
from .thread_rows import (
    INFO_COLUMNS,
    PASSAGE_COLUMNS,
    BulkThread,
    VectorsGone,
    WriteResult,
    delete_orphan_embeddings,
    passage_from_row,
    vectors_for,
    write_thread_rows,
)
from .transactions import BUSY_TIMEOUT_MS, atomic, chunked, marks

log = logging.getLogger(__name__)

T = TypeVar("T")

# Rows read on the caller's thread at most (snapshot.LogPeek): a search's hits, 2k at a time (ranking.py).
QUICK_ROWS = 64


class Store(RowMethods):
    """Open with `await Store.open(path, model_id, dim)`; close with `await store.close()`."""

    def __init__(self, path: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection,
                 model_id: str, dim: int, ann_min_passages: int, snapshot_min_passages: int,
                 long_running: bool, lexical_min_passages: int | None = None, reembed: Reembed | None = None):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._speaker_names = statements.SpeakerNamesCache(statements.statement_changes, statements.speaker_names)
        self._write_lock = asyncio.Lock()
        self.model_id = model_id
        self.dim = dim
        self.vectors = VectorIndex(dim)
        self.ann_min_passages = ann_min_passages
        self.snapshot_min_passages = snapshot_min_passages
        self.long_running = long_running
        self.log_version = 0  # the last passage-log entry reflected in self.vectors (and self.lexical)
        # BM25 in memory from this size (below it, and without a model, FTS5 answers)
        self.lexical = LexicalSide(path, snapshot_min_passages if lexical_min_passages is None
                                   else lexical_min_passages)
        self._instance = ""
        self._check = snapshot.DeferredCheck([])  # the loaded copies' checksums, checked in the background
        self.reembed = reembed
        self.lost_vectors: list[int] = []  # passages whose vector was lost and is not yet embedded again
        self._peek = snapshot.LogPeek(path)  # catch_up's check and a search's rows without a hop

    # ---- lifecycle -------------------------------------------------------------------------
    @classmethod
    async def open(cls, path: str | Path, model_id: str | None = None, dim: int | None = None, *,
                   ann_min_passages: int = DEFAULT_ANN_MIN_PASSAGES, snapshot_min_passages: int = 20_000,
                   long_running: bool = True, busy_timeout_ms: int = BUSY_TIMEOUT_MS,
                   lexical_min_passages: int | None = None, reembed: Reembed | None = None) -> Store:
        """Open (creating and migrating as needed). Without a model, the store serves only
        metadata reads (threads, passages, full text), never vectors. `ann_min_passages`: the size
        at which the dense index is clustered for approximate search; `snapshot_min_passages`: the
        size from which it is saved beside the database. A `long_running` process clusters, and
        copies a saved (mapped) index into memory, in background threads; a short-lived one does
        neither. `busy_timeout_ms`: how long a write waits for another process's.
        `lexical_min_passages`: the size from which BM25 runs on an in-memory index (lexical/)
        instead of FTS5 (default: `snapshot_min_passages`, so the index is saved and loads at once).
        `reembed`: embeds texts, for passages whose vector was lost with the saved copy (snapshot.py);
        without it they are reported (`lost_vectors`) and left out of dense search."""
        path = database_path(path)
        writer, reader = await open_connections(path, model_id, dim, busy_timeout_ms)
        store = cls(path, writer, reader, model_id or "", dim or 0, ann_min_passages, snapshot_min_passages,
                    long_running, lexical_min_passages, reembed)
        if model_id is not None and dim is not None:
            try:
                await store._load_vectors()
            except BaseException:  # open connections would keep the process alive at exit
                await reader.close()
                await writer.close()
                raise
        return store

    async def close(self) -> None:
        try:
            # A copy-in still running would outlive the connections it was loaded under (and log at
            # interpreter exit); it takes about a second at a million passages.
            await asyncio.to_thread(self.vectors.wait_resident)
            await self.save_vectors()
        # Best effort, for readers and writers alike: the database is intact and the next start
        # rebuilds what was not saved (faiss raises RuntimeError on a full disk; SQLite a StoreError).
        except (OSError, RuntimeError, sqlite3.Error, StoreError) as exc:
            log.warning("could not save the dense index beside the database (it is rebuilt on the next start): %s",
                        exc)
        finally:  # whatever happened, close: an open aiosqlite connection's thread keeps the process alive
            self._peek.close()
            await self._reader.close()
            await self._writer.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()

    async def _load_vectors(self, holding_lock: bool = False) -> None:
        self.lexical.defer_checks = self.long_running  # a short-lived process checks before use
        self.lost_vectors = []
        self.vectors, self.log_version = await snapshot.load_index(
            self._reader, self.path, self.model_id, self.dim, self.ann_min_passages, self.long_running,
            self.lexical, defer=self.long_running, lost=self.lost_vectors)
        self._check = snapshot.DeferredCheck(self.vectors.deferred + self.lexical.deferred)
        self._instance = await snapshot.instance_id(self._reader)
        self.vectors.on_built = self._save_vectors_after_build
        if self.long_running:
            self.vectors.make_resident(background=True)
        if await self._embed_lost_vectors(holding_lock):
            await self._load_vectors(holding_lock)  # now whole, rows in the order a load gives them

    async def _embed_lost_vectors(self, holding_lock: bool = False) -> bool:
        """lost_vectors.embed_again under the write lock (unless the caller holds it)."""
        def transaction():
            return (nullcontext() if holding_lock else self._write_lock), atomic(self._writer)

        return await lost_vectors.embed_again(self._reader, transaction, self.lost_vectors, self.reembed)

    def _save_vectors_after_build(self) -> None:
        """Runs in the clustering thread: persist at once so a restart does not cluster again."""
        if len(self.vectors) < self.snapshot_min_passages:
            return
        # log_version moves only after the rows it covers are in the index, so this never claims
        # more than the index holds; replaying an entry twice on load is harmless.
        stamp = {"instance": self._instance, "model_id": self.model_id, "version": self.log_version}
        try:
            snapshot.save_from_thread(self.path, self.vectors, stamp, BUSY_TIMEOUT_MS)
        # Nothing is lost: the copy recorded before stays, the rows since stay; the next save tries again.
        except (OSError, RuntimeError, sqlite3.Error) as exc:
            log.warning("could not save the clustered dense index: %s", exc)

    async def save_vectors(self, force: bool = False) -> None:
        """Save the dense index next to the database when enough changed (also done on close)."""
        if not self.model_id:
            return
        await asyncio.to_thread(self._check.wait)  # never save what a damaged file loaded: reload first
        await self.catch_up()
        async with self._write_lock:
            self.log_version = await snapshot.save_index(self._writer, self.vectors, self.path, self.model_id,
                                                         self.log_version, self.snapshot_min_passages, force,
                                                         self.lexical)

    async def catch_up(self, force: bool = False) -> None:
        """Reflect in the dense index what other processes wrote since this one last looked: the
        passage log moved past `log_version` (one cheap read when nothing changed). `force`: load
        the index afresh (the saved copy and what was written since)."""
        if not self.model_id or (not force and not self._check.damaged
                                 and await self._current_log() == self.log_version):
            return
        async with self._write_lock:  # no write of ours is half-applied to the index meanwhile
            damaged = self._check.damaged or force  # a loaded file failed its deferred checksum (and is gone)
            applied = None if damaged else await snapshot.replay_in_snapshot(
                self._writer, self.vectors, self.log_version, self.lexical, self.lost_vectors)
            # Reload when another process pruned entries this one never saw, or (rare) after embedding
            # again vectors the replay found lost.
            if applied is None or await self._embed_lost_vectors(holding_lock=True):
                log.info("the database changed under this process; reloading the dense index")
                old = self.vectors
                await asyncio.to_thread(old.wait_resident)
                await self._load_vectors(holding_lock=True)
                old.on_built = None
            else:
                self.log_version = applied

    async def _current_log(self) -> int:
        peeked = self._peek.version()
        return peeked if peeked is not None else await snapshot.log_version(self._reader)

    async def _log_version(self) -> int:
        return await snapshot.log_version(self._writer)

    def _advance_log(self, before: int, after: int) -> None:
        """Our own write is reflected; if another process wrote in between, leave the number where
        it is so those entries are replayed before the index is saved."""
        if self.log_version == before:
            self.log_version = after

    # ---- writes ------------------------------------------------------------------------------
    async def write_thread(self, thread_id: str, scope: str, thread: Thread, passages: list[Passage],
                           new_vectors: dict[str, np.ndarray],
                           statement_rows: list[Statement] | None = None) -> WriteResult:
        """Insert or update a thread with its passages and any new embeddings: one transaction.

        Only hashes in `new_vectors` are stored as new embeddings (the caller embedded only those).
        `statement_rows` (who-said-what), when given, replace the thread's statements in the same
        transaction.
        """
        try:
            return await self._write_thread(thread_id, scope, thread, passages, new_vectors, statement_rows)
        except VectorsGone:  # another process moved them into a copy this one has not loaded: load it
            await self.catch_up(force=True)
            return await self._write_thread(thread_id, scope, thread, passages, new_vectors, statement_rows)

    async def _write_thread(self, thread_id: str, scope: str, thread: Thread, passages: list[Passage],
                            new_vectors: dict[str, np.ndarray], statement_rows: list[Statement] | None
                            ) -> WriteResult:
        async with self._write_lock:
            db = self._writer
            async with atomic(db):
                version_before = await self._log_version()
                result, removed_ids, added = await write_thread_rows(db, thread_id, scope, thread, passages,
                                                                     new_vectors)
                if statement_rows is not None:
                    await statements.write_statements(db, thread_id, passages, statement_rows)
                added_vectors = await vectors_for(db, self.dim, added, new_vectors, self.vectors.vector)
                version_after = await self._log_version()
            # In a worker thread: at a million passages a removal compacts arrays for tens of ms.
            await asyncio.to_thread(self.vectors.remove, removed_ids)
            if added:
                rows = VectorRows(ids=np.array([p.id for p in added], dtype=np.int64), vectors=added_vectors,
                                  thread_ids=[thread_id] * len(added), scopes=[scope] * len(added),
                                  kinds=[p.kind for p in added])
                await asyncio.to_thread(self.vectors.add, rows)
            await asyncio.to_thread(self.lexical.apply, removed_ids, [
                (p.id, thread_id, scope, p.kind, p.author, p.text) for p in added])
            self._advance_log(version_before, version_after)
            return result

    async def delete_thread(self, thread_id: str, scope: Scope) -> ThreadInfo:
        async with self._write_lock:
            info = await self.thread_info(thread_id, scope)
            db = self._writer
            async with atomic(db):
                version_before = await self._log_version()
                async with db.execute("SELECT id, content_hash FROM passages WHERE thread_id = ?",
                                      (thread_id,)) as cursor:
                    rows = await cursor.fetchall()
                ids = [row[0] for row in rows]
                await db.execute("DELETE FROM passages WHERE thread_id = ?", (thread_id,))
                await db.execute("DELETE FROM threads WHERE id = ?", (thread_id,))
                await delete_orphan_embeddings(db, [row[1] for row in rows])
                version_after = await self._log_version()
            await asyncio.to_thread(self.vectors.remove, ids)
            await asyncio.to_thread(self.lexical.apply, ids, [])
            self._advance_log(version_before, version_after)
            return info

    async def bulk_write(self, threads: Iterable[BulkThread]) -> int:
        """Write many threads' rows in one transaction, for offline population (benchmarks, imports):
        only on a store opened without a model, whose dense index is not kept (the next open with
        the model loads the vectors). Returns the passages written."""
        if self.model_id:
            raise StoreError("bulk_write needs a store opened without a model (its dense index would go stale)")
        written = 0
        async with self._write_lock, atomic(self._writer) as db:
            for t in threads:
                result, _, _ = await write_thread_rows(db, t.thread_id, t.scope, t.thread, t.passages, t.vectors)
                written += result.added
        return written

    async def replace_statements(self, thread_id: str, passages: list[Passage],
                                 statement_rows: list[Statement]) -> None:
        """Replace a thread's statements alone (its passages are stored and carry their ids)."""
        async with self._write_lock, atomic(self._writer) as db:
            await statements.write_statements(db, thread_id, passages, statement_rows)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction under the write lock, for the row helpers (sqlite_rows.py)."""
        async with self._write_lock, atomic(self._writer) as db:
            yield db

    def _reader_db(self) -> aiosqlite.Connection:
        return self._reader

    # ---- reads -------------------------------------------------------------------------------
    async def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        """The texts (by hash) whose vector is stored: as a row, or in the index through a passage of
        the same text (most vectors live only in the saved copy: snapshot.py)."""
        await self.catch_up()  # another process's save may have moved rows into a copy not loaded here
        found: set[str] = set()
        for chunk in chunked(set(hashes)):
            async with self._reader.execute(
                    f"SELECT content_hash FROM embeddings WHERE content_hash IN ({marks(chunk)})", chunk) as cursor:
                found.update(row[0] for row in await cursor.fetchall())
            rest = [h for h in chunk if h not in found]
            if rest and len(self.vectors):
                rows = await self._reader.execute_fetchall(
                    f"SELECT content_hash, id FROM passages WHERE content_hash IN ({marks(rest)})", rest)
                pairs = [(row[0], row[1]) for row in rows]
                held = self.vectors.holds([pid for _, pid in pairs])
                found.update(h for (h, _), present in zip(pairs, held.tolist(), strict=True) if present)
        return found

    async def thread_hash(self, thread_id: str) -> str | None:
        async with self._reader.execute("SELECT content_hash FROM threads WHERE id = ?", (thread_id,)) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    async def list_threads(self, scope: Scope) -> list[ThreadInfo]:
        where, args = ("WHERE t.scope = ?", (scope,)) if scope is not None else ("", ())
        sql = f"SELECT {INFO_COLUMNS} FROM threads t {where} ORDER BY t.indexed_at, t.title"
        async with self._reader.execute(sql, args) as cursor:
            return [ThreadInfo(*row) for row in await cursor.fetchall()]

    async def thread_info(self, thread_id: str, scope: Scope) -> ThreadInfo:
        infos = [t for t in await self.list_threads(scope) if t.id == thread_id]
        if not infos:
            where = f" in {scope}" if scope not in (None, "local") else ""
            raise NotFoundError(f"no thread with id {thread_id}{where}; `threadbot threads` lists them")
        return infos[0]

    async def get_thread(self, thread_id: str, scope: Scope) -> Thread:
        sql = "SELECT body_json FROM threads WHERE id = ?" + (" AND scope = ?" if scope is not None else "")
        args = (thread_id, scope) if scope is not None else (thread_id,)
        async with self._reader.execute(sql, args) as cursor:
            row = await cursor.fetchone()
        if not row:
            raise NotFoundError(f"no thread with id {thread_id}; `threadbot threads` lists them")
        return Thread.from_json(json.loads(row[0]))

    async def thread_passages(self, thread_id: str, scope: Scope) -> list[Passage]:
        sql = (f"SELECT {PASSAGE_COLUMNS} FROM passages p JOIN threads t ON t.id = p.thread_id "
               "WHERE p.thread_id = ?" + (" AND t.scope = ?" if scope is not None else "") +
               " ORDER BY CASE p.kind WHEN 'title' THEN 0 WHEN 'paragraph' THEN 1 ELSE 2 END, p.position, p.chunk")
        args = (thread_id, scope) if scope is not None else (thread_id,)
        async with self._reader.execute(sql, args) as cursor:
            return [passage_from_row(tuple(r)) for r in await cursor.fetchall()]

    async def passages_by_id(self, ids: list[int], scope: Scope, thread_ids: list[str] | None = None,
                             kinds: list[str] | None = None, author: str | None = None) -> dict[int, Passage]:
        """The passages of these ids that exist in `scope` (and in `thread_ids`, of `kinds`, by `author`,
        when given): the check of a search's hits against the rows themselves."""
        found = await self.titled_passages(ids, scope, thread_ids, kinds, author)
        return {pid: passage for pid, (passage, _) in found.items()}

    async def titled_passages(self, ids: list[int], scope: Scope, thread_ids: list[str] | None = None,
                              kinds: list[str] | None = None, author: str | None = None
                              ) -> dict[int, tuple[Passage, str]]:
        """`passages_by_id` with each passage's thread title, read by the same query (a search's hits
        need both: a second query was a second hop to the database thread)."""
        found: dict[int, tuple[Passage, str]] = {}
        filters, filter_args = fulltext.passage_filters(scope, thread_ids, kinds, author)
        for chunk in chunked(ids):
            # CROSS JOIN keeps SQLite's plan id-first: with a scope filter it otherwise walked every
            # passage of the scope through threads_scope (20 ms at 100k passages, most of a hybrid search).
            sql = (f"SELECT {PASSAGE_COLUMNS}, t.title FROM passages p CROSS JOIN threads t ON t.id = p.thread_id "
                   f"WHERE p.id IN ({marks(chunk)}){filters}")
            args = [*chunk, *filter_args]
            # A search's few rows on this thread (about 0.1 ms at a million passages, where the hop
            # to the reader's thread and back was as much again, and far more on a busy machine).
            quick = self._peek.rows(sql, args) if len(chunk) <= QUICK_ROWS else None
            rows = quick if quick is not None else await self._reader.execute_fetchall(sql, args)  # one hop
            for row in rows:
                found[row[0]] = (passage_from_row(tuple(row[:-1])), row[-1])
        return found

    async def passage_ids_by_author(self, author: str, scope: Scope) -> list[int]:
        sql = ("SELECT p.id FROM passages p JOIN threads t ON t.id = p.thread_id WHERE p.author = ? COLLATE NOCASE"
               + (" AND t.scope = ?" if scope is not None else ""))
        args = (author, scope) if scope is not None else (author,)
        async with self._reader.execute(sql, args) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def counts(self) -> dict[str, int]:
        out = {}
        for table in ("threads", "passages", "embeddings"):
            async with self._reader.execute(f"SELECT COUNT(*) FROM {table}") as cursor:
                row = await cursor.fetchone()
            out[table] = int(row[0]) if row else 0
        return out

    # ---- search ------------------------------------------------------------------------------
    async def dense_search(self, vector: np.ndarray, k: int, scope: Scope, thread_ids: list[str] | None = None,
                           kinds: list[str] | None = None, passage_ids: list[int] | None = None,
                           exact: bool = False) -> SearchResult:
        """Top k passages by cosine, after catching up with other processes' writes (the scan runs in
        a worker thread)."""
        await self.catch_up()
        if not exact and thread_ids is None and kinds is None and passage_ids is None:
            found = self.vectors.quick_search(vector, k, scope)
            if found is not None:
                return found
        return await asyncio.to_thread(self.vectors.search_filtered, vector, k, scope, thread_ids, kinds,
                                       passage_ids, exact)

    async def bm25(self, words: list[str], limit: int, scope: Scope, thread_ids: list[str] | None = None,
                   kinds: list[str] | None = None, author: str | None = None) -> LexicalHits:
        """(passage id, BM25 score) best first for query words (text/lexical.py query_terms), and how
        many passages match in all (-1: unknown): in memory when the lexical index is kept (after
        catching up with other processes), else FTS5. The scores are FTS5's either way."""
        if self.lexical.index is not None:
            await self.catch_up()
            found = await asyncio.to_thread(self.lexical.search, words, limit, scope, thread_ids, kinds, author)
            if found is not None:
                return list(zip(found.ids.tolist(), found.scores.tolist(), strict=True)), found.matched
        match = fts_match_expression(words)
        if match is None:
            return [], 0
        return await fulltext.bm25(self._reader, match, limit, scope, thread_ids, kinds, author), -1

    async def passage_vectors(self, passage_ids: Iterable[int]) -> dict[int, np.ndarray]:
        """The stored (normalised) vectors of these passages, from the dense index in memory."""
        found = {pid: self.vectors.vector(pid) for pid in passage_ids}
        return {pid: v for pid, v in found.items() if v is not None}

    async def dense_size(self) -> int:
        return len(self.vectors)

    @property
    def dense_approximate(self) -> bool:
        """Whether dense search probes clusters (approximate) rather than scanning every vector."""
        return self.vectors.approximate

    def clustering(self) -> bool:
        """Whether the dense index is being clustered in the background right now."""
        return not self.vectors.wait_for_ann(timeout=0)

    async def finish_clustering(self) -> None:
        if self.clustering():
            await asyncio.to_thread(self.vectors.wait_for_ann)

