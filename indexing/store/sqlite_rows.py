"""The SQLite store's row methods (a mixin of `Store`): statements, the summary cache, digests, server
settings, followed threads and the server's conversation, each a thin wrapper of its row helpers
(statements.py, summaries.py, guild_settings.py, follows.py, conversation_rows.py) run on the reader
connection or in one write transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from contextlib import AbstractAsyncContextManager
from datetime import datetime

import aiosqlite

from ..errors import StoreError
from ..records import (
    ConversationChannel,
    ConversationKind,
    Follow,
    GuildSettingName,
    GuildSettings,
    ServerMessage,
    SpeakerName,
    Statement,
)
from . import conversation_rows as conversation
from . import follows as follow_rows
from . import guild_settings, statements, summaries
from .follows import NewFollow
from .interface import Scope
from .summaries import DigestRow, NewDigest


class RowMethods:
    _speaker_names: statements.SpeakerNamesCache[aiosqlite.Connection]  # made by the store's __init__

    def _reader_db(self) -> aiosqlite.Connection:
        raise NotImplementedError

    def _transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        """One write transaction under the store's write lock."""
        raise NotImplementedError

    # ---- statements, summaries, digests, server settings --------------------------------------
    async def statements(self, scope: Scope, thread_id: str | None = None,
                         speakers: Collection[str] | None = None) -> list[Statement]:
        return await statements.read_statements(self._reader_db(), scope, thread_id, speakers)

    async def speaker_names(self, scope: Scope, thread_id: str | None = None) -> tuple[SpeakerName, ...]:
        return await self._speaker_names.names(self._reader_db(), scope, thread_id)

    async def statement_count(self, thread_id: str) -> int:
        return await statements.statement_count(self._reader_db(), thread_id)

    async def cached_summary(self, thread_id: str, content_hash: str, length: str, mode: str) -> dict | None:
        return await summaries.cached_summary(self._reader_db(), thread_id, content_hash, length, mode)

    async def store_summary(self, thread_id: str, content_hash: str, length: str, mode: str, body: dict) -> None:
        async with self._transaction() as db:
            await summaries.store_summary(db, thread_id, content_hash, length, mode, body)

    async def last_posted_digest(self, thread_id: str, scope: str) -> DigestRow | None:
        return await summaries.last_posted_digest(self._reader_db(), thread_id, scope)

    async def unposted_digest(self, thread_id: str, scope: str, content_hash: str, after_id: int) -> DigestRow | None:
        return await summaries.unposted_digest(self._reader_db(), thread_id, scope, content_hash, after_id)

    async def get_digest(self, digest_id: int) -> DigestRow | None:
        return await summaries.get_digest(self._reader_db(), digest_id)

    async def threads_posted_in(self, scope: str, channel_id: str) -> list[str]:
        return await summaries.threads_posted_in(self._reader_db(), scope, channel_id)

    async def insert_digest(self, digest: NewDigest) -> tuple[int, str]:
        async with self._transaction() as db:
            return await summaries.insert_digest(db, digest)

    async def set_digest_posted(self, digest_id: int, channel_id: str | None, message_id: str | None,
                                message_url: str | None) -> str:
        async with self._transaction() as db:
            return await summaries.set_digest_posted(db, digest_id, channel_id, message_id, message_url)

    async def claim_digest(self, digest_id: int, claimant: str, lease_seconds: float, now: datetime,
                           baseline_id: int | None = None) -> bool:
        async with self._transaction() as db:
            return await summaries.claim_digest(db, digest_id, claimant, lease_seconds, now, baseline_id)

    async def release_digest(self, digest_id: int, claimant: str) -> None:
        async with self._transaction() as db:
            await summaries.release_digest(db, digest_id, claimant)

    async def guild_settings(self, guild_id: str) -> GuildSettings:
        return await guild_settings.read_settings(self._reader_db(), guild_id)

    async def all_guild_settings(self) -> list[GuildSettings]:
        return await guild_settings.read_all_settings(self._reader_db())

    async def set_guild_setting(self, guild_id: str, name: GuildSettingName, value: int | str | None) -> GuildSettings:
        async with self._transaction() as db:
            await guild_settings.write_setting(db, guild_id, name, value)
        return await self.guild_settings(guild_id)

    # ---- followed threads ------------------------------------------------------------------------
    async def follows(self, scope: Scope) -> list[Follow]:
        return await follow_rows.read_follows(self._reader_db(), scope)

    async def due_follows(self, now: datetime) -> list[Follow]:
        """Every scope's follows due at `now` (the scheduler's read, across scopes on purpose)."""
        return await follow_rows.read_due(self._reader_db(), now)

    async def follow(self, new: NewFollow) -> Follow:
        async with self._transaction() as db:
            follow = await follow_rows.read_follow(db, await follow_rows.write_follow(db, new))
        if follow is None:  # written just above
            raise StoreError(f"the follow of {new.url} was not stored")
        return follow

    async def unfollow(self, url_or_thread_id: str, scope: str) -> list[Follow]:
        async with self._transaction() as db:
            return await follow_rows.delete_follows(db, scope, url_or_thread_id)

    async def record_check(self, follow_id: int, comment_count: int | None, next_check_at: datetime,
                           interval_seconds: float, thread_id: str | None = None) -> Follow | None:
        """The follow as rescheduled, or None when it was removed meanwhile."""
        async with self._transaction() as db:
            await follow_rows.write_check(db, follow_id, comment_count, next_check_at, interval_seconds, thread_id)
            return await follow_rows.read_follow(db, follow_id)

    # ---- the server's own conversation -----------------------------------------------------------
    async def attach_channel(self, scope: str, channel_id: str, thread_id: str, kind: ConversationKind) -> None:
        async with self._transaction() as db:
            await conversation.attach_channel(db, scope, channel_id, thread_id, kind)

    async def detach_channel(self, scope: str, channel_id: str) -> None:
        async with self._transaction() as db:
            await conversation.detach_channel(db, scope, channel_id)

    async def conversation_channel(self, scope: str, channel_id: str) -> ConversationChannel | None:
        return await conversation.channel(self._reader_db(), scope, channel_id)

    async def conversation_channels(self, scope: str, kind: ConversationKind | None = None
                                    ) -> list[ConversationChannel]:
        return await conversation.channels(self._reader_db(), scope, kind)

    async def upsert_messages(self, thread_id: str, messages: Iterable[ServerMessage]) -> None:
        async with self._transaction() as db:
            await conversation.upsert_messages(db, thread_id, messages)

    async def delete_messages(self, scope: str, message_ids: list[str]) -> set[str]:
        async with self._transaction() as db:
            return await conversation.delete_messages(db, scope, message_ids)

    async def message_ids_by_author(self, scope: str, author_id: str) -> list[str]:
        return await conversation.message_ids_by_author(self._reader_db(), scope, author_id)

    async def thread_messages(self, thread_id: str) -> list[ServerMessage]:
        return await conversation.thread_messages(self._reader_db(), thread_id)

    async def messages_by_id(self, scope: str, message_ids: list[str]) -> dict[str, ServerMessage]:
        return await conversation.messages_by_id(self._reader_db(), scope, message_ids)

    async def drop_derived(self, thread_id: str) -> None:
        async with self._transaction() as db:
            await conversation.drop_derived(db, thread_id)
