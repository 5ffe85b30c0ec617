"""Posting a thread's digest to a guild channel, once per new content.

The digest itself comes from the library (`indexing.digest`): the first one covers the whole
thread, later ones only the comments no posted digest covered, and `already_posted` says there is
nothing new. Here: choose the channel, fit the text into embeds, post, and tell the library where
it went (so it is never posted twice, and citations can link to it).
"""

from __future__ import annotations

import io
import logging

import discord

from bot.charts import chart_file
from bot.citations import citation_lines
from bot.render import CitationLine, embed_pages, escape, escape_cited, sources_blocks, web_link
from bot.replies import NO_MENTIONS, send_embeds
from bot.scopes import scope_of
from indexing.records import IndexResult, ThreadInfo
from indexing.summaries.digest import Digest, Posted, mark_digest_posted, post_digest
from indexing.text.counts import noun
from indexing.text.shorten import truncate

log = logging.getLogger(__name__)

# A file holding more threads than this (a JSON Lines export) gets one list of them instead of a
# digest each, so one upload cannot flood the digest channel; /digest shows any of them.
MAX_DIGESTS_PER_FILE = 3
# The list of a larger file is one embed: the first threads that fit, then the count of the others.
LIST_BUDGET = 3500


def digest_blocks(info: ThreadInfo, digest: Digest) -> list[str]:
    """The digest's paragraphs, without its heading lines that the embed already shows: the
    title (the embed's title) and the link or file name (the embed's link and footer)."""
    lines = digest.text.split("\n")
    if lines and lines[0].strip() == info.title.strip():
        lines = lines[1:]
    if lines and lines[0].strip() in {info.url, info.source, info.source_file} - {None}:
        lines = lines[1:]
    return [block for block in "\n".join(lines).split("\n\n") if block.strip()]


async def digest_embeds(bot, info: ThreadInfo, digest: Digest) -> list[discord.Embed]:
    return render_digest(info, digest, await citation_lines(bot.library, info.scope, digest.citations))


def render_digest(info: ThreadInfo, digest: Digest, lines: list[CitationLine]) -> list[discord.Embed]:
    url = web_link(info.url)
    title = f"{'Digest update' if digest.is_delta else 'Digest'}: {info.title}"
    source = f" · {info.source_file}" if info.source_file and not url else ""
    counts = f"{noun(digest.comment_count, 'comment')} · {noun(digest.author_count, 'author')}"
    footer = f"{counts}{source} · thread {info.id}"
    blocks = [escape_cited(block) for block in digest_blocks(info, digest)]
    return embed_pages(title, blocks + sources_blocks(lines), url=url, footer=footer)


async def digest_chart(bot, guild_id: int | None, digest: Digest) -> discord.File | None:
    """The digest's chart: the whole thread's comments over time, and the themes the digest shows."""
    thread = await bot.library.thread(digest.thread_id, digest.scope)
    return await chart_file(bot, guild_id, thread, digest.themes)


async def record_post(bot, digest: Digest, message: discord.Message) -> None:
    """A digest shown by /digest counts as posted, unless another poster is posting it right now."""
    if await bot.library.digests.claim(digest.digest_id, baseline_id=digest.baseline_id):
        await mark_digest_posted(bot.library, digest.digest_id, message.channel.id, message.id, message.jump_url)


async def publish_digest(
    bot, guild: discord.abc.Snowflake, thread_id: str, fallback: discord.abc.Messageable
) -> discord.Message | None:
    """Post the thread's digest (or delta digest) to the guild's digest channel, else `fallback`,
    unless nothing is new since the last one, or another process is posting it (the claim in
    `post_digest`). Returns the first message posted, or None."""
    scope = scope_of(guild.id)
    sent: list[discord.Message] = []

    async def send(digest: Digest) -> Posted:
        channel = await digest_channel(bot, guild, fallback)
        info = await bot.library.thread_info(thread_id, scope=scope)
        chart = await digest_chart(bot, guild.id, digest)
        sent.extend(await send_embeds(channel, await digest_embeds(bot, info, digest), file=chart))
        return Posted(sent[0].channel.id, sent[0].id, sent[0].jump_url)

    # One post at a time per thread in this process (the claim settles it between processes).
    async with bot.digest_locks.hold(thread_id):
        digest = await post_digest(bot.library, thread_id, scope, send)
        if digest is None:
            return None
        log.info("posted the %sdigest of %s in guild %s", "delta " if digest.is_delta else "", thread_id, guild.id)
        await open_discussion(bot, sent[0], await bot.library.thread_info(thread_id, scope=scope))
        return sent[0]


