"""Resolve the library's citations into what a Discord reader needs: thread, place, and a link.

A citation from `ask` or a summary names a passage; here it gains the thread's title, the passage's
place ("paragraph 3", "comment by CNONC") and, when the thread's digest was posted in this guild,
a link to that message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.render import CitationLine
from indexing.library import ThreadLibrary
from indexing.records import PassageKind


class CitationLike(Protocol):
    ref: str
    thread_id: str
    passage_id: int | None
    kind: PassageKind
    author: str | None
    text: str


async def digest_links(library: ThreadLibrary, scope: str, thread_ids: set[str]) -> dict[str, str]:
    """thread id -> the link of the message where its latest digest was posted."""
    links = {}
    for thread_id in thread_ids:
        row = await library.last_posted_digest(thread_id, scope)
        if row is not None and row.message_url:
            links[thread_id] = row.message_url
    return links


async def citation_lines(library: ThreadLibrary, scope: str, citations: Sequence[CitationLike]) -> list[CitationLine]:
    ids = [c.passage_id for c in citations if c.passage_id is not None]
    passages = await library.passages_by_id(ids, scope)
    titles = {t.id: t.title for t in await library.threads(scope=scope)}
    links = await digest_links(library, scope, {c.thread_id for c in citations})
    lines = []
    for c in citations:
        passage = passages.get(c.passage_id) if c.passage_id is not None else None
        if passage is not None:
            where = passage.label()
        elif c.kind == "comment":
            where = f"comment by {c.author}" if c.author else "a comment"
        else:
            where = c.kind
        lines.append(
            CitationLine(
                ref=c.ref,
                thread_title=titles.get(c.thread_id, "(removed thread)"),
                where=where,
                text=c.text,
                link=links.get(c.thread_id),
            )
        )
    return lines
