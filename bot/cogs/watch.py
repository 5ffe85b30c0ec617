"""The watched folder: a new or changed thread file there is indexed and its digest posted, once.

Folders come from the config file (`[discord] watch_dir`, indexed for every guild) and from
`/config watch-folder` (one guild, inside `[discord] watch_root`). The scan compares each file's
size and modification time with the last scan; files that look new go through the library, whose
content hash decides whether anything changed, and a digest is posted only for content that has no
digest yet (recorded in the database, so a restart does not post again).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import cast

import discord
from discord.ext import tasks

from bot.background import BackgroundCog
from bot.client import ThreadBot
from bot.digests import publish_file_digests
from bot.scopes import scope_of
from bot.watch_folders import inside_watch_root
from indexing.errors import ConfigError, ThreadbotError
from indexing.sources import find_thread_files

log = logging.getLogger(__name__)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def changed_files(folder: Path, seen: dict[Path, tuple[int, int]]) -> list[Path]:
    """Files whose size or mtime differ from the last scan (all files on the first scan)."""
    out = []
    for path in find_thread_files([folder]):
        stamp = _stat(path)
        if stamp is not None and seen.get(path) != stamp:
            seen[path] = stamp
            out.append(path)
    return out


class Watch(BackgroundCog):
    def __init__(self, bot: ThreadBot):
        self.bot = bot
        self._seen: dict[tuple[int, str], dict[Path, tuple[int, int]]] = {}
        self._lock = asyncio.Lock()
        self.loop.change_interval(seconds=bot.config.watch_interval)

    @tasks.loop(seconds=30)
    async def loop(self) -> None:
        try:
            await self.scan()
        except Exception:
            # The watcher must outlive one bad pass (a full disk, Discord down): log it, and the
            # next pass tries again, instead of the loop stopping for good.
            log.exception("watched-folder scan failed; the next one runs in %.0f s", self.loop.seconds)

    async def folders(self, guild: discord.Guild) -> list[Path]:
        folders = []
        if self.bot.config.watch_dir is not None:
            folders.append(self.bot.config.watch_dir)
        own = (await self.bot.library.guild_settings(guild.id)).watch_dir
        if own:
            try:  # the operator may have moved watch_root since the folder was chosen
                folders.append(inside_watch_root(self.bot.config.watch_root, own))
            except ConfigError as exc:
                log.warning("guild %s: not watching %s: %s", guild.id, own, exc)
        return [f for f in folders if f.is_dir()]

    async def scan(self) -> int:
        """One pass over every guild's folders. Returns the number of files (re)indexed."""
        async with self._lock:
            count = 0
            for guild in self.bot.guilds:
                for folder in await self.folders(guild):
                    seen = self._seen.setdefault((guild.id, str(folder)), {})
                    paths = await asyncio.to_thread(changed_files, folder, seen)
                    for path in paths:
                        try:
                            count += await self._ingest(guild, path)
                        except (ThreadbotError, discord.HTTPException):
                            # One file (or one failed post) must not hold up the others.
                            log.exception("watched file %s for guild %s failed", path.name, guild.id)
            return count

    async def _ingest(self, guild: discord.Guild, path: Path) -> int:
        results, failures = await self.bot.library.index_paths([path], scope=scope_of(guild.id))
        for failure in failures:
            log.warning("watched file %s not indexed: %s", failure.source_file, failure.reason)
        settings = await self.bot.library.guild_settings(guild.id)
        # a text channel: /config digest-channel takes only those
        channel = cast(discord.abc.Messageable | None,
                       guild.get_channel(settings.digest_channel_id) if settings.digest_channel_id else None)
        if channel is None:
            log.info("indexed %s for guild %s; no digest channel set, so no digest posted", path.name, guild.id)
        elif results:
            await publish_file_digests(self.bot, guild, results, channel)
        return len(results)


async def setup(bot: ThreadBot) -> None:
    await bot.add_cog(Watch(bot))
