"""Start the bot (`threadbot run`, on some shards or all), the gateway-less worker (`threadbot
worker`), and sync the slash commands (`threadbot sync-commands`).

Resources (the library with its embedding model and database, the answer engine) are created here
under `async with` and handed to the bot, which owns none of them.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import aiohttp
import discord

from bot.client import ThreadBot, make_bot
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
                   make_embedder: Callable[[IndexConfig], Embedder] | None = None,
                   worker: bool = False) -> AsyncIterator[ThreadBot]:
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
        async with make_bot(library, config.discord, answers, fetch=config.fetch, worker=worker) as bot:
            yield bot


async def run_bot(config: Config, make_embedder: Callable[[IndexConfig], Embedder] | None = None) -> int:
    """Connect and serve until interrupted (SIGINT, or SIGTERM as systemd and docker stop a
    process: the bot closes its gateway connection, then the library saves and closes). The token
    is passed to discord.py, never logged."""
    token = config.discord.require_token()
    async with open_bot(config, make_embedder=make_embedder) as bot:
        loop = asyncio.get_running_loop()
        closing: list[asyncio.Task] = []  # held: a task nobody references may be collected mid-close
        loop.add_signal_handler(signal.SIGTERM, lambda: closing.append(loop.create_task(bot.close())))
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
        finally:
            loop.remove_signal_handler(signal.SIGTERM)
            if closing:
                await asyncio.gather(*closing)
                log.info("stopped on SIGTERM")
    return 0


# What discord.py raises when Discord cannot be reached at all (no network, DNS, a firewall, an
# outage): aiohttp's connection errors are OSErrors; a 5xx on login is an HTTPException.
UNREACHABLE = (OSError, aiohttp.ClientError, asyncio.TimeoutError, discord.GatewayNotFound, discord.DiscordServerError)


def unreachable(exc: BaseException) -> str:
    detail = " ".join(str(exc).split())[:200] or type(exc).__name__
    return f"cannot reach Discord ({detail}): check the network, then run the bot again"


async def login(bot: ThreadBot, token: str) -> None:
    """Log in over REST only (no gateway connection), with Discord's refusals as one clear line."""
    try:
        await bot.login(token)
    except discord.LoginFailure as exc:
        raise ThreadbotError(TOKEN_REFUSED) from exc
    except UNREACHABLE as exc:
        raise ThreadbotError(unreachable(exc)) from exc


async def run_worker(config: Config, make_embedder: Callable[[IndexConfig], Embedder] | None = None) -> int:
    """Poll the watched folders and followed threads of every guild, and post their digests over
    Discord's REST API, until interrupted (SIGINT or SIGTERM): no gateway connection, no commands."""
    token = config.discord.require_token()
    if config.discord.background == "here":
        log.warning('[discord] background is "here": the bot processes poll too (each digest still goes out '
                    'once); set background = "worker" so that they only answer')
    async with open_bot(config, make_embedder=make_embedder, worker=True) as bot:
        await login(bot, token)
        cogs = [bot.get_cog(name) for name in ("Watch", "Following")]
        for cog in cogs:
            cog.loop.start()  # type: ignore[union-attr]  # both loaded by setup_hook in login
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        log.info("worker polling the watched folders and followed threads of every guild")
        try:
            await stop.wait()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            for cog in cogs:
                cog.loop.cancel()  # type: ignore[union-attr]
    return 0


async def sync_commands(config: Config, guild_id: int | None = None) -> list[str]:
    """Register the slash commands with Discord: in one guild (instant) or globally (up to an hour)."""
    token = config.discord.require_token()
    async with open_bot(config, with_model=False) as bot:
        await login(bot, token)
        if guild_id is None:
            synced = await bot.tree.sync()
        else:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
    return [command.name for command in synced]
