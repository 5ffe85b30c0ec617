"""Every message the bot sends goes through here, with mentions disabled.

Thread text is written by strangers: it may contain `@everyone`, role or user mentions. Passing
`AllowedMentions.none()` on every send means none of it can ping anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import discord

from bot.render import split_message

NO_MENTIONS = discord.AllowedMentions.none()


async def defer(interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
    """Acknowledge at once (Discord allows 3 s); the real reply follows via the follow-up webhook."""
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    interaction.extras["public_defer"] = not ephemeral


def _first_only(file: discord.File | None, n: int) -> discord.File:
    """The attachment goes on the first message only (MISSING: none, the way discord.py says it)."""
    return file if file is not None and n == 0 else discord.utils.MISSING


async def followup_embeds(
    interaction: discord.Interaction, embeds: Sequence[discord.Embed], *, ephemeral: bool = False,
    file: discord.File | None = None,
) -> list[discord.Message]:
    """One embed per follow-up message, so each message stays within the 6,000-character total;
    `file` is attached to the first."""
    sent: list[discord.Message] = []
    for n, embed in enumerate(embeds):
        sent.append(
            await interaction.followup.send(embed=embed, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, wait=True,
                                            file=_first_only(file, n))
        )
        interaction.extras["answered"] = True
    return sent


async def followup_text(interaction: discord.Interaction, text: str, *, ephemeral: bool = False) -> None:
    for page in split_message(text):
        await interaction.followup.send(page, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
        interaction.extras["answered"] = True


async def send_embeds(
    channel: discord.abc.Messageable,
    embeds: Sequence[discord.Embed],
    *,
    reference: discord.Message | None = None,
    file: discord.File | None = None,
) -> list[discord.Message]:
    """One embed per message; `file` is attached to the first."""
    sent = []
    for n, embed in enumerate(embeds):
        sent.append(
            await channel.send(
                embed=embed,
                file=_first_only(file, n),
                allowed_mentions=NO_MENTIONS,
                # send() treats None as no reply; only discord.py's overloads leave None out
                reference=cast(discord.Message, reference if n == 0 else None),
                mention_author=False,
            )
        )
    return sent


async def send_text(
    channel: discord.abc.Messageable, text: str, *, reference: discord.Message | None = None
) -> list[discord.Message]:
    sent = []
    for n, page in enumerate(split_message(text)):
        sent.append(
            await channel.send(
                page,
                allowed_mentions=NO_MENTIONS,
                # send() treats None as no reply; only discord.py's overloads leave None out
                reference=cast(discord.Message, reference if n == 0 else None),
                mention_author=False,
            )
        )
    return sent
