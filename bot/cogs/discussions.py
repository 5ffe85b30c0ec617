"""The server's own conversation: members' messages in a digest's discussion thread (or a channel
opted in with `/config listen-channel`) are indexed as comments, edits re-indexed, deletions removed.

Events only queue work; one task per server indexes the queue in batches (every
`[discord] conversation_batch_seconds`), and the library does the heavy part off the event loop.
A deletion (one, a bulk delete) goes through the same queue, after the writes queued before it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import discord
from discord.ext import commands

from bot.client import ThreadBot
from bot.conversation import server_message
from indexing.errors import ThreadbotError
from indexing.records import ServerMessage

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    upserts: dict[str, ServerMessage] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)


class Discussions(commands.Cog):
    def __init__(self, bot: ThreadBot):
        self.bot = bot
        self.pending: dict[str, _Pending] = {}
        self.tasks: dict[str, asyncio.Task] = {}

    async def cog_unload(self) -> None:
        for task in self.tasks.values():
            task.cancel()

    def _queue(self, scope: str) -> _Pending:
        pending = self.pending.setdefault(scope, _Pending())
        task = self.tasks.get(scope)
        if task is None or task.done():
            # The "threadbot-" name lets the tests' fake Discord wait for it like an event handler.
            self.tasks[scope] = asyncio.create_task(self._flush(scope), name=f"threadbot-index {scope}")
        return pending

    async def _keeps(self, record: ServerMessage) -> bool:
        return await self.bot.library.conversations.channel(record.scope, record.channel_id) is not None

    async def _upsert(self, message: discord.Message) -> None:
        record = server_message(message)
        if record is None or not self.bot.message_content_enabled or not await self._keeps(record):
            return
        self._queue(record.scope).upserts[record.message_id] = record

    def _delete(self, guild_id: int | None, message_ids: list[int]) -> None:
        if guild_id is None:
            return
        pending = self._queue(str(guild_id))
        for mid in map(str, message_ids):
            pending.upserts.pop(mid, None)
            pending.deletes.append(mid)

    async def _flush(self, scope: str) -> None:
        while True:
            await asyncio.sleep(self.bot.config.conversation_batch_seconds)
            pending = self.pending.pop(scope, None)
            if pending is None or not (pending.upserts or pending.deletes):
                return
            try:
                touched = await self.bot.library.conversations.apply(scope, pending.upserts.values(), pending.deletes)
            except ThreadbotError as exc:  # a full disk, a busy database: the messages are skipped, said once
                log.warning("could not index %d messages of guild %s: %s", len(pending.upserts), scope, exc)
                continue
            log.info("guild %s: %d messages kept, %d removed, %d threads re-indexed", scope,
                     len(pending.upserts), len(pending.deletes), len(touched))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        await self._upsert(message)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        await self._upsert(payload.message)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        self._delete(payload.guild_id, [payload.message_id])

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        self._delete(payload.guild_id, sorted(payload.message_ids))

    async def drain(self) -> None:
        """Wait until every queued message is indexed (before a /forget, and in tests)."""
        while running := [t for t in self.tasks.values() if not t.done()]:
            await asyncio.wait(running)


async def setup(bot: ThreadBot) -> None:
    await bot.add_cog(Discussions(bot))
