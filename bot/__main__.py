"""Start the bot: `threadbot run` (or `python -m bot`); sync slash commands: `threadbot sync-commands`.

Resources (the library with its embedding model and database, the guild settings) are created here
under `async with` and handed to the bot, which owns none of them.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from contextlib import asynccontextmanager

import discord

from indexing.answer import AnswerEngine
from indexing.config import Settings
from indexing.embed import load_embedder
from indexing.errors import ThreadbotError
from indexing.library import ThreadLibrary
from indexing.llm import ChatClient, llm_config

from .client import ThreadBot
from .guild_settings import GuildSettingsStore
from .settings import load_bot_settings

log = logging.getLogger(__name__)


@asynccontextmanager
async def open_bot(settings: Settings, *, with_model: bool = True):
    bot_settings = load_bot_settings(settings)
    # Loading the model takes seconds of CPU: do it before connecting, off the event loop.
    embedder = None
    if with_model:
        embedder = await asyncio.to_thread(load_embedder, settings.model_path, settings.embed_backend)
    llm = llm_config(settings.section("llm"))
    async with await ThreadLibrary.open(settings.db_path, embedder, bot_settings.max_upload_bytes) as library:
        if with_model:
            await library.warm_up()  # before the gateway connects: no load stalls once serving
        answers = AnswerEngine(library, llm=ChatClient(llm) if llm else None)
        async with await GuildSettingsStore.open(settings.db_path) as guild_settings:
            async with ThreadBot(library, guild_settings, bot_settings, answers) as bot:
                yield bot


async def run_bot(settings: Settings) -> int:
    """Connect and serve until interrupted. The token is passed to discord.py, never logged."""
    token = load_bot_settings(settings).require_token()
    async with open_bot(settings) as bot:
        try:
            await bot.start(token)
        except discord.LoginFailure as exc:
            raise ThreadbotError("Discord refused the bot token (check DISCORD_TOKEN or [discord] token)") from exc
        except discord.PrivilegedIntentsRequired as exc:
            raise ThreadbotError(
                "Discord refused a privileged intent: enable Message Content Intent for the bot in the developer portal"
            ) from exc
    return 0


async def sync_commands(settings: Settings, guild_id: int | None = None) -> list[str]:
    """Register the slash commands with Discord: in one guild (instant) or globally (up to an hour)."""
    token = load_bot_settings(settings).require_token()
    async with open_bot(settings, with_model=False) as bot:
        try:
            await bot.login(token)
        except discord.LoginFailure as exc:
            raise ThreadbotError("Discord refused the bot token (check DISCORD_TOKEN or [discord] token)") from exc
        if guild_id is None:
            synced = await bot.tree.sync()
        else:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
    return [command.name for command in synced]


def main(argv: list[str] | None = None) -> int:
    from indexing.cli import main as cli_main

    # `python -m bot [--db PATH] [--config FILE]` is `threadbot [--db PATH] [--config FILE] run`.
    return cli_main([*(argv if argv is not None else sys.argv[1:]), "run"])


if __name__ == "__main__":
    sys.exit(main())
