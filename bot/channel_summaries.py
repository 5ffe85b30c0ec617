"""/summary and /ask over a channel's (or a Discord thread's) recent conversation, with no upload.

The history is read on demand through Discord's paginated API (discord.py pages at 100 and waits
out the rate-limit headers), bounded by `[discord] channel_summary_max_messages`, summarised or
asked in a scratch library, answered, and kept nowhere. Only a channel that both the member and the
bot can read is read.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.conversation import UNAVAILABLE, can_read, read_history
from bot.render import CitationLine, answer_embeds, embed_pages, sources_blocks
from bot.summary_blocks import summary_blocks
from indexing.conversation_summary import ConversationResult, answer_from_conversation, summarize_conversation
from indexing.errors import ThreadbotError
from indexing.records import Citation
from indexing.summaries.extractive import Length
from indexing.text.counts import noun

log = logging.getLogger(__name__)

# The `since:` and `last:` options of /summary and /ask.
SinceOption = app_commands.Range[str, 1, 200]
LastOption = app_commands.Range[int, 1, 10_000]
DEFAULT_LAST = 200  # /summary with neither since: nor last: in a channel with no news thread


def channel_name(channel: object) -> str:
    return f"#{getattr(channel, 'name', None) or 'this channel'}"


async def _read(bot, interaction: discord.Interaction, since: str | None, last: int | None):
    if not bot.message_content_enabled:
        raise ThreadbotError(UNAVAILABLE)
    channel, guild = interaction.channel, interaction.guild
    if guild is None or not isinstance(channel, (discord.TextChannel, discord.Thread)):
        raise ThreadbotError("I can summarise a server's text channels and threads only.")
    if not can_read(channel, interaction.user):
        raise ThreadbotError("You cannot read this channel's history, so I will not summarise it for you.")
    if not can_read(channel, guild.me):
        raise ThreadbotError("I cannot read this channel's history: I need View Channel and Read Message History.")
    bound = bot.config.channel_summary_max_messages
    messages, cut = await read_history(channel, bound, since=since, last=last or (None if since else DEFAULT_LAST))
    log.info("read %d messages of channel %s on demand (guild %s)", len(messages), channel.id, guild.id)
    return channel, messages, cut


def result_lines(result: ConversationResult, citations: list[Citation]) -> list[CitationLine]:
    lines = []
    for c in citations:
        message = result.message_of(c)
        if message is not None:
            lines.append(CitationLine(ref=c.ref, thread_title=result.title, where=f"message by {message.author}",
                                      text=c.text, link=message.url))
    return lines


def _footer(result: ConversationResult, cut: bool, bound: int) -> str:
    footer = (f"{noun(result.message_count, 'message')} · {noun(result.author_count, 'member')} · "
              "read on demand, not kept")
    return footer + (f" · the last {bound} only" if cut else "")


async def channel_summary(bot, interaction: discord.Interaction, since: str | None, last: int | None,
                          length: Length) -> list[discord.Embed]:
    channel, messages, cut = await _read(bot, interaction, since, last)
    title = channel_name(channel)
    if not messages:
        return embed_pages(f"Summary of {title}", ["No members' messages in that stretch of the channel."])
    result = await summarize_conversation(bot.library, title, messages, length)
    assert result.summary is not None  # a summary was asked for
    links = {pid: m.url for pid, m in result.cited.items()}
    blocks, citations = summary_blocks(result.summary, heading="What people say here", links=links)
    return embed_pages(f"Summary of {title}", blocks + sources_blocks(result_lines(result, citations)),
                       footer=_footer(result, cut, bot.config.channel_summary_max_messages))


async def channel_answer(bot, interaction: discord.Interaction, question: str, since: str | None,
                         last: int | None) -> list[discord.Embed]:
    channel, messages, cut = await _read(bot, interaction, since, last)
    result = await answer_from_conversation(bot.library, channel_name(channel), messages, question)
    if result.answer is None:
        return embed_pages(question[:200], ["No members' messages in that stretch of the channel."])
    answer = result.answer
    found = "answer" if answer.answered else "no answer found"
    footer = f"{found} · {_footer(result, cut, bot.config.channel_summary_max_messages)}"
    return answer_embeds(question, answer.answer, answer.answered, result_lines(result, answer.citations), footer)
