"""Resolve the library's citations into what a Discord reader needs: thread, place, and a link.

A citation from `ask` or a summary names a passage; here it gains the thread's title, the passage's
place ("paragraph 3", "comment by CNONC") and, when the thread's digest was posted in this guild,
a link to that message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import discord

from bot.conversation import can_read
from bot.render import CitationLine
from indexing.library import ThreadLibrary
from indexing.records import PassageKind, ServerMessage


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
        row = await library.digests.last_posted(thread_id, scope)
        if row is not None and row.message_url:
            links[thread_id] = row.message_url
    return links


async def server_sources(library: ThreadLibrary, scope: str, passage_ids: Sequence[int | None]
                         ) -> dict[int, ServerMessage]:
    """passage id -> the member's message it holds, for the cited passages that are server comments."""
    passages = await library.passages_by_id(passage_ids, scope)
    kept = await library.conversations.messages(scope, [p.comment_id for p in passages.values() if p.kind == "comment"])
    return {pid: kept[p.comment_id] for pid, p in passages.items() if p.comment_id in kept}


def hidden_passages(sources: dict[int, ServerMessage], guild: discord.Guild | None,
                    member: discord.abc.User) -> set[int]:
    """The passages of server messages from a channel `member` cannot read (or that is gone from the
    cache: when in doubt, a message is not shown)."""
    hidden = set()
    for pid, message in sources.items():
        channel = guild.get_channel_or_thread(int(message.channel_id)) if guild is not None else None
        if channel is None or not can_read(channel, member):
            hidden.add(pid)
    return hidden


# A sentence ends after its punctuation, closing quotes and the `[n]` markers that follow it.
_SENTENCE = re.compile(r"(?<=[.!?…])[\"'”’)]*(?:\s*\[\d+\])*\s+|\n")


def without_refs(text: str, refs: set[str]) -> str:
    """`text` without the sentences (or lines) that cite any of `refs`."""
    if not refs:
        return text
    out, pos = [], 0
    for m in [*_SENTENCE.finditer(text), None]:
        end = m.end() if m else len(text)
        piece = text[pos:end]
        if not any(ref in piece for ref in refs):
            out.append(piece)
        pos = end
    return "".join(out).strip()


async def citation_lines(library: ThreadLibrary, scope: str, citations: Sequence[CitationLike]) -> list[CitationLine]:
    ids = [c.passage_id for c in citations if c.passage_id is not None]
    passages = await library.passages_by_id(ids, scope)
    server = await server_sources(library, scope, ids)
    titles = {t.id: t.title for t in await library.threads(scope=scope)}
    links = await digest_links(library, scope, {c.thread_id for c in citations})
    lines = []
    for c in citations:
        passage = passages.get(c.passage_id) if c.passage_id is not None else None
        message = server.get(c.passage_id) if c.passage_id is not None else None
        if message is not None:  # a member's message: it links to itself
            lines.append(CitationLine(ref=c.ref, thread_title=titles.get(c.thread_id, "(removed thread)"),
                                      where=f"message by {message.author} in the server", text=c.text,
                                      link=message.url))
            continue
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
