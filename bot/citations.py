"""Resolve the library's citations into what a Discord reader needs: thread, place, and a link.

A citation from `ask` or a summary names a passage; here it gains the thread's title, the passage's
place ("paragraph 3", "comment by CNONC") and, when the thread's digest was posted in this guild,
a link to that message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from indexing.library import ThreadLibrary

from .guild_settings import GuildSettingsStore
from .render import CitationLine


class CitationLike(Protocol):
    ref: str
    thread_id: str
    passage_id: int | None
    kind: str
    author: str | None
    text: str


async def citation_lines(
    library: ThreadLibrary, guild_settings: GuildSettingsStore, scope: str, citations: Sequence[CitationLike]
) -> list[CitationLine]:
    ids = [c.passage_id for c in citations if c.passage_id is not None]
    passages = await library.store.passages_by_id(ids)
    titles = {t.id: t.title for t in await library.threads(scope=scope)}
    links = await guild_settings.latest_digests(scope)
    lines = []
    for c in citations:
        passage = passages.get(c.passage_id) if c.passage_id is not None else None
        if passage is not None:
            where = passage.label()
        elif c.kind == "comment":
            where = f"comment by {c.author}" if c.author else "a comment"
        else:
            where = c.kind
        post = links.get(c.thread_id)
        lines.append(
            CitationLine(
                ref=c.ref,
                thread_title=titles.get(c.thread_id, "(removed thread)"),
                where=where,
                text=c.text,
                link=post.jump_url if post else None,
            )
        )
    return lines
