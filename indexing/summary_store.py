"""Reads and writes of the summary cache and the digests table (migration 3).

The cache is keyed by thread id + content hash + length + mode: a changed thread has a new hash,
so its old summaries are never served again (and are deleted when the new one is stored).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .store import Store, now_iso


async def cached_summary(
    store: Store, thread_id: str, content_hash: str, length: str, mode: str
) -> dict | None:
    rows = await store.fetch_all(
        "SELECT body_json FROM summary_cache "
        "WHERE thread_id = ? AND content_hash = ? AND length = ? AND mode = ?",
        (thread_id, content_hash, length, mode),
    )
    return json.loads(rows[0][0]) if rows else None


async def store_summary(
    store: Store, thread_id: str, content_hash: str, length: str, mode: str, body: dict
) -> None:
    """Keep this summary and drop every summary of an older version of the thread."""
    await store.write_all(
        [
            (
                "DELETE FROM summary_cache WHERE thread_id = ? AND content_hash != ?",
                (thread_id, content_hash),
            ),
            (
                "INSERT OR REPLACE INTO summary_cache "
                "(thread_id, content_hash, length, mode, body_json, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (thread_id, content_hash, length, mode, json.dumps(body, ensure_ascii=False), now_iso()),
            ),
        ]
    )


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


_DIGEST_COLUMNS = (
    "id, thread_id, scope, content_hash, comment_keys, new_comment_count, is_delta, text, body_json, "
    "created_at, posted_at, channel_id, message_id, message_url"
)


def _digest_row(row: tuple) -> DigestRow:
    return DigestRow(
        id=row[0],
        thread_id=row[1],
        scope=row[2],
        content_hash=row[3],
        comment_keys=json.loads(row[4]),
        new_comment_count=row[5],
        is_delta=bool(row[6]),
        text=row[7],
        body=json.loads(row[8]),
        created_at=row[9],
        posted_at=row[10],
        channel_id=row[11],
        message_id=row[12],
        message_url=row[13],
    )


async def last_posted_digest(store: Store, thread_id: str, scope: str) -> DigestRow | None:
    rows = await store.fetch_all(
        f"SELECT {_DIGEST_COLUMNS} FROM digests WHERE thread_id = ? AND scope = ? AND posted_at IS NOT NULL "
        "ORDER BY id DESC LIMIT 1",
        (thread_id, scope),
    )
    return _digest_row(rows[0]) if rows else None


async def unposted_digest(
    store: Store, thread_id: str, scope: str, content_hash: str, after_id: int
) -> DigestRow | None:
    """A digest already made for exactly this content (and baseline) but not yet posted."""
    rows = await store.fetch_all(
        f"SELECT {_DIGEST_COLUMNS} FROM digests WHERE thread_id = ? AND scope = ? AND content_hash = ? "
        "AND posted_at IS NULL AND id > ? ORDER BY id DESC LIMIT 1",
        (thread_id, scope, content_hash, after_id),
    )
    return _digest_row(rows[0]) if rows else None


async def get_digest(store: Store, digest_id: int) -> DigestRow | None:
    rows = await store.fetch_all(f"SELECT {_DIGEST_COLUMNS} FROM digests WHERE id = ?", (digest_id,))
    return _digest_row(rows[0]) if rows else None


async def insert_digest(
    store: Store,
    thread_id: str,
    scope: str,
    content_hash: str,
    comment_keys: list[str],
    new_comment_count: int,
    is_delta: bool,
    text: str,
    body: dict,
) -> tuple[int, str]:
    """Store a new (unposted) digest, replacing older unposted ones of the thread: they were never
    seen, and the new one covers everything they did."""
    stamp = now_iso()
    rowids = await store.write_all(
        [
            (
                "DELETE FROM digests WHERE thread_id = ? AND scope = ? AND posted_at IS NULL",
                (thread_id, scope),
            ),
            (
                "INSERT INTO digests (thread_id, scope, content_hash, comment_keys, new_comment_count, "
                "is_delta, text, "
                "body_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    thread_id,
                    scope,
                    content_hash,
                    json.dumps(comment_keys),
                    new_comment_count,
                    int(is_delta),
                    text,
                    json.dumps(body, ensure_ascii=False),
                    stamp,
                ),
            ),
        ]
    )
    return int(rowids[1]), stamp


async def set_digest_posted(
    store: Store, digest_id: int, channel_id: str | None, message_id: str | None, message_url: str | None
) -> str:
    stamp = now_iso()
    await store.write_all(
        [
            (
                "UPDATE digests SET posted_at = ?, channel_id = ?, message_id = ?, message_url = ? "
                "WHERE id = ?",
                (stamp, channel_id, message_id, message_url, digest_id),
            ),
        ]
    )
    return stamp
