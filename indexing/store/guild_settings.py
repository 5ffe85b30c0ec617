"""A Discord server's own settings (migrations 4, 9 and 10): digest channel, upload channel, watched
folder, the discussion threads opened under digests (on or off, their auto-archive duration), and
whether digests and summaries carry a chart."""

from __future__ import annotations

import aiosqlite

from ..records import GuildSettingName, GuildSettings
from .transactions import now_iso

SETTABLE: tuple[GuildSettingName, ...] = ("digest_channel_id", "upload_channel_id", "watch_dir",
                                          "discussion_threads", "discussion_archive_minutes", "charts")
_COLUMNS = ("guild_id, digest_channel_id, upload_channel_id, watch_dir, discussion_threads, "
            "discussion_archive_minutes, charts")
_DEFAULT = GuildSettings("")


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value else None


def _flag(value: str | None, default: bool) -> bool:
    return default if value is None else bool(int(value))


def settings_from_row(row: tuple) -> GuildSettings:
    threads = _flag(row[4], _DEFAULT.discussion_threads)
    minutes = _int_or_none(row[5]) or _DEFAULT.discussion_archive_minutes
    return GuildSettings(str(row[0]), _int_or_none(row[1]), _int_or_none(row[2]), row[3], threads, minutes,
                         _flag(row[6], _DEFAULT.charts))


def setting_value(value: int | str | bool | None) -> str | None:
    """The stored spelling of a setting: text (a flag as "0" or "1"), or None to clear it."""
    return None if value is None else str(int(value) if isinstance(value, bool) else value)


async def read_settings(db: aiosqlite.Connection, guild_id: str) -> GuildSettings:
    async with db.execute(f"SELECT {_COLUMNS} FROM guild_settings WHERE guild_id = ?", (guild_id,)) as cursor:
        row = await cursor.fetchone()
    return GuildSettings(guild_id) if row is None else settings_from_row(tuple(row))


async def read_all_settings(db: aiosqlite.Connection) -> list[GuildSettings]:
    async with db.execute(f"SELECT {_COLUMNS} FROM guild_settings ORDER BY guild_id") as cursor:
        return [settings_from_row(tuple(row)) for row in await cursor.fetchall()]


async def write_setting(db: aiosqlite.Connection, guild_id: str, name: GuildSettingName,
                        value: int | str | bool | None) -> None:
    """Set one setting (None clears it), inside the caller's transaction."""
    if name not in SETTABLE:
        raise ValueError(f"unknown guild setting {name}")
    stored = setting_value(value)
    await db.execute(
        f"INSERT INTO guild_settings (guild_id, {name}, updated_at) VALUES (?, ?, ?) "
        f"ON CONFLICT (guild_id) DO UPDATE SET {name} = excluded.{name}, updated_at = excluded.updated_at",
        (guild_id, stored, now_iso()))
