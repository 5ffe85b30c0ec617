"""/summary and /digest: what the article says and what readers say, from the library's summariser."""

from __future__ import annotations

import dataclasses
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.citations import citation_lines
from bot.client import ThreadBot
from bot.digests import digest_embeds, record_post
from bot.lookup import resolve_thread, thread_autocomplete
from bot.render import embed_pages, escape, escape_cited, renumber, sources_blocks, web_link
from bot.replies import defer, followup_embeds
from bot.scopes import scope_of
from indexing.errors import NotFoundError
from indexing.records import ThreadInfo
from indexing.summaries.digest import make_digest
from indexing.summaries.summarize import ThreadSummary, summarize
from indexing.text.shorten import truncate


async def pick_thread(bot: ThreadBot, scope: str, value: str | None) -> ThreadInfo:
    """The named thread, or the most recently updated one in this guild."""
    info = await resolve_thread(bot.library, scope, value)
    if info is not None:
        return info
    threads = await bot.library.threads(scope=scope)
    if not threads:
        raise NotFoundError("no threads in this server yet: upload one with /upload")
    return max(threads, key=lambda t: t.updated_at)


def summary_blocks(summary: ThreadSummary) -> tuple[list[str], list]:
    """Blocks of text for a ThreadSummary; article and discussion citations numbered in one sequence."""
    blocks: list[str] = []
    citations = []
    if summary.article is not None:
        blocks += ["**What the article says**", escape_cited(summary.article.text)]
        citations += summary.article.citations
    if summary.discussion is not None:
        d = summary.discussion
        offset = len(citations)
        blocks += ["**What readers say**", escape_cited(renumber(d.text, offset))]
        for theme in d.themes:
            quote = theme.representative[0] if theme.representative else None
            line = f"• **{escape(truncate(theme.label, 80))}**: {theme.comment_count} comments"
            if quote is not None:
                said = escape(truncate(" ".join(quote.text.split()), 200))
                line += f"\n> {said}\n> *{escape(quote.author or 'anonymous')}*"
            blocks.append(line)
        if d.off_topic_count:
            blocks.append(f"Off-topic or unrelated: {d.off_topic_count} comments.")
        citations += [dataclasses.replace(c, ref=renumber(c.ref, offset)) for c in d.citations]
    if not blocks:
        blocks.append("The thread has neither article text nor comments.")
    return blocks, citations


class Summary(commands.Cog):
    def __init__(self, bot: ThreadBot):
        self.bot = bot

    @app_commands.command(name="summary")
    @app_commands.guild_only()
    @app_commands.describe(
        thread="which thread (default: the most recent one)",
        length="short (1-2 sentences), medium (3-5) or long (6-10)",
    )
    @app_commands.autocomplete(thread=thread_autocomplete)
    async def summary(
        self,
        interaction: discord.Interaction,
        thread: str | None = None,
        length: Literal["short", "medium", "long"] = "medium",
    ) -> None:
        """Summarise a thread: what the article says, and what readers say about it."""
        scope = scope_of(interaction.guild_id)
        self.bot.question_limiter.hit(interaction.user.id)
        await defer(interaction)
        info = await pick_thread(self.bot, scope, thread)
        result = await summarize(self.bot.library, info.id, scope, length, llm=self.bot.answers.llm)
        blocks, citations = summary_blocks(result)
        lines = await citation_lines(self.bot.library, scope, citations)
        embeds = embed_pages(
            f"Summary: {info.title}",
            blocks + sources_blocks(lines),
            url=web_link(info.url),
            footer=f"{info.comments} comments · {length} summary · {result.mode}",
        )
        await followup_embeds(interaction, embeds)

    @app_commands.command(name="digest")
    @app_commands.guild_only()
    @app_commands.describe(thread="which thread (default: the most recent one)")
    @app_commands.autocomplete(thread=thread_autocomplete)
    async def digest(self, interaction: discord.Interaction, thread: str | None = None) -> None:
        """Show a thread's latest digest again (a new one if comments arrived since the last)."""
        scope = scope_of(interaction.guild_id)
        await defer(interaction)
        info = await pick_thread(self.bot, scope, thread)
        digest = await make_digest(self.bot.library, info.id, scope)
        sent = await followup_embeds(interaction, await digest_embeds(self.bot, info, digest))
        if not digest.already_posted:  # new comments made a fresh digest: it has now been posted here
            await record_post(self.bot, digest, sent[0])


async def setup(bot: ThreadBot) -> None:
    await bot.add_cog(Summary(bot))
