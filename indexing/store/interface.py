"""The store's public surface, which every backend implements: the SQLite store (sqlite.py, the
embedded default) and the PostgreSQL one (postgres/, for several processes on one database).

Only records, numpy arrays and plain values cross it: nothing of a driver (no connection, no
cursor, no SQL), so the library, the conversations and the CLI work the same on either backend.
`scope` is a required argument of every read: a guild's id, "local" for the command line, or None,
said explicitly, for every scope at once. `factory.open_store` picks the backend from the location.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Protocol

import numpy as np

from ..records import (
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
from .dense import SearchResult
from .follows import NewFollow
from .summaries import DigestRow, NewDigest
from .thread_rows import BulkThread, WriteResult

Scope = str | None  # None: every scope (an explicit choice, never a default)
LexicalHits = tuple[list[tuple[int, float]], int]  # (passage id, score) best first; matches in all (-1: unknown)


class ThreadStore(Protocol):
    model_id: str  # "" when opened without a model (metadata reads only)
    dim: int

    # ---- lifecycle -----------------------------------------------------------------------------
    async def close(self) -> None: ...

    async def __aenter__(self) -> ThreadStore: ...

    async def __aexit__(self, *exc_info: object) -> None: ...

    # ---- writes: each one transaction ------------------------------------------------------------
    async def write_thread(self, thread_id: str, scope: str, thread: Thread, passages: list[Passage],
                           new_vectors: dict[str, np.ndarray],
                           statement_rows: list[Statement] | None = None) -> WriteResult: ...

    async def delete_thread(self, thread_id: str, scope: Scope) -> ThreadInfo: ...

    async def bulk_write(self, threads: Iterable[BulkThread]) -> int: ...

    async def replace_statements(self, thread_id: str, passages: list[Passage],
                                 statement_rows: list[Statement]) -> None: ...

    # ---- reads ---------------------------------------------------------------------------------
    async def known_hashes(self, hashes: Iterable[str]) -> set[str]: ...

    async def thread_hash(self, thread_id: str) -> str | None: ...

    async def list_threads(self, scope: Scope) -> list[ThreadInfo]: ...

    async def thread_info(self, thread_id: str, scope: Scope) -> ThreadInfo: ...

    async def get_thread(self, thread_id: str, scope: Scope) -> Thread: ...

    async def thread_passages(self, thread_id: str, scope: Scope) -> list[Passage]: ...

    async def passages_by_id(self, ids: list[int], scope: Scope, thread_ids: list[str] | None = None,
                             kinds: list[str] | None = None, author: str | None = None) -> dict[int, Passage]: ...

    async def titled_passages(self, ids: list[int], scope: Scope, thread_ids: list[str] | None = None,
                              kinds: list[str] | None = None, author: str | None = None
                              ) -> dict[int, tuple[Passage, str]]:
        """`passages_by_id` with each passage's thread title, in one query."""
        ...

    async def passage_ids_by_author(self, author: str, scope: Scope) -> list[int]: ...

    async def counts(self) -> dict[str, int]: ...

    # ---- search and the dense index ----------------------------------------------------------------
    async def dense_search(self, vector: np.ndarray, k: int, scope: Scope, thread_ids: list[str] | None = None,
                           kinds: list[str] | None = None, passage_ids: list[int] | None = None,
                           exact: bool = False) -> SearchResult: ...

    async def bm25(self, words: list[str], limit: int, scope: Scope, thread_ids: list[str] | None = None,
                   kinds: list[str] | None = None, author: str | None = None) -> LexicalHits: ...

    async def passage_vectors(self, passage_ids: Iterable[int]) -> dict[int, np.ndarray]: ...

    async def dense_size(self) -> int: ...

    @property
    def dense_approximate(self) -> bool: ...

    def clustering(self) -> bool: ...

    async def finish_clustering(self) -> None: ...

    # ---- statements, summaries, digests, server settings -----------------------------------------
    async def statements(self, scope: Scope, thread_id: str | None = None,
                         speakers: Collection[str] | None = None) -> list[Statement]: ...

    async def speaker_names(self, scope: Scope, thread_id: str | None = None) -> tuple[SpeakerName, ...]:
        """The distinct (speaker, mention) names of the statements in scope; the same tuple object
        while the statements are unchanged (the library keeps lookups made from it)."""
        ...

    async def statement_count(self, thread_id: str) -> int: ...

    async def cached_summary(self, thread_id: str, content_hash: str, length: str, mode: str) -> dict | None: ...

    async def store_summary(self, thread_id: str, content_hash: str, length: str, mode: str,
                            body: dict) -> None: ...

    async def last_posted_digest(self, thread_id: str, scope: str) -> DigestRow | None: ...

    async def unposted_digest(self, thread_id: str, scope: str, content_hash: str,
                              after_id: int) -> DigestRow | None: ...

    async def get_digest(self, digest_id: int) -> DigestRow | None: ...

    async def threads_posted_in(self, scope: str, channel_id: str) -> list[str]: ...

    async def insert_digest(self, digest: NewDigest) -> tuple[int, str]: ...

    async def set_digest_posted(self, digest_id: int, channel_id: str | None, message_id: str | None,
                                message_url: str | None) -> str: ...

    async def claim_digest(self, digest_id: int, claimant: str, lease_seconds: float, now: datetime,
                           baseline_id: int | None = None) -> bool:
        """Atomically: True for exactly one caller while the digest is unposted, unclaimed (or its
        claim's lease has run out), no other draft of its thread is claimed and (with `baseline_id`)
        no digest of the thread newer than that one was posted."""
        ...

    async def release_digest(self, digest_id: int, claimant: str) -> None: ...

    async def guild_settings(self, guild_id: str) -> GuildSettings: ...

    async def all_guild_settings(self) -> list[GuildSettings]: ...

    async def set_guild_setting(self, guild_id: str, name: GuildSettingName,
                                value: int | str | None) -> GuildSettings: ...

    # ---- followed threads ------------------------------------------------------------------------
    async def follows(self, scope: Scope) -> list[Follow]: ...

    async def due_follows(self, now: datetime) -> list[Follow]: ...

    async def follow(self, new: NewFollow) -> Follow: ...

    async def unfollow(self, url_or_thread_id: str, scope: str) -> list[Follow]: ...

    async def record_check(self, follow_id: int, comment_count: int | None, next_check_at: datetime,
                           interval_seconds: float, thread_id: str | None = None) -> Follow | None: ...

    # ---- the server's own conversation (conversations.py) ------------------------------------------
    async def attach_channel(self, scope: str, channel_id: str, thread_id: str, kind: ConversationKind) -> None: ...

    async def detach_channel(self, scope: str, channel_id: str) -> None: ...

    async def conversation_channel(self, scope: str, channel_id: str) -> ConversationChannel | None: ...

    async def conversation_channels(self, scope: str, kind: ConversationKind | None = None
                                    ) -> list[ConversationChannel]: ...

    async def upsert_messages(self, thread_id: str, messages: Iterable[ServerMessage]) -> None: ...

    async def delete_messages(self, scope: str, message_ids: list[str]) -> set[str]: ...

    async def message_ids_by_author(self, scope: str, author_id: str) -> list[str]: ...

    async def thread_messages(self, thread_id: str) -> list[ServerMessage]: ...

    async def messages_by_id(self, scope: str, message_ids: list[str]) -> dict[str, ServerMessage]: ...

    async def drop_derived(self, thread_id: str) -> None: ...
