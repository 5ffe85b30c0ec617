"""Admin commands (Manage Server): /config digest-channel, upload-channel, watch-folder,
discussion-threads, charts, listen-channel, show; /forget.

`default_permissions` hides the commands from other members in Discord's UI; the
`has_permissions` checks enforce it on the bot's side, since server owners can override the former.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import ThreadBot
from bot.cogs.discussions import Discussions
from bot.conversation import UNAVAILABLE
from bot.lookup import resolve_thread, thread_autocomplete
from bot.render import escape
from bot.replies import NO_MENTIONS
from bot.scopes import scope_of
from bot.watch_folders import own_folder
from indexing.text.shorten import truncate

log = logging.getLogger(__name__)

ADMIN = discord.Permissions(manage_guild=True)


def _channel_text(channel_id: int | None, fallback: str) -> str:
    return f"<#{channel_id}>" if channel_id else fallback


class Admin(commands.Cog):
    config = app_commands.Group(
        name="config",
        description="Server settings for threadbot (Manage Server).",
        guild_only=True,
        default_permissions=ADMIN,
    )

    def __init__(self, bot: ThreadBot):
        self.bot = bot

    async def _reply(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @config.command(name="digest-channel")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(channel="where digests of uploaded threads are posted (leave empty to reset)")
    async def digest_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        """Choose the channel where thread digests are posted."""
        assert interaction.guild_id is not None  # the config group is guild_only
        await self.bot.library.set_guild_setting(
            interaction.guild_id, "digest_channel_id", channel.id if channel else None
        )
        where = _channel_text(channel.id if channel else None, "the channel where the upload happens")
        await self._reply(interaction, f"Digests will be posted in {where}.")

    @config.command(name="upload-channel")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(channel="attachments posted there are indexed automatically (empty to turn off)")
    async def upload_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        """Choose a channel whose attachments are indexed automatically."""
        assert interaction.guild_id is not None  # the config group is guild_only
        await self.bot.library.set_guild_setting(
            interaction.guild_id, "upload_channel_id", channel.id if channel else None
        )
        if channel is None:
            await self._reply(interaction, "Automatic uploads are off.")
            return
        text = f"Thread files posted in <#{channel.id}> will be indexed automatically."
        if not self.bot.message_content_enabled:
            text += " Warning: the Message Content intent is off, so I cannot see attachments yet."
        await self._reply(interaction, text)

    @config.command(name="watch-folder")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(folder="this server's folder in the watch root (its id), or one inside it; empty: stop")
    async def watch_folder(self, interaction: discord.Interaction, folder: str | None = None) -> None:
        """Watch a folder on the bot's host: new or changed thread files there are indexed."""
        assert interaction.guild_id is not None  # the config group is guild_only
        path = own_folder(self.bot.config.watch_root, interaction.guild_id, folder) if folder else None
        await self.bot.library.set_guild_setting(interaction.guild_id, "watch_dir", str(path) if path else None)
        await self._reply(interaction, f"Watching `{folder}`." if path else "Not watching a folder any more.")

    @config.command(name="discussion-threads")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(enabled="open a Discord thread under every digest posted",
                           archive="hours of quiet before Discord archives it: 1, 24, 72 or 168")
    async def discussion_threads(self, interaction: discord.Interaction, enabled: bool,
                                 archive: Literal[1, 24, 72, 168] = 24) -> None:
        """Turn the discussion thread under each digest on or off; members' messages there are indexed."""
        assert interaction.guild_id is not None  # the config group is guild_only
        await self.bot.library.set_guild_setting(interaction.guild_id, "discussion_threads", enabled)
        await self.bot.library.set_guild_setting(interaction.guild_id, "discussion_archive_minutes", archive * 60)
        if not enabled:
            await self._reply(interaction, "No discussion threads under digests from now on.")
            return
        text = (f"Every digest gets a discussion thread (archived after {archive} h of quiet); members' messages "
                "there become comments of the news thread.")
        if not self.bot.message_content_enabled:
            text += " Unavailable for now: " + UNAVAILABLE
        await self._reply(interaction, text)

    @config.command(name="charts")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(state="on: digests and thread summaries carry a chart (with alt text); off: none")
    async def charts(self, interaction: discord.Interaction, state: Literal["on", "off"]) -> None:
        """Turn the chart on digests and summaries on or off."""
        assert interaction.guild_id is not None  # the config group is guild_only
        await self.bot.library.set_guild_setting(interaction.guild_id, "charts", state == "on")
        await self._reply(interaction, "Digests and summaries carry a chart of comments over time and theme sizes."
                          if state == "on" else "No charts on digests and summaries from now on.")

    @config.command(name="listen-channel")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(channel="keep and index this channel's new messages", stop="stop keeping them")
    async def listen_channel(self, interaction: discord.Interaction, channel: discord.TextChannel,
                             stop: bool = False) -> None:
        """Keep a channel's messages (only channels opted in here are ever stored)."""
        scope = scope_of(interaction.guild_id)
        if stop:
            await self.bot.library.conversations.detach(scope, channel.id)
            await self._reply(interaction, f"No longer keeping new messages of <#{channel.id}>.")
            return
        if not self.bot.message_content_enabled:
            await self._reply(interaction, UNAVAILABLE)
            return
        url = f"https://discord.com/channels/{interaction.guild_id}/{channel.id}"
        await self.bot.library.conversations.listen(scope, channel.id, channel.name, url)
        await self._reply(interaction, f"Keeping new messages of <#{channel.id}> from now on (`/forget` removes "
                                       "a member's; deleting a message removes it).")

    @config.command(name="show")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def show(self, interaction: discord.Interaction) -> None:
        """Show this server's threadbot settings."""
        assert interaction.guild_id is not None  # the config group is guild_only
        s = await self.bot.library.guild_settings(interaction.guild_id)
        lines = [
            f"Digest channel: {_channel_text(s.digest_channel_id, 'where the upload happens')}",
            f"Upload channel: {_channel_text(s.upload_channel_id, 'none')}",
            f"Watched folder: {Path(s.watch_dir).name if s.watch_dir else 'none'}",
            f"Discussion threads: {'on' if s.discussion_threads else 'off'}"
            f" (archived after {s.discussion_archive_minutes // 60} h)",
            f"Charts: {'on' if s.charts else 'off'}",
        ]
        await self._reply(interaction, "\n".join(lines))

    @app_commands.command(name="forget")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(thread="the thread to remove from this server's index",
                           member="remove every message of this member kept from the server instead")
    @app_commands.autocomplete(thread=thread_autocomplete)
    async def forget(self, interaction: discord.Interaction, thread: str | None = None,
                     member: discord.User | None = None) -> None:
        """Remove a thread and everything indexed from it, or a member's kept messages (Manage Server)."""
        scope = scope_of(interaction.guild_id)
        if member is not None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            discussions = self.bot.get_cog("Discussions")
            if isinstance(discussions, Discussions):
                await discussions.drain()  # messages still queued are indexed first, then removed
            count = await self.bot.library.conversations.forget_member(scope, member.id)
            log.info("guild %s forgot %d messages of a member", scope, count)
            await interaction.followup.send(f"Removed {count} kept messages of {escape(member.display_name)}.",
                                            ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        info = await resolve_thread(self.bot.library, scope, thread)
        if info is None:
            await self._reply(interaction, "Name a thread, or a member whose messages to remove.")
            return
        await self.bot.library.forget(info.id, scope=scope)
        log.info("guild %s forgot thread %s", scope, info.id)
        await self._reply(interaction, f"Forgot **{escape(truncate(info.title, 150))}** ({info.passages} passages).")


async def setup(bot: ThreadBot) -> None:
    await bot.add_cog(Admin(bot))
