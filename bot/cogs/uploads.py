"""/upload and the upload channel: ingest a thread file into this guild, then post its digest.

The upload is checked for size before anything is downloaded; parsing and embedding run off the
event loop inside the library; a file that fails to parse changes nothing in the index.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import ThreadBot
from bot.digests import fit_lines, publish_file_digests
from bot.errors import UNEXPECTED
from bot.ratelimit import RateLimited, RateLimiter, hit_all
from bot.render import MESSAGE_LIMIT, escape
from bot.replies import defer, followup_text, send_text
from bot.scopes import scope_of
from indexing.errors import InputTooLargeError, ThreadbotError
from indexing.records import IndexResult
from indexing.sources import SUPPORTED_EXTENSIONS, safe_file_name
from indexing.text.shorten import truncate

log = logging.getLogger(__name__)


def describe_results(results: list[IndexResult]) -> str:
    """One message whatever the file held: a line per thread while they fit, then the count of the
    others by status (a JSON Lines file of 400 threads once got 40 follow-ups)."""
    if not results:
        return "The file held no thread."
    lines = []
    for r in results:
        verb = {"indexed": "Indexed", "updated": "Updated", "unchanged": "Already indexed (unchanged)"}[r.status]
        lines.append(
            f"{verb}: **{escape(truncate(r.title, 150))}**: {r.paragraphs} paragraphs, {r.comments} comments, "
            f"{r.passages} passages."
        )
    counts = Counter(r.status for r in results)
    tally = ", ".join(f"{counts[s]} {s}" for s in ("indexed", "updated", "unchanged") if counts[s])
    return fit_lines(lines, MESSAGE_LIMIT - 100, f"{len(results)} threads in all ({tally}); /threads lists them")


class Uploads(commands.Cog):
    def __init__(self, bot: ThreadBot):
        self.bot = bot
        config = bot.config
        # Each upload parses and embeds a whole file: a member, and a whole server, get a budget.
        self.member_limiter = RateLimiter(config.upload_limit_count, config.upload_limit_seconds,
                                          message="you can upload again in {seconds} s")
        self.server_limiter = RateLimiter(
            config.server_upload_limit_count, config.upload_limit_seconds,
            message="this server has uploaded as much as it may for now; upload again in {seconds} s")

    def _count_upload(self, guild_id: int, member_id: int) -> None:
        hit_all((self.member_limiter, member_id), (self.server_limiter, guild_id))

    def _check_size(self, attachment: discord.Attachment) -> None:
        limit = self.bot.library.max_bytes
        if attachment.size > limit:
            raise InputTooLargeError(
                safe_file_name(attachment.filename),
                f"the file is {attachment.size / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB limit",
            )

    async def ingest(self, attachment: discord.Attachment, guild_id: int) -> list[IndexResult]:
        self._check_size(attachment)
        data = await attachment.read()
        return await self.bot.library.index_bytes(data, attachment.filename, scope=scope_of(guild_id))

    async def publish(
        self, guild: discord.Guild, results: list[IndexResult], fallback: discord.abc.Messageable
    ) -> None:
        await publish_file_digests(self.bot, guild, results, fallback)

    @app_commands.command(name="upload")
    @app_commands.guild_only()
    @app_commands.describe(
        file="a thread file: a Reddit, HN, Discourse, WordPress or Disqus export, a saved page, thread JSON",
        url="or a thread's address: a Reddit or Hacker News post, a Discourse topic, a page with comments",
    )
    async def upload(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        url: app_commands.Range[str, 1, 2000] | None = None,
    ) -> None:
        """Index a thread file or URL (article + comments) for this server and post its digest."""
        scope = scope_of(interaction.guild_id)
        assert interaction.guild_id is not None  # scope_of refused a direct message
        if (file is None) == (url is None):
            raise ThreadbotError("give either a file or a url")
        if file is not None:
            self._check_size(file)  # before deferring: the error can be an immediate private reply
        self._count_upload(interaction.guild_id, interaction.user.id)
        await defer(interaction, ephemeral=True)
        if file is not None:
            results = await self.ingest(file, interaction.guild_id)
        else:
            assert url is not None
            results = await self.bot.library.index_url(url.strip(), self.bot.fetch, scope=scope)
        await followup_text(interaction, describe_results(results), ephemeral=True)
        assert interaction.guild is not None  # in a guild, cached (the bot asks for the guilds intent)
        # the channel the command was typed in: one that takes messages
        await self.publish(interaction.guild, results, cast(discord.abc.Messageable, interaction.channel))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Attachments posted in the guild's upload channel are ingested like /upload."""
        if message.guild is None or message.author.bot or not message.attachments:
            return
        settings = await self.bot.library.guild_settings(message.guild.id)
        if settings.upload_channel_id != message.channel.id:
            return
        for attachment in message.attachments:
            if attachment.filename.lower().endswith(SUPPORTED_EXTENSIONS):
                if not await self._ingest_posted(message, attachment):
                    return  # rate limited: one reply says so for the whole message

    async def _ingest_posted(self, message: discord.Message, attachment: discord.Attachment) -> bool:
        """Index one posted file and answer in the channel (there is no private reply here).
        False when the upload limits refused it."""
        assert message.guild is not None  # on_message passes guild messages only
        name = safe_file_name(attachment.filename)
        try:
            self._count_upload(message.guild.id, message.author.id)
            results = await self.ingest(attachment, message.guild.id)
            await send_text(message.channel, describe_results(results), reference=message)
            await self.publish(message.guild, results, message.channel)
        except ThreadbotError as exc:
            await send_text(message.channel, f"Could not index {name}: {exc}", reference=message)
        except RateLimited as exc:
            await send_text(message.channel, f"Not indexing {name}: {exc.user_text()}.", reference=message)
            return False
        except discord.HTTPException as exc:
            log.exception("upload channel: Discord request failed for %s", name)
            await send_text(
                message.channel,
                f"Discord failed while handling {name} ({exc.status}); try again.",
                reference=message,
            )
        except Exception:
            log.exception("upload channel: ingesting %s failed", name)
            await send_text(message.channel, UNEXPECTED, reference=message)
        return True


async def setup(bot: ThreadBot) -> None:
    await bot.add_cog(Uploads(bot))
