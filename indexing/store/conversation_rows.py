"""The server's own conversation (migration 9): the Discord channels whose messages are kept and the
messages kept from them. Reads take any connection; writes run inside the caller's transaction
(`Store.write`). Every read and write names its scope: one server never reaches another's rows."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from ..records import ConversationChannel, ConversationKind, ServerMessage
from .transactions import chunked, marks, now_iso

_MESSAGE_COLUMNS = "scope, channel_id, message_id, author_id, author, text, posted, url, parent_id"


def _message(row: tuple) -> ServerMessage:
    return ServerMessage(*row)


async def attach_channel(db: aiosqlite.Connection, scope: str, channel_id: str, thread_id: str,
                         kind: ConversationKind) -> None:
    await db.execute("INSERT OR REPLACE INTO conversation_channels (scope, channel_id, thread_id, kind, created_at) "
                     "VALUES (?, ?, ?, ?, ?)", (scope, channel_id, thread_id, kind, now_iso()))


async def detach_channel(db: aiosqlite.Connection, scope: str, channel_id: str) -> None:
    await db.execute("DELETE FROM conversation_channels WHERE scope = ? AND channel_id = ?", (scope, channel_id))


async def channel(db: aiosqlite.Connection, scope: str, channel_id: str) -> ConversationChannel | None:
    async with db.execute("SELECT scope, channel_id, thread_id, kind FROM conversation_channels "
                          "WHERE scope = ? AND channel_id = ?", (scope, channel_id)) as cursor:
        row = await cursor.fetchone()
    return ConversationChannel(*row) if row else None


async def channels(db: aiosqlite.Connection, scope: str, kind: ConversationKind | None = None
                   ) -> list[ConversationChannel]:
    sql = "SELECT scope, channel_id, thread_id, kind FROM conversation_channels WHERE scope = ?"
    args: tuple = (scope,)
    if kind is not None:
        sql, args = sql + " AND kind = ?", (scope, kind)
    async with db.execute(sql + " ORDER BY created_at", args) as cursor:
        return [ConversationChannel(*row) for row in await cursor.fetchall()]


async def upsert_messages(db: aiosqlite.Connection, thread_id: str, messages: Iterable[ServerMessage]) -> None:
    await db.executemany(
        f"INSERT OR REPLACE INTO server_messages ({_MESSAGE_COLUMNS}, thread_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(m.scope, m.channel_id, m.message_id, m.author_id, m.author, m.text, m.posted, m.url, m.parent_id,
          thread_id) for m in messages])


async def delete_messages(db: aiosqlite.Connection, scope: str, message_ids: list[str]) -> set[str]:
    """Delete these messages of `scope`; returns the threads that held any of them."""
    threads: set[str] = set()
    for chunk in chunked(message_ids):
        async with db.execute(f"SELECT DISTINCT thread_id FROM server_messages WHERE scope = ? AND message_id IN "
                              f"({marks(chunk)})", (scope, *chunk)) as cursor:
            threads.update(row[0] for row in await cursor.fetchall())
        await db.execute(f"DELETE FROM server_messages WHERE scope = ? AND message_id IN ({marks(chunk)})",
                         (scope, *chunk))
    return threads


async def message_ids_by_author(db: aiosqlite.Connection, scope: str, author_id: str) -> list[str]:
    async with db.execute("SELECT message_id FROM server_messages WHERE scope = ? AND author_id = ?",
                          (scope, author_id)) as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def thread_messages(db: aiosqlite.Connection, thread_id: str) -> list[ServerMessage]:
    """A thread's kept messages in the order they were written (snowflake ids grow with time)."""
    async with db.execute(f"SELECT {_MESSAGE_COLUMNS} FROM server_messages WHERE thread_id = ? "
                          "ORDER BY LENGTH(message_id), message_id", (thread_id,)) as cursor:
        return [_message(tuple(row)) for row in await cursor.fetchall()]


async def messages_by_id(db: aiosqlite.Connection, scope: str, message_ids: list[str]) -> dict[str, ServerMessage]:
    found: dict[str, ServerMessage] = {}
    for chunk in chunked(message_ids):
        async with db.execute(f"SELECT {_MESSAGE_COLUMNS} FROM server_messages WHERE scope = ? AND message_id IN "
                              f"({marks(chunk)})", (scope, *chunk)) as cursor:
            for row in await cursor.fetchall():
                found[row[2]] = _message(tuple(row))
    return found


async def drop_derived(db: aiosqlite.Connection, thread_id: str) -> None:
    """Forget what was computed from a thread's old text: its cached summaries and any digest made
    but not posted (a deleted message must not live on in either)."""
    await db.execute("DELETE FROM summary_cache WHERE thread_id = ?", (thread_id,))
    await db.execute("DELETE FROM digests WHERE thread_id = ? AND posted_at IS NULL", (thread_id,))
