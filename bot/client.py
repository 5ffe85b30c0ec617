"""The threadbot Discord client: a `commands.Bot` holding the library, loading one cog per feature.

Resources (library, config) are created by the caller (`bot/runner.py`, or a test) and passed in;
the bot owns none of them, so nothing here is a module global.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.errors import ThreadbotTree
from bot.keyed_locks import KeyedLocks
from bot.ratelimit import RateLimiter
from indexing.answers.engine import AnswerEngine
from indexing.config import DiscordConfig, FetchConfig
from indexing.library import ThreadLibrary

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.cogs.ask",
    "bot.cogs.mentions",
    "bot.cogs.summary",
    "bot.cogs.quotes",
    "bot.cogs.threads",
    "bot.cogs.uploads",
    "bot.cogs.admin",
    "bot.cogs.watch",
    "bot.cogs.follow",
    "bot.cogs.discussions",
)

# A worker (`threadbot worker`) has no gateway connection: it polls and posts, nothing else.
WORKER_EXTENSIONS = ("bot.cogs.watch", "bot.cogs.follow")

MESSAGE_CONTENT_MISSING = (
    "The Message Content intent is not enabled for this bot, so it cannot read messages: questions "
    'by mention and attachments posted in the upload channel are ignored. Enable "Message Content '
    'Intent" under Bot > Privileged Gateway Intents in the Discord developer portal, then restart.'
)


def bot_intents() -> discord.Intents:
    """Guilds and messages; message content for mentions, the upload channel and the server's
    conversation (discussion threads, channel summaries) (privileged:
    switched off at start-up if the application does not have it, instead of failing to connect)."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True
    return intents


class ThreadBot(commands.Bot):
    def __init__(
        self,
        library: ThreadLibrary,
        config: DiscordConfig,
        answers: AnswerEngine | None = None,
        fetch: FetchConfig | None = None,
        *,
        worker: bool = False,
        **options,
    ):
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=options.pop("intents", bot_intents()),
            tree_cls=ThreadbotTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.library = library
        self.answers = answers or AnswerEngine(library)
        self.config = config
        self.fetch = fetch or FetchConfig()  # for `/upload url:`
        self.question_limiter = RateLimiter(config.rate_limit_count, config.rate_limit_seconds)
        self.message_content_enabled = True
        self.digest_locks = KeyedLocks()  # one digest post at a time per thread in this process
        # No gateway: no cache of guilds and channels, so they are fetched over REST when needed.
        self.worker = worker

    async def setup_hook(self) -> None:
        flags = self.application_flags
        if self.intents.message_content and not (
            flags.gateway_message_content or flags.gateway_message_content_limited
        ):
            log.warning(MESSAGE_CONTENT_MISSING)
            # Asking for a privileged intent the application lacks makes Discord refuse the
            # connection (close code 4014); run without it and explain instead.
            self._connection._intents.message_content = False
            self.message_content_enabled = False
        for extension in WORKER_EXTENSIONS if self.worker else EXTENSIONS:
            await self.load_extension(extension)

    @property
    def polls(self) -> bool:
        """Whether this process runs the background loops (watched folders, followed threads)."""
        return self.worker or self.config.background == "here"

    async def on_ready(self) -> None:
        log.info(
            "connected as %s (id %s) to %d guild(s)%s%s",
            self.user,
            self.user.id if self.user else "?",
            len(self.guilds),
            f" on shards {list(self.config.shard_ids or range(self.config.shard_count))} of {self.config.shard_count}"
            if self.config.shard_count else "",
            "" if self.polls else "; a threadbot worker polls folders and followed threads",
        )

    async def served_guilds(self) -> list[discord.abc.Snowflake]:
        """The guilds this process polls for: those on its shards (from the gateway), or, in a
        worker, every guild the bot is in (over REST)."""
        if not self.worker:
            return list(self.guilds)
        return [guild async for guild in self.fetch_guilds(limit=None)]

    async def channel_in(self, guild_id: int, channel_id: int | None) -> discord.abc.Messageable | None:
        """One of the guild's channels (digest channels are text channels), or None when it is gone
        or belongs to another guild: from the gateway's cache, or fetched over REST in a worker."""
        if not channel_id:
            return None
        channel = self.get_channel(channel_id)
        if channel is None and self.worker:
            try:
                channel = await self.fetch_channel(channel_id)
            except (discord.NotFound, discord.Forbidden):
                return None
        guild = getattr(channel, "guild", None)
        if guild is None or guild.id != guild_id or not isinstance(channel, discord.abc.Messageable):
            return None
        return channel

    async def on_message(self, message: discord.Message) -> None:
        """No text commands: mentions and uploads are handled by their cogs' listeners."""


class ShardedThreadBot(ThreadBot, commands.AutoShardedBot):
    """The same bot on some of the shards: `shard_ids` of `shard_count` (discord.py opens one
    gateway connection per shard, and Discord sends each guild's events to its shard only)."""


def make_bot(library: ThreadLibrary, config: DiscordConfig, answers: AnswerEngine | None = None,
             fetch: FetchConfig | None = None, **options) -> ThreadBot:
    """A ThreadBot, sharded when the config says so (a gateway-less worker never is)."""
    if config.shard_count is None or options.get("worker"):
        return ThreadBot(library, config, answers, fetch, **options)
    shard_ids = list(config.shard_ids) if config.shard_ids is not None else None
    return ShardedThreadBot(library, config, answers, fetch, shard_ids=shard_ids, shard_count=config.shard_count,
                            **options)
