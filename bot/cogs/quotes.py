"""/quotes: who said what, from the library's who-said-what index (statements stored at index time)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.citations import citation_lines
from bot.client import ThreadBot
from bot.lookup import resolve_thread, thread_autocomplete
from bot.render import citation_block, embed_pages, escape
from bot.replies import defer, followup_embeds
from bot.scopes import scope_of
from indexing.records import Citation
from indexing.text.shorten import truncate

MAX_SHOWN = 40  # statements listed; the footer says how many more there are


class Quotes(commands.Cog):
    def __init__(self, bot: ThreadBot):
        self.bot = bot

    @app_commands.command(name="quotes")
    @app_commands.guild_only()
    @app_commands.describe(
        speaker="a person quoted in the article, or a commenter's name",
        thread="only this thread (default: every thread of this server)",
    )
    @app_commands.autocomplete(thread=thread_autocomplete)
    async def quotes(
        self,
        interaction: discord.Interaction,
        speaker: app_commands.Range[str, 1, 100],
        thread: str | None = None,
    ) -> None:
        """Who said what: every statement of a speaker, verbatim, with its source."""
        scope = scope_of(interaction.guild_id)
        await defer(interaction)
        info = await resolve_thread(self.bot.library, scope, thread)
        statements = await self.bot.library.statements(scope, info.id if info else None, speaker)
        if not statements:
            where = f" in {escape(truncate(info.title, 80))}" if info else " in this server's threads"
            await followup_embeds(
                interaction,
                embed_pages(f"What {truncate(speaker, 80)} said", [f"No statements by {escape(speaker)}{where}."]),
            )
            return
        shown = statements[:MAX_SHOWN]
        sources = [
            Citation(
                f"[{n}]",
                s.thread_id,
                s.passage_id,
                s.passage_kind,
                s.speaker if s.source == "comment" else None,
                s.text,
                score=1.0,  # statements are listed in thread order, not ranked
            )
            for n, s in enumerate(shown, start=1)
        ]
        lines = await citation_lines(self.bot.library, scope, sources)
        blocks = []
        for statement, line in zip(shown, lines, strict=True):
            how = "quoted" if statement.verbatim else "reported"
            blocks.append(
                citation_block(line, excerpt=600)
                + f"\n*{escape(statement.speaker_mention)}, {escape(statement.cue)} ({how})*"
            )
        footer = f"{len(statements)} statements by {statements[0].speaker}"
        if len(statements) > MAX_SHOWN:
            footer += f"; the first {MAX_SHOWN} shown"
        await followup_embeds(
            interaction,
            embed_pages(f"What {truncate(statements[0].speaker, 80)} said", blocks, footer=footer),
        )


async def setup(bot: ThreadBot) -> None:
    await bot.add_cog(Quotes(bot))
