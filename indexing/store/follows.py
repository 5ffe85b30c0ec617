"""Followed threads (migration 7): one row per scope and URL, with its polling schedule.

Times are stored as UTC ISO 8601 text to the second, one spelling for all, so comparing the text
orders the times. Reads take the connection they are given; writes run inside the caller's
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from ..errors import StoreError
from ..records import Follow
from .transactions import stamp

MAX_FOLLOWS_PER_SCOPE = 25  # one autocomplete list's worth, so every follow can be picked to stop it

_COLUMNS = ("id, scope, url, thread_id, channel_id, hours, threshold, created_at, expires_at, next_check_at, "
            "interval_seconds, last_comment_count")


@dataclass(frozen=True)
class NewFollow:
    """A follow to store (or renew): what `write_follow` writes."""

    scope: str
    url: str
    channel_id: int | None
    hours: float
    threshold: int
    created_at: datetime
    expires_at: datetime
    next_check_at: datetime
    interval_seconds: float
    thread_id: str | None = None
    last_comment_count: int | None = None


def follow_from_row(row: tuple) -> Follow:
    return Follow(id=row[0], scope=row[1], url=row[2], thread_id=row[3], channel_id=int(row[4]) if row[4] else None,
                  hours=float(row[5]), threshold=int(row[6]), created_at=datetime.fromisoformat(row[7]),
                  expires_at=datetime.fromisoformat(row[8]), next_check_at=datetime.fromisoformat(row[9]),
                  interval_seconds=float(row[10]), last_comment_count=row[11])


async def _select(db: aiosqlite.Connection, where: str, args: tuple) -> list[Follow]:
    async with db.execute(f"SELECT {_COLUMNS} FROM follows {where}", args) as cursor:
        return [follow_from_row(tuple(row)) for row in await cursor.fetchall()]


async def read_follows(db: aiosqlite.Connection, scope: str | None) -> list[Follow]:
    """A scope's follows (None: every scope's), the soonest to end first."""
    where, args = ("WHERE scope = ?", (scope,)) if scope is not None else ("", ())
    return await _select(db, f"{where} ORDER BY expires_at, id", args)


async def read_due(db: aiosqlite.Connection, now: datetime) -> list[Follow]:
    """Every scope's follows due for a check at `now`, or past their end, the most overdue first."""
    at = stamp(now)
    return await _select(db, "WHERE next_check_at <= ? OR expires_at <= ? ORDER BY next_check_at, id", (at, at))


async def read_follow(db: aiosqlite.Connection, follow_id: int) -> Follow | None:
    found = await _select(db, "WHERE id = ?", (follow_id,))
    return found[0] if found else None


async def write_follow(db: aiosqlite.Connection, new: NewFollow) -> int:
    """Insert the follow, or renew the scope's follow of the same URL (a new period, channel and
    threshold; the schedule starts again; what the last check saw is kept). A scope holds at most
    MAX_FOLLOWS_PER_SCOPE follows. Returns the follow's id."""
    async with db.execute("SELECT COUNT(*) FROM follows WHERE scope = ? AND url != ?", (new.scope, new.url)) as cursor:
        row = await cursor.fetchone()
    if row is not None and row[0] >= MAX_FOLLOWS_PER_SCOPE:
        raise StoreError(f"already following {MAX_FOLLOWS_PER_SCOPE} threads here; stop following one first")
    channel = None if new.channel_id is None else str(new.channel_id)
    await db.execute(
        "INSERT INTO follows (scope, url, thread_id, channel_id, hours, threshold, created_at, expires_at, "
        "next_check_at, interval_seconds, last_comment_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (scope, url) DO UPDATE SET thread_id = COALESCE(excluded.thread_id, thread_id), "
        "channel_id = excluded.channel_id, hours = excluded.hours, threshold = excluded.threshold, "
        "expires_at = excluded.expires_at, next_check_at = excluded.next_check_at, "
        "interval_seconds = excluded.interval_seconds, "
        "last_comment_count = COALESCE(excluded.last_comment_count, last_comment_count)",
        (new.scope, new.url, new.thread_id, channel, new.hours, new.threshold, stamp(new.created_at),
         stamp(new.expires_at), stamp(new.next_check_at), new.interval_seconds, new.last_comment_count))
    async with db.execute("SELECT id FROM follows WHERE scope = ? AND url = ?", (new.scope, new.url)) as cursor:
        row = await cursor.fetchone()
    if row is None:  # written just above, in this transaction
        raise StoreError(f"the follow of {new.url} was not stored")
    return int(row[0])


async def delete_follows(db: aiosqlite.Connection, scope: str, url_or_thread_id: str) -> list[Follow]:
    """Remove the scope's follows of this URL or thread id (two URLs may lead to one thread).
    Returns what was removed."""
    key = url_or_thread_id.strip()
    found = await _select(db, "WHERE scope = ? AND (url = ? OR thread_id = ?)", (scope, key, key))
    for follow in found:
        await db.execute("DELETE FROM follows WHERE id = ?", (follow.id,))
    return found


async def write_check(db: aiosqlite.Connection, follow_id: int, comment_count: int | None, next_check_at: datetime,
                      interval_seconds: float, thread_id: str | None) -> None:
    """Record one check: what it saw and when the next one is due (a known thread id is kept)."""
    await db.execute(
        "UPDATE follows SET last_comment_count = ?, next_check_at = ?, interval_seconds = ?, "
        "thread_id = COALESCE(?, thread_id) WHERE id = ?",
        (comment_count, stamp(next_check_at), interval_seconds, thread_id, follow_id))
