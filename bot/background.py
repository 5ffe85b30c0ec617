"""Cogs with a background loop (the watched folders, followed threads): a `discord.ext.tasks` loop
named `loop` that starts once the bot is connected and stops when the cog is unloaded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord.ext import commands, tasks

if TYPE_CHECKING:
    from bot.client import ThreadBot


class BackgroundCog(commands.Cog):
    """Subclasses define `loop` with `@tasks.loop(...)` (and may change its interval in __init__)."""

    loop: tasks.Loop[Any]
    bot: ThreadBot

    async def cog_unload(self) -> None:
        self.loop.cancel()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Started once connected (not at load): `sync-commands` loads the cogs but never connects.
        # on_ready comes again after a reconnect: the loop is started once.
        if self.bot.polls and not self.loop.is_running():  # with background = "worker", the worker polls
            self.loop.start()
