"""Members' messages as the library's `ServerMessage` records, who may read what, and a channel's
recent history read on demand (Discord's pages of 100, its rate limits kept by discord.py).

What is kept or read: a member's own text in an ordinary message or a reply. Bot messages, system
messages, slash-command invocations and empty messages are not.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import discord

from indexing.errors import ThreadbotError
from indexing.records import ServerMessage

MEMBER_TYPES = (discord.MessageType.default, discord.MessageType.reply)
UNAVAILABLE = ("Reading the server's conversation needs the Message Content intent, which this bot does not "
               "have: Discord sends it messages without their text. Ask the bot's operator to enable "
               '"Message Content Intent" under Bot > Privileged Gateway Intents in the developer portal.')
_DURATION = re.compile(r"^\s*(\d{1,5})\s*([mhdw])\s*$", re.IGNORECASE)
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_LINK = re.compile(r"^\s*https://(?:\w+\.)?discord(?:app)?\.com/channels/(\d+)/(\d+)/(\d+)\s*$")


def server_message(message: discord.Message) -> ServerMessage | None:
    """The record of a member's message, or None for what is never kept (bots, commands, system)."""
    if message.guild is None or message.author.bot or message.type not in MEMBER_TYPES:
        return None
    if message.interaction_metadata is not None or not message.content.strip():
        return None
    reference = message.reference
    parent = str(reference.message_id) if reference is not None and reference.message_id else None
    return ServerMessage(scope=str(message.guild.id), channel_id=str(message.channel.id),
                         message_id=str(message.id), author_id=str(message.author.id),
                         author=message.author.display_name, text=message.content,
                         posted=message.created_at.astimezone(UTC).isoformat(timespec="seconds"),
                         url=message.jump_url, parent_id=parent)


def can_read(channel: discord.abc.GuildChannel | discord.Thread, member: discord.abc.User) -> bool:
    """Whether `member` may read `channel`'s messages (a Discord thread: its parent's permissions)."""
    if not isinstance(member, discord.Member):
        return False
    permissions = channel.permissions_for(member)
    return permissions.view_channel and permissions.read_message_history


def since_point(since: str, channel_id: int, now: datetime | None = None) -> datetime | discord.Object:
    """`2h`, `30m`, `1d`, `1w`, or a message link in this channel: where the history starts."""
    if match := _DURATION.match(since):
        amount, unit = int(match.group(1)), _UNIT[match.group(2).lower()]
        if amount < 1:
            raise ThreadbotError("since: give a positive duration like 2h or 1d")
        return (now or datetime.now(UTC)) - timedelta(**{unit: amount})
    if match := _LINK.match(since):
        if int(match.group(2)) != channel_id:
            raise ThreadbotError("since: that message link is from another channel")
        return discord.Object(id=int(match.group(3)) - 1)  # from that message on, itself included
    raise ThreadbotError("since: give a duration like 2h, 30m, 1d, or a link to a message in this channel")


async def read_history(channel: discord.abc.Messageable, bound: int, *, since: str | None = None,
                       last: int | None = None) -> tuple[list[ServerMessage], bool]:
    """The members' messages of `channel` since a point (oldest first), or its last `last`, at most
    `bound` read; and whether the bound cut the history short."""
    limit = min(last or bound, bound)
    after = since_point(since, getattr(channel, "id", 0)) if since else None
    read, kept = 0, list[ServerMessage]()
    async for message in channel.history(limit=limit + (1 if since else 0), after=after,
                                         oldest_first=bool(after)):
        read += 1
        if read > limit:
            return sorted(kept, key=lambda m: int(m.message_id)), True
        record = server_message(message)
        if record is not None:
            kept.append(record)
    cut = last is not None and last > bound
    return sorted(kept, key=lambda m: int(m.message_id)), cut
