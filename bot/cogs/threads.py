"""/threads: what this server has indexed, with counts and which threads it follows, a page at a time."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import ThreadBot
from bot.render import embed_pages, escape
from bot.replies import NO_MENTIONS
from bot.scopes import scope_of
from indexing.text.shorten import truncate


class Threads(commands.Cog):
    def __init__(self, bot: ThreadBot):
        self.bot = bot

    @app_commands.command(name="threads")
    @app_commands.guild_only()
    @app_commands.describe(page="which page of the list (10 threads per page by default)")
    async def threads(self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 1000] = 1) -> None:
        """List the threads indexed in this server, with their comment counts and which are followed."""
        scope = scope_of(interaction.guild_id)
        threads = await self.bot.library.threads(scope=scope)
        if not threads:
            await interaction.response.send_message(
                "No threads yet: upload one with /upload (a Reddit, Hacker News, Discourse, WordPress or Disqus "
                "export, a saved page, or thread JSON).",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        per_page = self.bot.config.threads_per_page
        pages = max(1, -(-len(threads) // per_page))
        page = min(page, pages)
        shown = threads[(page - 1) * per_page : page * per_page]
        # The latest end of each followed thread (two URLs may lead to one thread).
        followed = {f.thread_id: f.expires_at for f in await self.bot.library.follows(scope) if f.thread_id}
        lines = [
            f"**{escape(truncate(t.title, 120))}**\n{t.paragraphs} paragraphs · {t.comments} comments · id `{t.id}`"
            + (f" · followed until <t:{int(followed[t.id].timestamp())}:f>" if t.id in followed else "")
            for t in shown
        ]
        footer = f"{len(threads)} threads · page {page}/{pages}"
        if page < pages:
            footer += f" · /threads page:{page + 1} for more"
        embed = embed_pages("Indexed threads", lines, footer=footer)[0]
        await interaction.response.send_message(embed=embed, allowed_mentions=NO_MENTIONS)


async def setup(bot: ThreadBot) -> None:
    await bot.add_cog(Threads(bot))
