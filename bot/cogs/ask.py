"""/ask: an answer with numbered citations, from the library's answer engine."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.citations import citation_lines
from bot.client import ThreadBot
from bot.lookup import resolve_thread, thread_autocomplete
from bot.render import answer_embeds
from bot.replies import defer, followup_embeds
from bot.scopes import scope_of
from indexing.answers.engine import Answer


async def answer_question(bot: ThreadBot, scope: str, question: str, thread: str | None = None,
                          channel_id: int | None = None) -> list[discord.Embed]:
    """Ask the library and render its answer; shared by /ask and questions by mention. Asked with no
    thread in a channel where only one thread's digests were posted, the question is about that one."""
    info = await resolve_thread(bot.library, scope, thread)
    if info is None and channel_id is not None:
        posted = await bot.library.threads_posted_in(channel_id, scope)
        if len(posted) == 1:
            info = await bot.library.thread_info(posted[0], scope)
    answer: Answer = await bot.answers.ask(question, thread_id=info.id if info else None, scope=scope)
    lines = await citation_lines(bot.library, scope, answer.citations)
    where = f" · in {info.title[:60]}" if info else ""
    footer = f"{'answer' if answer.answered else 'no answer found'} · {answer.mode}{where}"
    return answer_embeds(question, answer.answer, answer.answered, lines, footer)


class Ask(commands.Cog):
    def __init__(self, bot: ThreadBot):
        self.bot = bot

    @app_commands.command(name="ask")
    @app_commands.guild_only()
    @app_commands.describe(
        question="what you want to know, e.g. “what did Peskov say?”",
        thread="only this thread (default: every thread of this server)",
    )
    @app_commands.autocomplete(thread=thread_autocomplete)
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 500],
        thread: str | None = None,
    ) -> None:
        """Ask a question about this server's threads; the answer cites its sources."""
        scope = scope_of(interaction.guild_id)
        self.bot.question_limiter.hit(interaction.user.id)
        await defer(interaction)
        embeds = await answer_question(self.bot, scope, question, thread, channel_id=interaction.channel_id)
        await followup_embeds(interaction, embeds)


async def setup(bot: ThreadBot) -> None:
    await bot.add_cog(Ask(bot))
