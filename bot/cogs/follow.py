"""/follow and /unfollow: follow a thread's URL for new comments, and the loop that checks them.

/follow fetches and indexes the thread at once (its first check), posts its digest as /upload does,
and stores the follow in the database, so it survives a restart. Every `[discord]
follow_check_interval` seconds the loop looks for follows that are due (the schedule and the rules
are in indexing/following.py) and checks each one: a thread that gained its follow's threshold of
new comments gets a digest update in the digest channel, else in the channel it was followed from.
A follow that fails is logged and tried again later; it never holds up the others.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import cast

import discord
from discord import app_commands
from discord.ext import tasks

from bot.background import BackgroundCog
from bot.client import ThreadBot
from bot.digests import publish_digest
from bot.lookup import MAX_CHOICES, resolve_thread
from bot.render import escape
from bot.replies import NO_MENTIONS, defer, followup_text
from bot.scopes import scope_of
from indexing.errors import NotFoundError, ThreadbotError
from indexing.following import FollowCheck, check_follow, describe_interval, postpone, start_following, utc_now
from indexing.records import LOCAL_SCOPE, Follow, IndexResult
from indexing.text.shorten import truncate

log = logging.getLogger(__name__)


def discord_time(moment: datetime, style: str = "f") -> str:
    """A time every reader sees in their own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def describe_follow(follow: Follow, result: IndexResult) -> str:
    return (f"Following **{escape(truncate(result.title, 150))}** until {discord_time(follow.expires_at)} "
            f"({discord_time(follow.expires_at, 'R')}): {result.comments} comments now. A digest update is posted "
            f"once {follow.threshold} new comments are in; I look every "
            f"{describe_interval(follow.interval_seconds)} at first, less often while it is quiet. "
            "/unfollow stops it.")


async def follow_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The guild's own follows (never another guild's), by title or URL."""
    if interaction.guild_id is None:
        return []
    library = cast(ThreadBot, interaction.client).library
    scope = scope_of(interaction.guild_id)
    try:
        follows = await library.follows(scope)
        titles = {t.id: t.title for t in await library.threads(scope=scope)}
    except ThreadbotError as exc:  # autocomplete cannot show an error; an empty list is honest
        log.warning("follow autocomplete failed: %s", exc)
        return []
    typed = current.strip().lower()
    choices = []
    for f in follows:
        title, value = titles.get(f.thread_id or "", f.url), f.thread_id or f.url
        if len(value) <= 100 and (not typed or typed in title.lower() or typed in f.url.lower()):
            name = f"{title} (until {f.expires_at:%b %d %H:%M} UTC)"
            choices.append(app_commands.Choice(name=truncate(name, 100), value=value))
    return choices[:MAX_CHOICES]


class Following(BackgroundCog):
    def __init__(self, bot: ThreadBot):
        self.bot = bot
        self._lock = asyncio.Lock()
        self.loop.change_interval(seconds=bot.config.follow_check_interval)

    @tasks.loop(seconds=60)
    async def loop(self) -> None:
        try:
            await self.check_due()
        except Exception:
            # The loop must outlive one bad pass (the database locked, Discord down): the next tries again.
            log.exception("checking followed threads failed; the next pass runs in %.0f s", self.loop.seconds)

    async def check_due(self, now: datetime | None = None) -> int:
        """One pass: check every due follow of the guilds the bot is in, each on its own. Returns
        the number of digest updates posted."""
        now = now or utc_now()
        async with self._lock:
            guilds = {scope_of(g.id): g for g in await self.bot.served_guilds()}
            posted = 0
            for follow in await self.bot.library.due_follows(now):
                guild = guilds.get(follow.scope)
                if follow.scope == LOCAL_SCOPE or (guild is None and now < follow.expires_at):
                    continue  # the command line's, or a guild the bot left (removed once it ends)
                try:
                    check = await check_follow(self.bot.library, follow, self.bot.fetch, now)
                except Exception:  # a bug, or the database: try again after the interval, not every pass
                    log.exception("checking followed %s in guild %s failed", follow.url, follow.scope)
                    await postpone(self.bot.library, follow, now)
                    continue
                if guild is not None and check.digest_due:
                    try:
                        posted += await self._post(guild, check)
                    except discord.HTTPException:  # the update stays due: the next check posts it
                        log.exception("posting the digest update of %s in guild %s failed", follow.url, guild.id)
            return posted

    async def _post(self, guild: discord.abc.Snowflake, check: FollowCheck) -> int:
        assert check.result is not None  # a digest is due only for a fetched thread
        settings = await self.bot.library.guild_settings(guild.id)
        target = (await self.bot.channel_in(guild.id, settings.digest_channel_id)
                  or await self.bot.channel_in(guild.id, check.follow.channel_id))
        if target is None:
            log.warning("followed %s in guild %s: no digest channel and its own channel is gone; nothing posted",
                        check.follow.url, guild.id)
            return 0
        message = await publish_digest(self.bot, guild, check.result.thread_id, target)
        return 0 if message is None else 1

    @app_commands.command(name="follow")
    @app_commands.guild_only()
    @app_commands.describe(
        url="a thread's address: a Reddit or Hacker News post, a Discourse topic, a page with comments",
        hours="how long to follow it, in hours (1 to 168; default 24)",
        threshold="new comments needed for a digest update (default: the bot's [fetch] follow_threshold)",
    )
    async def follow(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, 2000],
        hours: app_commands.Range[int, 1, 168] = 24,
        threshold: app_commands.Range[int, 1, 1000] | None = None,
    ) -> None:
        """Follow a thread's URL: post a digest update whenever enough new comments come in."""
        scope = scope_of(interaction.guild_id)
        await defer(interaction, ephemeral=True)
        follow, result = await start_following(self.bot.library, url, scope, self.bot.fetch,
                                               channel_id=interaction.channel_id, hours=hours, threshold=threshold)
        log.info("guild %s follows %s (thread %s) for %d hours", scope, follow.url, result.thread_id, hours)
        await followup_text(interaction, describe_follow(follow, result), ephemeral=True)
        assert interaction.guild is not None  # in a guild, cached (the bot asks for the guilds intent)
        # the channel the command was typed in: one that takes messages
        await publish_digest(self.bot, interaction.guild, result.thread_id,
                             cast(discord.abc.Messageable, interaction.channel))

    @app_commands.command(name="unfollow")
    @app_commands.guild_only()
    @app_commands.describe(thread="the followed thread (or its URL)")
    @app_commands.autocomplete(thread=follow_autocomplete)
    async def unfollow(self, interaction: discord.Interaction, thread: str) -> None:
        """Stop following a thread for new comments."""
        scope = scope_of(interaction.guild_id)
        library = self.bot.library
        try:
            removed = await library.unfollow(thread, scope)
        except NotFoundError as not_followed:  # perhaps a title typed by hand
            try:
                info = await resolve_thread(library, scope, thread)
            except NotFoundError:
                raise not_followed from None
            assert info is not None  # `thread` is a required option
            removed = await library.unfollow(info.id, scope)
        titles = {t.id: t.title for t in await library.threads(scope=scope)}
        names = ", ".join(f"**{escape(truncate(titles.get(f.thread_id or '', f.url), 150))}**" for f in removed)
        log.info("guild %s stopped following %s", scope, ", ".join(f.url for f in removed))
        await interaction.response.send_message(f"Stopped following {names}.", ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)


async def setup(bot: ThreadBot) -> None:
    await bot.add_cog(Following(bot))
