"""The threadbot Discord client: a `commands.Bot` holding the library, loading one cog per feature.

Resources (library, config) are created by the caller (`bot/runner.py`, or a test) and passed in;
the bot owns none of them, so nothing here is a module global.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands

from bot.errors import ThreadbotTree
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
        self.digest_locks: dict[str, asyncio.Lock] = {}

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
        for extension in EXTENSIONS:
            await self.load_extension(extension)

    async def on_ready(self) -> None:
        log.info(
            "connected as %s (id %s) to %d guild(s)",
            self.user,
            self.user.id if self.user else "?",
            len(self.guilds),
        )

    async def on_message(self, message: discord.Message) -> None:
        """No text commands: mentions and uploads are handled by their cogs' listeners."""
