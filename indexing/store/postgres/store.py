"""The PostgreSQL store (with pgvector), selected by a `postgresql://` URL: the same behaviour as
the SQLite store behind the same interface (interface.ThreadStore), for several processes (bot
shards, workers, the command line) sharing one database.

Concurrency: a pool of connections (`pool_size`); every write is one transaction (READ COMMITTED),
retried on a serialization failure or deadlock; writes of one thread take turns through an advisory
lock. The database searches itself (HNSW and full-text indexes), so nothing is held in memory and
nothing needs catching up: what another process committed is seen by the next query.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection, Iterable
from datetime import datetime
from typing import TypeVar

import asyncpg
import numpy as np

from ...errors import NotFoundError, StoreError
from ...records import (
    ConversationChannel,
    ConversationKind,
    Follow,
    GuildSettingName,
    GuildSettings,
    Passage,
    ServerMessage,
    SpeakerName,
    Statement,
    Thread,
    ThreadInfo,
)
from ..dense import SearchResult
from ..follows import NewFollow
from ..interface import LexicalHits, Scope
from ..statements import SpeakerNamesCache
from ..summaries import DigestRow, NewDigest
from ..thread_rows import INFO_COLUMNS, PASSAGE_COLUMNS, BulkThread, WriteResult, passage_from_row
from . import connection, rows, schema, search, social
from .threads import write_thread_rows

T = TypeVar("T")
_PASSAGE_SELECT = f"SELECT {PASSAGE_COLUMNS} FROM passages p JOIN threads t ON t.id = p.thread_id"


class PostgresStore:
    """Open with `await PostgresStore.open(url, model_id, dim)`; close with `await store.close()`."""

    def __init__(self, url: str, pool: asyncpg.Pool, model_id: str, dim: int):
        self.url = url
        self._pool = pool
        self.model_id = model_id
        self.dim = dim
        self._term_stats = search.TermStats()
        self._speaker_names = SpeakerNamesCache(rows.statement_changes, rows.speaker_names)
        self.ef_search = connection.EF_SEARCH  # HNSW search width (open() sets the configured one)

    # ---- lifecycle -------------------------------------------------------------------------------
    @classmethod
    async def open(cls, url: str, model_id: str | None = None, dim: int | None = None, *,
                   pool_size: int = 5, ef_search: int | None = None) -> PostgresStore:
        """Connect, migrate and bind the model (without one: metadata reads only). `ef_search`: the
        HNSW search width (default connection.EF_SEARCH); recall@10 0.95 took 100 at 100k passages,
        700 at 1M (bench/backends.py --ef-sweep)."""
        conn = await connection.connect(url)
        try:
            await schema.check_is_threadbot(conn, connection.redacted(url))
            await schema.migrate(conn)
            if model_id is not None and dim is not None:
                await schema.bind_model(conn, model_id, dim)
        except asyncpg.PostgresError as exc:
            raise connection.store_error(exc) from exc
        finally:
            await conn.close()
        width = ef_search or connection.EF_SEARCH
        store = cls(url, await connection.create_pool(url, pool_size, width), model_id or "", dim or 0)
        store.ef_search = width
        return store

    async def close(self) -> None:
        await self._pool.close()

    async def __aenter__(self) -> PostgresStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _read(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        return await connection.read(self._pool, work)

    async def _write(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        return await connection.transaction(self._pool, work)

    # ---- writes ----------------------------------------------------------------------------------
    async def write_thread(self, thread_id: str, scope: str, thread: Thread, passages: list[Passage],
                           new_vectors: dict[str, np.ndarray],
                           statement_rows: list[Statement] | None = None) -> WriteResult:
        """A thread with its passages, vectors and (when given) statements: one transaction."""
        async def work(conn: asyncpg.Connection) -> WriteResult:
            result, _, _ = await write_thread_rows(conn, thread_id, scope, thread, passages, new_vectors,
                                                   bool(self.model_id))
            if statement_rows is not None:
                await rows.write_statements(conn, thread_id, passages, statement_rows)
            return result
        return await self._write(work)

    async def delete_thread(self, thread_id: str, scope: Scope) -> ThreadInfo:
        info = await self.thread_info(thread_id, scope)

        async def work(conn: asyncpg.Connection) -> None:
            await conn.execute("DELETE FROM threads WHERE id = $1", thread_id)  # passages and the rest cascade
        await self._write(work)
        return info

    async def bulk_write(self, threads: Iterable[BulkThread]) -> int:
        """Many threads in one transaction (offline population: benchmarks, migrate-store). Into an
        empty table the HNSW index is dropped and built once at the end, many times faster than
        growing it row by row. Streamed (a million passages need not be in memory at once), so
        never retried: a lost race fails the call."""
        async def work(conn: asyncpg.Connection) -> int:
            empty = await conn.fetchval("SELECT NOT EXISTS (SELECT 1 FROM passages)")
            if empty:
                await conn.execute("DROP INDEX IF EXISTS passages_embedding")
            written = 0
            for t in threads:
                result, _, _ = await write_thread_rows(conn, t.thread_id, t.scope, t.thread, t.passages, t.vectors,
                                                       bool(t.vectors))
                written += result.added
            if empty and self.model_id:
                await schema.create_vector_index(conn)
            return written
        return await connection.transaction(self._pool, work, attempts=1)

    async def replace_statements(self, thread_id: str, passages: list[Passage],
                                 statement_rows: list[Statement]) -> None:
        await self._write(lambda conn: rows.write_statements(conn, thread_id, passages, statement_rows))

    # ---- reads -----------------------------------------------------------------------------------
    async def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        found = await self._read(lambda conn: conn.fetch(
            "SELECT DISTINCT content_hash FROM passages WHERE content_hash = ANY($1::text[]) "
            "AND embedding IS NOT NULL", list(set(hashes))))
        return {row[0] for row in found}

    async def thread_hash(self, thread_id: str) -> str | None:
        return await self._read(lambda conn: conn.fetchval("SELECT content_hash FROM threads WHERE id = $1",
                                                           thread_id))

    async def list_threads(self, scope: Scope) -> list[ThreadInfo]:
        # COLLATE "C": titles in byte order, as SQLite orders them, whatever the server's locale.
        order = 'ORDER BY t.indexed_at, t.title COLLATE "C"'
        found = await self._read(lambda conn: conn.fetch(
            f"SELECT {INFO_COLUMNS} FROM threads t WHERE $1::text IS NULL OR t.scope = $1 {order}", scope))
        return [ThreadInfo(*row) for row in found]

    async def thread_info(self, thread_id: str, scope: Scope) -> ThreadInfo:
        found = await self._read(lambda conn: conn.fetch(
            f"SELECT {INFO_COLUMNS} FROM threads t WHERE t.id = $1 AND ($2::text IS NULL OR t.scope = $2)",
            thread_id, scope))
        if not found:
            where = f" in {scope}" if scope not in (None, "local") else ""
            raise NotFoundError(f"no thread with id {thread_id}{where}; `threadbot threads` lists them")
        return ThreadInfo(*found[0])

    async def get_thread(self, thread_id: str, scope: Scope) -> Thread:
        body = await self._read(lambda conn: conn.fetchval(
            "SELECT body_json FROM threads WHERE id = $1 AND ($2::text IS NULL OR scope = $2)", thread_id, scope))
        if body is None:
            raise NotFoundError(f"no thread with id {thread_id}; `threadbot threads` lists them")
        return Thread.from_json(json.loads(body))

    async def thread_passages(self, thread_id: str, scope: Scope) -> list[Passage]:
        found = await self._read(lambda conn: conn.fetch(
            f"{_PASSAGE_SELECT} WHERE p.thread_id = $1 AND ($2::text IS NULL OR t.scope = $2) ORDER BY CASE p.kind "
            "WHEN 'title' THEN 0 WHEN 'paragraph' THEN 1 ELSE 2 END, p.position, p.chunk", thread_id, scope))
        return [passage_from_row(tuple(r)) for r in found]

    async def passages_by_id(self, ids: list[int], scope: Scope, thread_ids: list[str] | None = None,
                             kinds: list[str] | None = None, author: str | None = None) -> dict[int, Passage]:
        if not ids:
            return {}
        filters, args = search.filter_clauses(scope, thread_ids, kinds, author, first=2)
        found = await self._read(lambda conn: conn.fetch(
            f"{_PASSAGE_SELECT} WHERE p.id = ANY($1::bigint[]){filters}", list(ids), *args))
        return {row[0]: passage_from_row(tuple(row)) for row in found}

    async def titled_passages(self, ids: list[int], scope: Scope, thread_ids: list[str] | None = None,
                              kinds: list[str] | None = None, author: str | None = None
                              ) -> dict[int, tuple[Passage, str]]:
        if not ids:
            return {}
        filters, args = search.filter_clauses(scope, thread_ids, kinds, author, first=2)
        found = await self._read(lambda conn: conn.fetch(
            f"SELECT {PASSAGE_COLUMNS}, t.title FROM passages p JOIN threads t ON t.id = p.thread_id "
            f"WHERE p.id = ANY($1::bigint[]){filters}", list(ids), *args))
        return {row[0]: (passage_from_row(tuple(row)[:-1]), row[-1]) for row in found}

    async def passage_ids_by_author(self, author: str, scope: Scope) -> list[int]:
        found = await self._read(lambda conn: conn.fetch(
            "SELECT id FROM passages WHERE lower(author) = lower($1) AND ($2::text IS NULL OR scope = $2)",
            author, scope))
        return [row[0] for row in found]

    async def counts(self) -> dict[str, int]:
        row = await self._read(lambda conn: conn.fetchrow(
            "SELECT (SELECT COUNT(*) FROM threads), (SELECT COUNT(*) FROM passages), (SELECT COUNT(DISTINCT "
            "content_hash) FROM passages WHERE embedding IS NOT NULL)"))
        return {"threads": int(row[0]), "passages": int(row[1]), "embeddings": int(row[2])}

    # ---- search and the dense index -------------------------------------------------------------
    async def dense_search(self, vector: np.ndarray, k: int, scope: Scope, thread_ids: list[str] | None = None,
                           kinds: list[str] | None = None, passage_ids: list[int] | None = None,
                           exact: bool = False) -> SearchResult:
        return await self._read(lambda conn: search.dense(conn, vector, k, scope, thread_ids, kinds, passage_ids,
                                                          exact, self.ef_search))

    async def bm25(self, words: list[str], limit: int, scope: Scope, thread_ids: list[str] | None = None,
                   kinds: list[str] | None = None, author: str | None = None) -> LexicalHits:
        """(passage id, ts_rank score) best first; the number matched is not counted (-1)."""
        if not words:
            return [], 0
        return await self._read(lambda conn: search.lexical(conn, words, limit, scope, thread_ids, kinds,
                                                            author, self._term_stats)), -1

    async def passage_vectors(self, passage_ids: Iterable[int]) -> dict[int, np.ndarray]:
        found = await self._read(lambda conn: conn.fetch(
            "SELECT id, embedding FROM passages WHERE id = ANY($1::bigint[]) AND embedding IS NOT NULL",
            list(passage_ids)))
        return {row[0]: row[1] for row in found}

    async def dense_size(self) -> int:
        return int(await self._read(lambda conn: conn.fetchval(
            "SELECT COUNT(*) FROM passages WHERE embedding IS NOT NULL")))

    @property
    def dense_approximate(self) -> bool:
        return True  # HNSW (exact only when a thread or a list of passages narrows the search)

    def clustering(self) -> bool:
        return False  # the server maintains its index as rows are written

    async def finish_clustering(self) -> None:
        return None

    # ---- statements, summaries, digests, server settings -----------------------------------------
    async def statements(self, scope: Scope, thread_id: str | None = None,
                         speakers: Collection[str] | None = None) -> list[Statement]:
        return await self._read(lambda conn: rows.read_statements(conn, scope, thread_id, speakers))

    async def speaker_names(self, scope: Scope, thread_id: str | None = None) -> tuple[SpeakerName, ...]:
        return await self._read(lambda conn: self._speaker_names.names(conn, scope, thread_id))

    async def statement_count(self, thread_id: str) -> int:
        return await self._read(lambda conn: rows.statement_count(conn, thread_id))

    async def cached_summary(self, thread_id: str, content_hash: str, length: str, mode: str) -> dict | None:
        return await self._read(lambda conn: rows.cached_summary(conn, thread_id, content_hash, length, mode))

    async def store_summary(self, thread_id: str, content_hash: str, length: str, mode: str, body: dict) -> None:
        await self._write(lambda conn: rows.store_summary(conn, thread_id, content_hash, length, mode, body))

    async def last_posted_digest(self, thread_id: str, scope: str) -> DigestRow | None:
        return await self._read(lambda conn: rows.last_posted_digest(conn, thread_id, scope))

    async def unposted_digest(self, thread_id: str, scope: str, content_hash: str, after_id: int) -> DigestRow | None:
        return await self._read(lambda conn: rows.unposted_digest(conn, thread_id, scope, content_hash, after_id))

    async def get_digest(self, digest_id: int) -> DigestRow | None:
        return await self._read(lambda conn: rows.one_digest(conn, "id = $1", digest_id))

    async def threads_posted_in(self, scope: str, channel_id: str) -> list[str]:
        return await self._read(lambda conn: rows.threads_posted_in(conn, scope, channel_id))

    async def insert_digest(self, digest: NewDigest) -> tuple[int, str]:
        return await self._write(lambda conn: rows.insert_digest(conn, digest))

    async def claim_digest(self, digest_id: int, claimant: str, lease_seconds: float, now: datetime,
                           baseline_id: int | None = None) -> bool:
        return await self._write(lambda conn: rows.claim_digest(conn, digest_id, claimant, lease_seconds, now,
                                                                baseline_id))

    async def release_digest(self, digest_id: int, claimant: str) -> None:
        await self._write(lambda conn: rows.release_digest(conn, digest_id, claimant))

    async def set_digest_posted(self, digest_id: int, channel_id: str | None, message_id: str | None,
                                message_url: str | None) -> str:
        return await self._write(lambda conn: rows.set_digest_posted(conn, digest_id, channel_id, message_id,
                                                                     message_url))

    async def guild_settings(self, guild_id: str) -> GuildSettings:
        return await self._read(lambda conn: rows.read_settings(conn, guild_id))

    async def all_guild_settings(self) -> list[GuildSettings]:
        return await self._read(rows.read_all_settings)

    async def set_guild_setting(self, guild_id: str, name: GuildSettingName, value: int | str | None) -> GuildSettings:
        await self._write(lambda conn: rows.write_setting(conn, guild_id, name, value))
        return await self.guild_settings(guild_id)

    # ---- followed threads ------------------------------------------------------------------------
    async def follows(self, scope: Scope) -> list[Follow]:
        return await self._read(lambda conn: social.read_follows(conn, scope))

    async def due_follows(self, now: datetime) -> list[Follow]:
        return await self._read(lambda conn: social.read_due(conn, now))

    async def follow(self, new: NewFollow) -> Follow:
        async def work(conn: asyncpg.Connection) -> Follow | None:
            return await social.read_follow(conn, await social.write_follow(conn, new))
        follow = await self._write(work)
        if follow is None:  # written just above
            raise StoreError(f"the follow of {new.url} was not stored")
        return follow

    async def unfollow(self, url_or_thread_id: str, scope: str) -> list[Follow]:
        return await self._write(lambda conn: social.delete_follows(conn, scope, url_or_thread_id))

    async def record_check(self, follow_id: int, comment_count: int | None, next_check_at: datetime,
                           interval_seconds: float, thread_id: str | None = None) -> Follow | None:
        async def work(conn: asyncpg.Connection) -> Follow | None:
            await social.write_check(conn, follow_id, comment_count, next_check_at, interval_seconds, thread_id)
            return await social.read_follow(conn, follow_id)
        return await self._write(work)

    # ---- the server's own conversation -----------------------------------------------------------
    async def attach_channel(self, scope: str, channel_id: str, thread_id: str, kind: ConversationKind) -> None:
        await self._write(lambda conn: social.attach_channel(conn, scope, channel_id, thread_id, kind))

    async def detach_channel(self, scope: str, channel_id: str) -> None:
        await self._write(lambda conn: social.detach_channel(conn, scope, channel_id))

    async def conversation_channel(self, scope: str, channel_id: str) -> ConversationChannel | None:
        found = await self._read(lambda conn: social.channels(conn, scope, None, channel_id))
        return found[0] if found else None

    async def conversation_channels(self, scope: str, kind: ConversationKind | None = None
                                    ) -> list[ConversationChannel]:
        return await self._read(lambda conn: social.channels(conn, scope, kind))

    async def upsert_messages(self, thread_id: str, messages: Iterable[ServerMessage]) -> None:
        batch = list(messages)  # a retried transaction reads them again
        await self._write(lambda conn: social.upsert_messages(conn, thread_id, batch))

    async def delete_messages(self, scope: str, message_ids: list[str]) -> set[str]:
        return await self._write(lambda conn: social.delete_messages(conn, scope, message_ids))

    async def message_ids_by_author(self, scope: str, author_id: str) -> list[str]:
        return await self._read(lambda conn: social.message_ids_by_author(conn, scope, author_id))

    async def thread_messages(self, thread_id: str) -> list[ServerMessage]:
        return await self._read(lambda conn: social.thread_messages(conn, thread_id))

    async def messages_by_id(self, scope: str, message_ids: list[str]) -> dict[str, ServerMessage]:
        return await self._read(lambda conn: social.messages_by_id(conn, scope, message_ids))

    async def drop_derived(self, thread_id: str) -> None:
        await self._write(lambda conn: social.drop_derived(conn, thread_id))
