"""Per-guild settings (digest channel, upload channel, watched folder) and the digests already posted.

The tables come from migration 4 in `indexing/migrations.py` (the library owns the schema; the
Store has run the migrations before this opens). The bot keeps its own small connection to the
same SQLite file: WAL lets it write these tiny rows while the library indexes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

BUSY_TIMEOUT_MS = 30_000


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class GuildSettings:
    guild_id: str
    digest_channel_id: int | None = None
    upload_channel_id: int | None = None
    watch_dir: str | None = None


@dataclass(frozen=True)
class DigestPost:
    scope: str
    thread_id: str
    content_hash: str
    channel_id: int
    message_id: int
    jump_url: str
    posted_at: str


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value else None


class GuildSettingsStore:
    """Open with `await GuildSettingsStore.open(db_path)` after the library has opened (migrated) it."""

    _SETTABLE = ("digest_channel_id", "upload_channel_id", "watch_dir")

    def __init__(self, db: aiosqlite.Connection):
        self._db = db
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, db_path: str | Path) -> GuildSettingsStore:
        db = await aiosqlite.connect(str(db_path), isolation_level=None)
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await db.execute("PRAGMA foreign_keys = ON")
        return cls(db)

    async def close(self) -> None:
        await self._db.close()

    async def __aenter__(self) -> GuildSettingsStore:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()

    # ---- settings ----------------------------------------------------------------------------
    async def get(self, guild_id: int | str) -> GuildSettings:
        sql = "SELECT digest_channel_id, upload_channel_id, watch_dir FROM guild_settings WHERE guild_id = ?"
        async with self._db.execute(sql, (str(guild_id),)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return GuildSettings(str(guild_id))
        return GuildSettings(str(guild_id), _int_or_none(row[0]), _int_or_none(row[1]), row[2])

    async def all(self) -> list[GuildSettings]:
        sql = (
            "SELECT guild_id, digest_channel_id, upload_channel_id, watch_dir FROM guild_settings "
            "ORDER BY guild_id"
        )
        async with self._db.execute(sql) as cursor:
            rows = await cursor.fetchall()
        return [GuildSettings(r[0], _int_or_none(r[1]), _int_or_none(r[2]), r[3]) for r in rows]

    async def set(self, guild_id: int | str, column: str, value: int | str | None) -> GuildSettings:
        """Set one setting (None clears it)."""
        if column not in self._SETTABLE:
            raise ValueError(f"unknown guild setting {column}")
        stored = None if value is None else str(value)
        async with self._lock:
            await self._db.execute(
                f"INSERT INTO guild_settings (guild_id, {column}, updated_at) VALUES (?, ?, ?) "
                f"ON CONFLICT (guild_id) DO UPDATE SET {column} = excluded.{column}, "
                "updated_at = excluded.updated_at",
                (str(guild_id), stored, now_iso()),
            )
        return await self.get(guild_id)

    # ---- posted digests ------------------------------------------------------------------------
    async def record_digest(
        self, scope: str, thread_id: str, content_hash: str, channel_id: int, message_id: int, jump_url: str
    ) -> None:
        async with self._lock:
            await self._db.execute(
                "INSERT INTO digest_posts (scope, thread_id, content_hash, channel_id, message_id, jump_url, "
                "posted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (scope, thread_id, content_hash, str(channel_id), str(message_id), jump_url, now_iso()),
            )

    async def digest_posted(self, thread_id: str, content_hash: str) -> bool:
        sql = "SELECT 1 FROM digest_posts WHERE thread_id = ? AND content_hash = ? LIMIT 1"
        async with self._db.execute(sql, (thread_id, content_hash)) as cursor:
            return await cursor.fetchone() is not None

    async def latest_digests(self, scope: str) -> dict[str, DigestPost]:
        """The most recent digest message per thread of a guild: citations link to it."""
        sql = (
            "SELECT scope, thread_id, content_hash, channel_id, message_id, jump_url, posted_at "
            "FROM digest_posts WHERE scope = ? ORDER BY id"
        )
        async with self._db.execute(sql, (scope,)) as cursor:
            rows = await cursor.fetchall()
        return {r[1]: DigestPost(r[0], r[1], r[2], int(r[3]), int(r[4]), r[5], r[6]) for r in rows}
