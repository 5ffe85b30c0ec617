"""The summary cache and the digests table (migration 3; posting claims: migration 11).

The cache is keyed by thread id + content hash + length + mode: a changed thread has a new hash,
so its old summaries are never served again (and are deleted when the new one is stored).
Reads take the reader connection; writes run inside the caller's transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from .transactions import now_iso, stamp


@dataclass(frozen=True)
class DigestRow:
    id: int
    thread_id: str
    scope: str
    content_hash: str
    comment_keys: list[str]
    new_comment_count: int
    is_delta: bool
    text: str
    body: dict
    created_at: str
    posted_at: str | None
    channel_id: str | None
    message_id: str | None
    message_url: str | None


@dataclass(frozen=True)
class NewDigest:
    """A digest to store (unposted): what `insert_digest` writes."""

    thread_id: str
    scope: str
    content_hash: str
    comment_keys: list[str]
    new_comment_count: int
    is_delta: bool
    text: str
    body: dict


_DIGEST_COLUMNS = ("id, thread_id, scope, content_hash, comment_keys, new_comment_count, is_delta, text, body_json, "
                   "created_at, posted_at, channel_id, message_id, message_url")


def digest_from_row(row: tuple) -> DigestRow:
    return DigestRow(id=row[0], thread_id=row[1], scope=row[2], content_hash=row[3], comment_keys=json.loads(row[4]),
                     new_comment_count=row[5], is_delta=bool(row[6]), text=row[7], body=json.loads(row[8]),
                     created_at=row[9], posted_at=row[10], channel_id=row[11], message_id=row[12],
                     message_url=row[13])


async def _one_digest(db: aiosqlite.Connection, where: str, args: tuple) -> DigestRow | None:
    async with db.execute(f"SELECT {_DIGEST_COLUMNS} FROM digests WHERE {where} ORDER BY id DESC LIMIT 1",
                          args) as cursor:
        row = await cursor.fetchone()
    return digest_from_row(tuple(row)) if row else None


async def cached_summary(db: aiosqlite.Connection, thread_id: str, content_hash: str, length: str,
                         mode: str) -> dict | None:
    sql = ("SELECT body_json FROM summary_cache WHERE thread_id = ? AND content_hash = ? AND length = ? "
           "AND mode = ?")
    async with db.execute(sql, (thread_id, content_hash, length, mode)) as cursor:
        row = await cursor.fetchone()
    return json.loads(row[0]) if row else None


async def store_summary(db: aiosqlite.Connection, thread_id: str, content_hash: str, length: str, mode: str,
                        body: dict) -> None:
    """Keep this summary and drop every summary of an older version of the thread."""
    await db.execute("DELETE FROM summary_cache WHERE thread_id = ? AND content_hash != ?", (thread_id, content_hash))
    await db.execute("INSERT OR REPLACE INTO summary_cache (thread_id, content_hash, length, mode, body_json, "
                     "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                     (thread_id, content_hash, length, mode, json.dumps(body, ensure_ascii=False), now_iso()))


async def last_posted_digest(db: aiosqlite.Connection, thread_id: str, scope: str) -> DigestRow | None:
    return await _one_digest(db, "thread_id = ? AND scope = ? AND posted_at IS NOT NULL", (thread_id, scope))


async def unposted_digest(db: aiosqlite.Connection, thread_id: str, scope: str, content_hash: str,
                          after_id: int) -> DigestRow | None:
    """A digest already made for exactly this content (and baseline) but not yet posted."""
    return await _one_digest(db, "thread_id = ? AND scope = ? AND content_hash = ? AND posted_at IS NULL AND id > ?",
                             (thread_id, scope, content_hash, after_id))


async def threads_posted_in(db: aiosqlite.Connection, scope: str, channel_id: str) -> list[str]:
    """The threads whose digests were posted in this channel (or Discord thread), newest first."""
    sql = ("SELECT thread_id FROM digests WHERE scope = ? AND channel_id = ? AND posted_at IS NOT NULL "
           "GROUP BY thread_id ORDER BY MAX(id) DESC")
    async with db.execute(sql, (scope, channel_id)) as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def get_digest(db: aiosqlite.Connection, digest_id: int) -> DigestRow | None:
    return await _one_digest(db, "id = ?", (digest_id,))


async def insert_digest(db: aiosqlite.Connection, digest: NewDigest) -> tuple[int, str]:
    """Store a new (unposted) digest, replacing older unposted ones of the thread: they were never
    seen, and the new one covers everything they did. Returns its id and creation time."""
    stamp = now_iso()
    # A digest another poster holds a live claim on is being posted right now: it stays.
    await db.execute("DELETE FROM digests WHERE thread_id = ? AND scope = ? AND posted_at IS NULL "
                     "AND (claimed_by IS NULL OR claim_expires_at <= ?)", (digest.thread_id, digest.scope, stamp))
    cursor = await db.execute(
        "INSERT INTO digests (thread_id, scope, content_hash, comment_keys, new_comment_count, is_delta, text, "
        "body_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (digest.thread_id, digest.scope, digest.content_hash, json.dumps(digest.comment_keys),
         digest.new_comment_count, int(digest.is_delta), digest.text, json.dumps(digest.body, ensure_ascii=False),
         stamp))
    rowid = cursor.lastrowid
    await cursor.close()
    return int(rowid or 0), stamp


async def set_digest_posted(db: aiosqlite.Connection, digest_id: int, channel_id: str | None,
                            message_id: str | None, message_url: str | None) -> str:
    stamp = now_iso()
    await db.execute("UPDATE digests SET posted_at = ?, channel_id = ?, message_id = ?, message_url = ? WHERE id = ?",
                     (stamp, channel_id, message_id, message_url, digest_id))
    return stamp


# A draft is stale when a digest of its thread was posted after the one it was made against.
STALE_DRAFT = (" AND NOT EXISTS (SELECT 1 FROM digests done WHERE done.thread_id = digests.thread_id "
               "AND done.scope = digests.scope AND done.posted_at IS NOT NULL AND done.id > {baseline})")


async def claim_digest(db: aiosqlite.Connection, digest_id: int, claimant: str, lease_seconds: float,
                       now: datetime, baseline_id: int | None = None) -> bool:
    """Take the right to post this digest, for `lease_seconds`: one UPDATE, so of any number of
    posters (processes, machines) exactly one wins. It fails when the digest is posted, gone, or
    claimed by a poster whose lease runs, or when another digest of the same thread is claimed
    (two versions of one thread are never posted side by side). An expired lease (its poster
    crashed) can be taken over, so nothing is lost. With `baseline_id` (the posted digest the draft
    was made against, 0 for none) it also fails once a newer digest of the thread was posted: a
    draft made just before another poster's post would repeat it."""
    at = stamp(now)
    stale = "" if baseline_id is None else STALE_DRAFT.format(baseline="?")
    cursor = await db.execute(
        "UPDATE digests SET claimed_by = ?, claim_expires_at = ? WHERE id = ? AND posted_at IS NULL "
        "AND (claimed_by IS NULL OR claim_expires_at <= ?) AND NOT EXISTS (SELECT 1 FROM digests other "
        "WHERE other.thread_id = digests.thread_id AND other.scope = digests.scope AND other.id != digests.id "
        "AND other.posted_at IS NULL AND other.claimed_by IS NOT NULL AND other.claim_expires_at > ?)" + stale,
        (claimant, stamp(now + timedelta(seconds=lease_seconds)), digest_id, at, at,
         *(() if baseline_id is None else (baseline_id,))))
    won = cursor.rowcount == 1
    await cursor.close()
    return won


async def release_digest(db: aiosqlite.Connection, digest_id: int, claimant: str) -> None:
    """Give up a claim without posting (the post failed): the next poster may take it at once."""
    await db.execute("UPDATE digests SET claimed_by = NULL, claim_expires_at = NULL WHERE id = ? AND claimed_by = ? "
                     "AND posted_at IS NULL", (digest_id, claimant))
