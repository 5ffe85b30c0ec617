"""Questions by mention: "@threadbot what did Peskov say?" is answered like /ask, in a reply."""

from __future__ import annotations

import logging
import re

import discord
from discord.ext import commands

from bot.client import MESSAGE_CONTENT_MISSING, ThreadBot
from bot.cogs.ask import answer_question
from bot.errors import UNEXPECTED, user_message
from bot.ratelimit import RateLimited
from bot.replies import send_embeds, send_text
from bot.scopes import scope_of
from indexing.errors import ThreadbotError

log = logging.getLogger(__name__)

USAGE = "Ask me something about this server's threads, e.g. “@threadbot what did Peskov say?”"


def question_from(content: str, bot_id: int) -> str:
    return " ".join(re.sub(rf"<@!?{bot_id}>", " ", content).split())


class Mentions(commands.Cog):
    def __init__(self, bot: ThreadBot):
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if message.guild is None or message.author.bot or me is None or me not in message.mentions:
            return
        question = question_from(message.content, me.id)
        if not question:
            text = USAGE if self.bot.message_content_enabled else MESSAGE_CONTENT_MISSING
            await send_text(message.channel, text, reference=message)
            return
        try:
            self.bot.question_limiter.hit(message.author.id)
            async with message.channel.typing():
                embeds = await answer_question(self.bot, scope_of(message.guild.id), question,
                                               channel_id=message.channel.id, guild=message.guild,
                                               reader=message.author)
        except (ThreadbotError, RateLimited) as exc:
            reply = user_message(exc)
            assert reply is not None  # both are expected failures, which have a message
            await send_text(message.channel, reply, reference=message)
            return
        except Exception:
            log.exception("answering a mention failed")
            await send_text(message.channel, UNEXPECTED, reference=message)
            return
        await send_embeds(message.channel, embeds, reference=message)


async def setup(bot: ThreadBot) -> None:
    await bot.add_cog(Mentions(bot))
