"""The `thread` option shared by several commands: autocomplete within the guild, then resolution.

Autocomplete offers only the current guild's threads (scope = guild id), so another guild's
titles never show up; a typed value that is not an id is matched against titles, again only in
the guild's scope.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands

from bot.scopes import scope_of
from indexing.errors import NotFoundError, ThreadbotError
from indexing.library import ThreadLibrary
from indexing.records import ThreadInfo
from indexing.text.shorten import truncate

if TYPE_CHECKING:
    from bot.client import ThreadBot  # for the type only: no import at run time

log = logging.getLogger(__name__)

MAX_CHOICES = 25  # Discord's limit for autocomplete


def thread_choices(threads: list[ThreadInfo], typed: str) -> list[app_commands.Choice[str]]:
    typed = typed.strip().lower()
    matches = [t for t in threads if typed in t.title.lower() or t.id.startswith(typed)] if typed else threads
    # Newest first: the thread people just uploaded is the one they ask about.
    matches = sorted(matches, key=lambda t: t.updated_at, reverse=True)[:MAX_CHOICES]
    return [app_commands.Choice(name=truncate(f"{t.title} ({t.comments} comments)", 100), value=t.id) for t in matches]


async def thread_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    library: ThreadLibrary = cast("ThreadBot", interaction.client).library
    try:
        threads = await library.threads(scope=scope_of(interaction.guild_id))
    except ThreadbotError as exc:  # autocomplete cannot show an error; an empty list is honest
        log.warning("thread autocomplete failed: %s", exc)
        return []
    return thread_choices(threads, current)


async def resolve_thread(library: ThreadLibrary, scope: str, value: str | None) -> ThreadInfo | None:
    """A thread id (from autocomplete) or a title typed by hand, within this guild only."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    threads = await library.threads(scope=scope)
    for t in threads:
        if t.id == value:
            return t
    wanted = value.lower()
    exact = [t for t in threads if t.title.lower() == wanted]
    partial = [t for t in threads if wanted in t.title.lower()]
    found = exact or partial
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFoundError(f"no thread matching “{truncate(value, 80)}” in this server; /threads lists them")
    raise NotFoundError(f"{len(found)} threads match “{truncate(value, 80)}”; pick one from the list")
