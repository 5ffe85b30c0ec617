"""The library scope of a Discord server: every thread belongs to the guild it was uploaded in."""

from __future__ import annotations

from discord import app_commands


def scope_of(guild_id: int | None) -> str:
    """The one spelling of a guild's scope (its id as text); outside a guild there is none."""
    if guild_id is None:
        raise app_commands.NoPrivateMessage()
    return str(guild_id)
