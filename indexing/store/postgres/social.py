"""Followed threads and the server's own conversation on PostgreSQL: the SQL of follows.py and
conversation_rows.py in PostgreSQL's dialect, read into the same records. Reads take any
connection; writes run inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import asyncpg

from ...errors import StoreError
from ...records import ConversationChannel, ConversationKind, Follow, ServerMessage
from ..conversation_rows import _MESSAGE_COLUMNS as MESSAGE_COLUMNS
from ..follows import _COLUMNS as FOLLOW_COLUMNS
from ..follows import MAX_FOLLOWS_PER_SCOPE, NewFollow, follow_from_row
from ..transactions import now_iso, stamp


# ---- followed threads --------------------------------------------------------------------------
async def select_follows(conn: asyncpg.Connection, where: str, *args: object) -> list[Follow]:
    return [follow_from_row(tuple(row)) for row in await conn.fetch(f"SELECT {FOLLOW_COLUMNS} FROM follows {where}",
                                                                    *args)]


async def read_follows(conn: asyncpg.Connection, scope: str | None) -> list[Follow]:
    if scope is None:
        return await select_follows(conn, "ORDER BY expires_at, id")
    return await select_follows(conn, "WHERE scope = $1 ORDER BY expires_at, id", scope)


async def read_due(conn: asyncpg.Connection, now: datetime) -> list[Follow]:
    return await select_follows(conn, "WHERE next_check_at <= $1 OR expires_at <= $1 ORDER BY next_check_at, id",
                                stamp(now))


async def read_follow(conn: asyncpg.Connection, follow_id: int) -> Follow | None:
    found = await select_follows(conn, "WHERE id = $1", follow_id)
    return found[0] if found else None


async def write_follow(conn: asyncpg.Connection, new: NewFollow) -> int:
    """Insert or renew (follows.write_follow); at most MAX_FOLLOWS_PER_SCOPE per scope."""
    # Two processes following in one scope at once must not both pass the count: one at a time per scope.
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('follows:' || $1))", new.scope)
    others = await conn.fetchval("SELECT COUNT(*) FROM follows WHERE scope = $1 AND url != $2", new.scope, new.url)
    if others >= MAX_FOLLOWS_PER_SCOPE:
        raise StoreError(f"already following {MAX_FOLLOWS_PER_SCOPE} threads here; stop following one first")
    channel = None if new.channel_id is None else str(new.channel_id)
    return int(await conn.fetchval(
        "INSERT INTO follows (scope, url, thread_id, channel_id, hours, threshold, created_at, expires_at, "
        "next_check_at, interval_seconds, last_comment_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
        "ON CONFLICT (scope, url) DO UPDATE SET thread_id = COALESCE(excluded.thread_id, follows.thread_id), "
        "channel_id = excluded.channel_id, hours = excluded.hours, threshold = excluded.threshold, "
        "expires_at = excluded.expires_at, next_check_at = excluded.next_check_at, "
        "interval_seconds = excluded.interval_seconds, "
        "last_comment_count = COALESCE(excluded.last_comment_count, follows.last_comment_count) RETURNING id",
        new.scope, new.url, new.thread_id, channel, new.hours, new.threshold, stamp(new.created_at),
        stamp(new.expires_at), stamp(new.next_check_at), new.interval_seconds, new.last_comment_count))


async def delete_follows(conn: asyncpg.Connection, scope: str, url_or_thread_id: str) -> list[Follow]:
    key = url_or_thread_id.strip()
    rows = await conn.fetch(f"DELETE FROM follows WHERE scope = $1 AND (url = $2 OR thread_id = $2) "
                            f"RETURNING {FOLLOW_COLUMNS}", scope, key)
    return sorted((follow_from_row(tuple(row)) for row in rows), key=lambda f: f.id)


async def write_check(conn: asyncpg.Connection, follow_id: int, comment_count: int | None, next_check_at: datetime,
                      interval_seconds: float, thread_id: str | None) -> None:
    await conn.execute("UPDATE follows SET last_comment_count = $1, next_check_at = $2, interval_seconds = $3, "
                       "thread_id = COALESCE($4, thread_id) WHERE id = $5",
                       comment_count, stamp(next_check_at), interval_seconds, thread_id, follow_id)


# ---- the server's own conversation -----------------------------------------------------------------
async def attach_channel(conn: asyncpg.Connection, scope: str, channel_id: str, thread_id: str,
                         kind: ConversationKind) -> None:
    await conn.execute("INSERT INTO conversation_channels (scope, channel_id, thread_id, kind, created_at) "
                       "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, channel_id) DO UPDATE SET "
                       "thread_id = excluded.thread_id, kind = excluded.kind, created_at = excluded.created_at",
                       scope, channel_id, thread_id, kind, now_iso())


async def detach_channel(conn: asyncpg.Connection, scope: str, channel_id: str) -> None:
    await conn.execute("DELETE FROM conversation_channels WHERE scope = $1 AND channel_id = $2", scope, channel_id)


async def channels(conn: asyncpg.Connection, scope: str, kind: ConversationKind | None = None,
                   channel_id: str | None = None) -> list[ConversationChannel]:
    rows = await conn.fetch("SELECT scope, channel_id, thread_id, kind FROM conversation_channels WHERE scope = $1 "
                            "AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR channel_id = $3) "
                            "ORDER BY created_at", scope, kind, channel_id)
    return [ConversationChannel(*row) for row in rows]


async def upsert_messages(conn: asyncpg.Connection, thread_id: str, messages: Iterable[ServerMessage]) -> None:
    await conn.executemany(
        f"INSERT INTO server_messages ({MESSAGE_COLUMNS}, thread_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
        "ON CONFLICT (scope, message_id) DO UPDATE SET channel_id = excluded.channel_id, "
        "author_id = excluded.author_id, author = excluded.author, text = excluded.text, posted = excluded.posted, "
        "url = excluded.url, parent_id = excluded.parent_id, thread_id = excluded.thread_id",
        [(m.scope, m.channel_id, m.message_id, m.author_id, m.author, m.text, m.posted, m.url, m.parent_id,
          thread_id) for m in messages])


async def delete_messages(conn: asyncpg.Connection, scope: str, message_ids: list[str]) -> set[str]:
    rows = await conn.fetch("DELETE FROM server_messages WHERE scope = $1 AND message_id = ANY($2::text[]) "
                            "RETURNING thread_id", scope, message_ids)
    return {row[0] for row in rows}


async def message_ids_by_author(conn: asyncpg.Connection, scope: str, author_id: str) -> list[str]:
    rows = await conn.fetch("SELECT message_id FROM server_messages WHERE scope = $1 AND author_id = $2",
                            scope, author_id)
    return [row[0] for row in rows]


async def thread_messages(conn: asyncpg.Connection, thread_id: str) -> list[ServerMessage]:
    """In the order they were written (snowflake ids grow with time)."""
    rows = await conn.fetch(f"SELECT {MESSAGE_COLUMNS} FROM server_messages WHERE thread_id = $1 "
                            "ORDER BY LENGTH(message_id), message_id", thread_id)
    return [ServerMessage(*row) for row in rows]


async def messages_by_id(conn: asyncpg.Connection, scope: str, message_ids: list[str]) -> dict[str, ServerMessage]:
    rows = await conn.fetch(f"SELECT {MESSAGE_COLUMNS} FROM server_messages WHERE scope = $1 AND "
                            "message_id = ANY($2::text[])", scope, message_ids)
    return {row[2]: ServerMessage(*row) for row in rows}


async def drop_derived(conn: asyncpg.Connection, thread_id: str) -> None:
    await conn.execute("DELETE FROM summary_cache WHERE thread_id = $1", thread_id)
    await conn.execute("DELETE FROM digests WHERE thread_id = $1 AND posted_at IS NULL", thread_id)
