"""Start the bot (`threadbot run`) and sync its slash commands (`threadbot sync-commands`).

Resources (the library with its embedding model and database, the answer engine) are created here
under `async with` and handed to the bot, which owns none of them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import aiohttp
import discord

from bot.client import ThreadBot
from indexing.answers import AnswerEngine
from indexing.chat import ChatClient
from indexing.config import Config, IndexConfig
from indexing.embed import Embedder, load_embedder
from indexing.errors import ThreadbotError
from indexing.library import ThreadLibrary

log = logging.getLogger(__name__)

TOKEN_REFUSED = "Discord refused the bot token (check DISCORD_TOKEN or [discord] token)"


@asynccontextmanager
async def open_bot(config: Config, *, with_model: bool = True,
                   make_embedder: Callable[[IndexConfig], Embedder] | None = None) -> AsyncIterator[ThreadBot]:
    index = config.index
    # Loading the model takes seconds of CPU: do it before connecting, off the event loop.
    embedder = None
    if with_model:
        factory = make_embedder or (lambda c: load_embedder(c.model_path, c.backend, c.cache_dir))
        embedder = await asyncio.to_thread(factory, index)
    async with await ThreadLibrary.from_config(index, embedder) as library:
        if with_model:
            await library.warm_up()  # before the gateway connects: no load stalls once serving
        answers = AnswerEngine(library, llm=ChatClient(config.llm) if config.llm else None)
        async with ThreadBot(library, config.discord, answers, fetch=config.fetch) as bot:
            yield bot


async def run_bot(config: Config, make_embedder: Callable[[IndexConfig], Embedder] | None = None) -> int:
    """Connect and serve until interrupted. The token is passed to discord.py, never logged."""
    token = config.discord.require_token()
    async with open_bot(config, make_embedder=make_embedder) as bot:
        try:
            await bot.start(token)
        except discord.LoginFailure as exc:
            raise ThreadbotError(TOKEN_REFUSED) from exc
        except discord.PrivilegedIntentsRequired as exc:
            raise ThreadbotError(
                "Discord refused a privileged intent: enable Message Content Intent for the bot in the developer portal"
            ) from exc
        except UNREACHABLE as exc:
            raise ThreadbotError(unreachable(exc)) from exc
    return 0


# What discord.py raises when Discord cannot be reached at all (no network, DNS, a firewall, an
# outage): aiohttp's connection errors are OSErrors; a 5xx on login is an HTTPException.
UNREACHABLE = (OSError, aiohttp.ClientError, asyncio.TimeoutError, discord.GatewayNotFound, discord.DiscordServerError)


def unreachable(exc: BaseException) -> str:
    detail = " ".join(str(exc).split())[:200] or type(exc).__name__
    return f"cannot reach Discord ({detail}): check the network, then run the bot again"


async def sync_commands(config: Config, guild_id: int | None = None) -> list[str]:
    """Register the slash commands with Discord: in one guild (instant) or globally (up to an hour)."""
    token = config.discord.require_token()
    async with open_bot(config, with_model=False) as bot:
        try:
            await bot.login(token)
        except discord.LoginFailure as exc:
            raise ThreadbotError(TOKEN_REFUSED) from exc
        except UNREACHABLE as exc:
            raise ThreadbotError(unreachable(exc)) from exc
        if guild_id is None:
            synced = await bot.tree.sync()
        else:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
    return [command.name for command in synced]
