"""/summary and /digest: what the article says and what readers say, from the library's summariser."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.channel_summaries import LastOption, SinceOption, channel_summary
from bot.charts import chart_file
from bot.citations import citation_lines, hidden_passages, server_sources
from bot.client import ThreadBot
from bot.cogs.ask import channel_thread
from bot.digests import digest_chart, digest_embeds, record_post
from bot.lookup import resolve_thread, thread_autocomplete
from bot.render import embed_pages, sources_blocks, web_link
from bot.replies import defer, followup_embeds
from bot.scopes import scope_of
from bot.summary_blocks import summary_blocks
from indexing.conversations import source_counts
from indexing.errors import NotFoundError
from indexing.records import ThreadInfo
from indexing.summaries.digest import make_digest
from indexing.summaries.summarize import ThreadSummary, summarize
from indexing.text.counts import noun


async def pick_thread(bot: ThreadBot, scope: str, value: str | None) -> ThreadInfo:
    """The named thread, or the most recently updated one in this guild."""
    info = await resolve_thread(bot.library, scope, value)
    if info is not None:
        return info
    threads = await bot.library.threads(scope=scope)
    if not threads:
        raise NotFoundError("no threads in this server yet: upload one with /upload")
    return max(threads, key=lambda t: t.updated_at)


class Summary(commands.Cog):
    def __init__(self, bot: ThreadBot):
        self.bot = bot

    @app_commands.command(name="summary")
    @app_commands.guild_only()
    @app_commands.describe(
        thread="which thread (default: this channel's thread, else the most recent one)",
        length="short (1-2 sentences), medium (3-5) or long (6-10)",
        since="summarise this channel's messages since then instead: 2h, 1d, or a message link",
        last="summarise this channel's last N messages instead",
    )
    @app_commands.autocomplete(thread=thread_autocomplete)
    async def summary(
        self,
        interaction: discord.Interaction,
        thread: str | None = None,
        length: Literal["short", "medium", "long"] = "medium",
        last: LastOption | None = None,
        since: SinceOption | None = None,
    ) -> None:
        """Summarise a thread (article and readers), or this channel's recent conversation."""
        scope = scope_of(interaction.guild_id)
        self.bot.question_limiter.hit(interaction.user.id)
        await defer(interaction)
        info = await resolve_thread(self.bot.library, scope, thread)
        if info is None and not (since or last):
            info = await channel_thread(self.bot, scope, interaction.channel_id)
        if info is None and (since or last or not await self.bot.library.threads(scope=scope)):
            # No news thread here (or a stretch of the channel asked for): its own conversation.
            await followup_embeds(interaction, await channel_summary(self.bot, interaction, since, last, length))
            return
        info = info or await pick_thread(self.bot, scope, None)
        embeds, chart = await self.thread_summary(interaction, scope, info, length)
        await followup_embeds(interaction, embeds, file=chart)

    async def thread_summary(self, interaction: discord.Interaction, scope: str, info: ThreadInfo,
                             length: Literal["short", "medium", "long"]) -> tuple[list[discord.Embed],
                                                                                   discord.File | None]:
        """The summary's embeds, and its chart (None: charts off, or nothing to draw)."""
        result: ThreadSummary = await summarize(self.bot.library, info.id, scope, length, llm=self.bot.answers.llm)
        # Server messages from channels this member cannot read are neither quoted nor cited.
        d = result.discussion
        quoted = [r.passage_id for t in d.themes for r in t.representative] if d else []
        cited = [c.passage_id for c in d.citations] if d else []
        sources = await server_sources(self.bot.library, scope, quoted + cited)
        hidden = hidden_passages(sources, interaction.guild, interaction.user)
        blocks, citations = summary_blocks(result, hidden=hidden)
        lines = await citation_lines(self.bot.library, scope, citations)
        thread = await self.bot.library.thread(info.id, scope)
        counts = source_counts(thread)
        here = f" ({counts.site} on the site, {counts.server} here)" if counts.server else ""
        chart = await chart_file(self.bot, interaction.guild_id, thread, d.themes if d else [])
        return embed_pages(
            f"Summary: {info.title}",
            blocks + sources_blocks(lines),
            url=web_link(info.url),
            footer=f"{noun(info.comments, 'comment')}{here} · {length} summary · {result.mode}",
        ), chart

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
        chart = await digest_chart(self.bot, interaction.guild_id, digest)
        sent = await followup_embeds(interaction, await digest_embeds(self.bot, info, digest), file=chart)
        if not digest.already_posted:  # new comments made a fresh digest: it has now been posted here
            await record_post(self.bot, digest, sent[0])


async def setup(bot: ThreadBot) -> None:
    await bot.add_cog(Summary(bot))
