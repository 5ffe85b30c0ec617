"""The watched folder: a new or changed thread file there is indexed and its digest posted, once.

Folders come from the config file (`[discord] watch_dir`, indexed for every guild) and from
`/config watch-folder` (one guild: its own folder inside `[discord] watch_root`, see
bot/watch_folders.py); a scan never follows a link out of its folder. The scan compares each file's
size and modification time with the last scan; files that look new go through the library, whose
content hash decides whether anything changed, and a digest is posted only for content that has no
digest yet (recorded in the database, so a restart does not post again). A file counts as seen only
once it is indexed, or refused for a reason of its own (logged); a transient failure (a full disk,
a locked database) leaves it to the next pass.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import discord
from discord.ext import tasks

from bot.background import BackgroundCog
from bot.client import ThreadBot
from bot.digests import publish_file_digests
from bot.scopes import scope_of
from bot.watch_folders import own_folder
from indexing.errors import ConfigError, ParseError, ThreadbotError
from indexing.sources import find_thread_files, parse_file, safe_file_name

log = logging.getLogger(__name__)


Stamp = tuple[int, int]


def _stat(path: Path) -> Stamp | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def changed_files(folder: Path, seen: dict[Path, Stamp]) -> list[tuple[Path, Stamp]]:
    """Files whose size or mtime differ from the last scan (all files on the first scan), with
    their stamps. Nothing is marked seen here: only once a file is indexed (or refused for good)."""
    out = []
    for path in find_thread_files([folder], confine=True):
        stamp = _stat(path)
        if stamp is not None and seen.get(path) != stamp:
            out.append((path, stamp))
    return out


def still_inside(folder: Path, path: Path) -> bool:
    """The file still resolves inside the folder (a link may have replaced it since the scan)."""
    return folder.resolve() in path.resolve().parents


def is_permanent(exc: ParseError) -> bool:
    """A parse error is the file's own fault and comes back until the file changes (its stamp then
    changes, so it is tried again); one that comes from reading the disk may pass."""
    return not isinstance(exc.__cause__, OSError)


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

    async def folders(self, guild: discord.abc.Snowflake) -> list[Path]:
        folders = []
        if self.bot.config.watch_dir is not None:
            folders.append(self.bot.config.watch_dir)
        own = (await self.bot.library.guild_settings(guild.id)).watch_dir
        if own:
            try:  # the operator may have moved watch_root since the folder was chosen
                folders.append(own_folder(self.bot.config.watch_root, guild.id, own))
            except ConfigError as exc:
                log.warning("guild %s: not watching %s: %s", guild.id, own, exc)
        return [f for f in folders if f.is_dir()]

    async def scan(self) -> int:
        """One pass over every guild's folders. Returns the number of files (re)indexed."""
        async with self._lock:
            count = 0
            for guild in await self.bot.served_guilds():
                for folder in await self.folders(guild):
                    seen = self._seen.setdefault((guild.id, str(folder)), {})
                    changed = await asyncio.to_thread(changed_files, folder, seen)
                    for path, stamp in changed:
                        try:
                            count += await self._ingest(guild, folder, path)
                        except ParseError as exc:
                            if not is_permanent(exc):
                                log.warning("watched file %s for guild %s: %s; retried next pass",
                                            path.name, guild.id, exc.reason)
                                continue
                            log.warning("watched file %s for guild %s not indexed: %s", path.name, guild.id,
                                        exc.reason)
                        except ThreadbotError as exc:
                            # A transient failure (a full disk, a database lock, the model): the file
                            # stays unseen, so the next pass tries it again; the others go on.
                            log.warning("watched file %s for guild %s failed: %s; retried next pass", path.name,
                                        guild.id, exc)
                            continue
                        except (OSError, discord.HTTPException):
                            log.exception("watched file %s for guild %s failed; retried next pass", path.name,
                                          guild.id)
                            continue
                        seen[path] = stamp
            return count

    async def _ingest(self, guild: discord.abc.Snowflake, folder: Path, path: Path) -> int:
        if not still_inside(folder, path):
            raise ParseError(safe_file_name(path.name), "a link to a file outside the watched folder")
        threads = await asyncio.to_thread(parse_file, path, self.bot.library.max_bytes)
        scope = scope_of(guild.id)
        results = [await self.bot.library.index_thread(thread, scope) for thread in threads]
        settings = await self.bot.library.guild_settings(guild.id)
        channel = await self.bot.channel_in(guild.id, settings.digest_channel_id)
        if channel is None:
            log.info("indexed %s for guild %s; no digest channel set, so no digest posted", path.name, guild.id)
        elif results:
            await publish_file_digests(self.bot, guild, results, channel)
        return len(results)


async def setup(bot: ThreadBot) -> None:
    await bot.add_cog(Watch(bot))
