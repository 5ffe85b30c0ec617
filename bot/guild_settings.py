"""Per-guild settings: digest channel, upload channel, watched folder.

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
        sql = "SELECT guild_id, digest_channel_id, upload_channel_id, watch_dir FROM guild_settings ORDER BY guild_id"
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
