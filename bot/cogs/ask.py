"""/ask: an answer with numbered citations, from the library's answer engine; with `since:` or
`last:`, from the channel's recent conversation read on demand (see bot/channel_summaries.py)."""

from __future__ import annotations

import dataclasses
import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.channel_summaries import LastOption, SinceOption, channel_answer
from bot.citations import citation_lines, hidden_passages, server_sources, without_refs
from bot.client import ThreadBot
from bot.lookup import resolve_thread, thread_autocomplete
from bot.render import answer_embeds
from bot.replies import defer, followup_embeds
from bot.scopes import scope_of
from indexing.answers.engine import Answer
from indexing.records import ThreadInfo


async def channel_thread(bot: ThreadBot, scope: str, channel_id: int | None) -> ThreadInfo | None:
    """The news thread a channel is about: the one whose discussion thread it is (or the listened
    channel's own), else the only thread whose digests were posted there."""
    if channel_id is None:
        return None
    attached = await bot.library.conversations.channel(scope, channel_id)
    if attached is not None:
        return await bot.library.thread_info(attached.thread_id, scope)
    posted = await bot.library.digests.threads_posted_in(channel_id, scope)
    return await bot.library.thread_info(posted[0], scope) if len(posted) == 1 else None


async def visible_answer(bot: ThreadBot, scope: str, answer: Answer, guild: discord.Guild | None,
                         reader: discord.abc.User | None) -> Answer:
    """The answer without what cites a server message from a channel `reader` cannot read."""
    if reader is None:
        return answer
    sources = await server_sources(bot.library, scope, [c.passage_id for c in answer.citations])
    gone = hidden_passages(sources, guild, reader)
    hidden = {c.ref for c in answer.citations if c.passage_id in gone}
    if not hidden:
        return answer
    text = without_refs(answer.answer, hidden)
    citations = [c for c in answer.citations if c.ref not in hidden]
    if not re.search(r"\[\d+\]", text) or not citations:  # nothing cited is left to show
        return dataclasses.replace(answer, answered=False, citations=[],
                                   answer="I found nothing on that in what you can read here.")
    return dataclasses.replace(answer, answer=text, citations=citations)


async def answer_question(bot: ThreadBot, scope: str, question: str, thread: str | None = None,
                          channel_id: int | None = None, *, guild: discord.Guild | None = None,
                          reader: discord.abc.User | None = None) -> list[discord.Embed]:
    """Ask the library and render its answer; shared by /ask and questions by mention. Asked with no
    thread in a channel about one thread (its discussion thread, or where only its digests were
    posted), the question is about that one. Citations of server messages from channels `reader`
    cannot read are left out."""
    info = await resolve_thread(bot.library, scope, thread)
    if info is None:
        info = await channel_thread(bot, scope, channel_id)
    answer: Answer = await bot.answers.ask(question, thread_id=info.id if info else None, scope=scope)
    answer = await visible_answer(bot, scope, answer, guild, reader)
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
        thread="only this thread (default: this channel's thread, else every thread of this server)",
        since="answer from this channel's messages since then: 2h, 1d, or a message link",
        last="answer from this channel's last N messages",
    )
    @app_commands.autocomplete(thread=thread_autocomplete)
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 500],
        thread: str | None = None,
        since: SinceOption | None = None,
        last: LastOption | None = None,
    ) -> None:
        """Ask a question about this server's threads (or this channel's conversation); the answer cites its sources."""
        scope = scope_of(interaction.guild_id)
        self.bot.question_limiter.hit(interaction.user.id)
        await defer(interaction)
        if since or last:
            embeds = await channel_answer(self.bot, interaction, question, since, last)
        else:
            embeds = await answer_question(self.bot, scope, question, thread, channel_id=interaction.channel_id,
                                           guild=interaction.guild, reader=interaction.user)
        await followup_embeds(interaction, embeds)


async def setup(bot: ThreadBot) -> None:
    await bot.add_cog(Ask(bot))
