"""Errors are translated once, here, into one clear ephemeral message for the user.

Expected failures (a typed `ThreadbotError` from the library, a rate limit, a missing permission)
become their message; anything else is logged with its traceback and the user gets a short
apology, never a silent failure.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.ratelimit import RateLimited
from bot.render import MESSAGE_LIMIT
from bot.replies import NO_MENTIONS
from indexing.errors import (
    DatabaseBusyError,
    DatabaseUnavailableError,
    DiskFullError,
    ReadOnlyDatabaseError,
    ThreadbotError,
)
from indexing.text.shorten import truncate

log = logging.getLogger(__name__)

_UNAVAILABLE = {DiskFullError: "the bot's disk is full", ReadOnlyDatabaseError: "the bot's database is read-only",
                DatabaseBusyError: "the database is busy with another job; try again in a minute"}
UNEXPECTED = "Something went wrong on my side; it has been logged. Please try again later."


def user_message(error: BaseException) -> str | None:
    """The message for an expected failure, or None for a bug."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, DatabaseUnavailableError):
        # The library's wording is for whoever runs threadbot; a member can only wait for them.
        log.error("the database cannot be written: %s", error)
        reason = _UNAVAILABLE.get(type(error), "the database is unavailable")
        return f"I cannot save anything right now ({reason}). Nothing was changed; the bot's operator has been told."
    if isinstance(error, ThreadbotError):
        return str(error)
    if isinstance(error, RateLimited):
        return error.user_text() + "."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "threadbot works inside a server, not in direct messages."
    if isinstance(error, app_commands.MissingPermissions):
        return "Only members with the Manage Server permission can do that."
    if isinstance(error, app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return f"I am missing a permission here: {missing}."
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here."
    if isinstance(error, app_commands.TransformerError):
        return f"I could not understand {error.value!r} for this option."
    return None


async def tell_ephemeral(interaction: discord.Interaction, message: str) -> None:
    """Send `message` privately, whether or not the interaction was already deferred."""
    message = truncate(message, MESSAGE_LIMIT)
    if not interaction.response.is_done():
        await interaction.response.send_message(message, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return
    if interaction.extras.get("public_defer") and not interaction.extras.get("answered"):
        # The "thinking…" placeholder is public: remove it so the error stays private.
        try:
            await interaction.delete_original_response()
        except discord.NotFound:
            log.debug("deferred response already gone")
    await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)


class ThreadbotTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        message = user_message(error)
        if message is None:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command /%s failed", command, exc_info=getattr(error, "original", error))
            message = UNEXPECTED
        if interaction.type is discord.InteractionType.autocomplete:
            return  # suggestions cannot carry a message; a failure was logged above
        try:
            await tell_ephemeral(interaction, message)
        except discord.HTTPException:
            log.exception("could not tell the user about an error")