async def open_discussion(bot, message: discord.Message, info: ThreadInfo) -> discord.Thread | None:
    """A Discord thread on the digest message, whose members' messages become comments of the news
    thread (unless the server turned them off, or the bot cannot read messages' text)."""
    if not isinstance(message.channel, discord.TextChannel) or message.guild is None:
        return None  # a digest posted in a thread, or as an interaction reply, gets none
    settings = await bot.library.guild_settings(message.guild.id)
    if not settings.discussion_threads:
        return None
    if not bot.message_content_enabled:
        log.warning("no discussion thread under the digest of %s: the Message Content intent is off", info.id)
        return None
    try:
        thread = await message.create_thread(name=truncate(f"Discuss: {' '.join(info.title.split())}", 100),
                                             auto_archive_duration=settings.discussion_archive_minutes)
    except discord.HTTPException as exc:  # missing Create Public Threads, or Discord refused
        log.warning("could not open a discussion thread under the digest of %s: %s", info.id, exc)
        return None
    await bot.library.conversations.attach(scope_of(message.guild.id), thread.id, info.id)
    return thread


async def digest_channel(bot, guild: discord.abc.Snowflake,
                         fallback: discord.abc.Messageable) -> discord.abc.Messageable:
    """The guild's digest channel, else `fallback` (where the upload happened)."""
    settings = await bot.library.guild_settings(guild.id)
    channel = await bot.channel_in(guild.id, settings.digest_channel_id)
    if channel is None:
        if settings.digest_channel_id:
            log.warning(
                "digest channel %s of guild %s is gone; posting where the upload happened",
                settings.digest_channel_id,
                guild.id,
            )
        channel = fallback
    return channel


async def publish_file_digests(
    bot, guild: discord.abc.Snowflake, results: list[IndexResult], fallback: discord.abc.Messageable
) -> list[discord.Message]:
    """The digests of the threads one file brought: one each for a few threads, else one list of
    the new and updated ones (their digests stay unposted: /digest posts any of them)."""
    if len(results) <= MAX_DIGESTS_PER_FILE:
        posted = [await publish_digest(bot, guild, r.thread_id, fallback) for r in results]
        return [message for message in posted if message is not None]
    fresh = [r for r in results if r.status != "unchanged"]
    if not fresh:
        return []
    lines = [f"**{escape(truncate(r.title, 150))}**: {noun(r.comments, 'comment')} · `/digest thread:{r.thread_id}`"
             for r in fresh]
    shown = fit_lines(lines, LIST_BUDGET, "every one is in the attached file")
    unchanged = len(results) - len(fresh)
    embed = discord.Embed(title=f"{len(fresh)} new or updated threads", description=shown)
    if unchanged:
        embed.set_footer(text=f"{unchanged} more already indexed and unchanged")
    # All of them, one a line, in a file: the message stays one, however many threads the file held.
    listing = "".join(f"{r.thread_id}\t{r.status}\t{r.comments} comments\t{' '.join(r.title.split())}\n"
                      for r in fresh)
    channel = await digest_channel(bot, guild, fallback)
    message = await channel.send(embed=embed, allowed_mentions=NO_MENTIONS,
                                 file=discord.File(io.BytesIO(listing.encode()), filename="threads.tsv"))
    log.info("listed %d threads of one file in guild %s instead of a digest each", len(fresh), guild.id)
    return [message]


def fit_lines(lines: list[str], budget: int, where_the_rest_is: str) -> str:
    """As many whole lines as fit in `budget` characters, then "…and N more" saying where they are."""
    def more(k: int) -> str:
        return f"…and {len(lines) - k} more: {where_the_rest_is}"

    best, size = 0, 0
    for k, line in enumerate(lines, start=1):
        size += len(line) + 1
        if size + (0 if k == len(lines) else len(more(k))) > budget:
            break
        best = k
    return "\n".join(lines[:best] + ([more(best)] if best < len(lines) else []))
