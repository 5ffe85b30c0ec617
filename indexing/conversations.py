"""The server's own conversation as part of a thread: members' messages kept as comments.

A Discord channel is *attached* to a news thread (the discussion thread the bot opens under a
digest), or kept as a thread of its own (a channel opted in with `/config listen-channel`). The
messages kept from it are rows of their own (`server_messages`), the source of truth; a thread's
server comments (source "discord") are rebuilt from them whenever the thread is indexed, so a
re-upload or a followed thread's next fetch keeps them, and an edit or a deletion is one re-index:
the passage diff (unchanged passages keep their rows and vectors), embeddings of new text only,
the dense index, statements and the content hash all follow in one write, and the summaries and
unposted digests computed from the old text are dropped.

The library never imports discord: the bot turns its messages into `ServerMessage` records.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import Protocol

from .records import SERVER_SOURCE, ConversationChannel, ConversationKind, IndexResult, ServerMessage, Thread
from .store import ThreadStore

log = logging.getLogger(__name__)


class _Indexer(Protocol):
    async def index_thread(self, thread: Thread, scope: str = ..., progress=None) -> IndexResult: ...

    async def thread(self, thread_id: str, scope: str | None = ...) -> Thread: ...


@dataclasses.dataclass(frozen=True)
class SourceCounts:
    """A thread's comments by where they were written."""

    site: int
    server: int


def source_counts(thread: Thread, only: Iterable[int] | None = None) -> SourceCounts:
    """Site and server comments of a thread (or of the comments at the positions in `only`)."""
    comments = thread.comments if only is None else [thread.comments[i] for i in only]
    server = sum(1 for c in comments if c.source == SERVER_SOURCE)
    return SourceCounts(len(comments) - server, server)


def site_only(thread: Thread) -> Thread:
    return dataclasses.replace(thread, comments=tuple(c for c in thread.comments if c.source != SERVER_SOURCE))


class Conversations:
    """Reached as `library.conversations`; every method names the scope (the guild) it acts in."""

    def __init__(self, store: ThreadStore, indexer: _Indexer):
        self._db = store
        self._indexer = indexer

    # ---- channels ------------------------------------------------------------------------------
    async def attach(self, scope: str, channel_id: int | str, thread_id: str,
                     kind: ConversationKind = "discussion") -> None:
        await self._db.attach_channel(scope, str(channel_id), thread_id, kind)

    async def detach(self, scope: str, channel_id: int | str) -> None:
        """Stop keeping a channel's new messages (those kept stay until deleted or forgotten)."""
        await self._db.detach_channel(scope, str(channel_id))

    async def channel(self, scope: str, channel_id: int | str) -> ConversationChannel | None:
        return await self._db.conversation_channel(scope, str(channel_id))

    async def channels(self, scope: str, kind: ConversationKind | None = None) -> list[ConversationChannel]:
        return await self._db.conversation_channels(scope, kind)

    async def listen(self, scope: str, channel_id: int | str, name: str, url: str) -> ConversationChannel:
        """Keep a channel's messages from now on, as the comments of a thread of its own."""
        thread = Thread(title=f"#{name}: the server's conversation", url=url, source=SERVER_SOURCE)
        result = await self._indexer.index_thread(thread, scope)
        await self.attach(scope, channel_id, result.thread_id, "listen")
        return ConversationChannel(scope, str(channel_id), result.thread_id, "listen")

    # ---- messages ------------------------------------------------------------------------------
    async def apply(self, scope: str, upserts: Iterable[ServerMessage] = (),
                    deletes: Iterable[str] = ()) -> set[str]:
        """Keep new and edited messages (of attached channels only) and remove deleted ones, then
        re-index every thread they touch once. Returns the ids of the threads re-indexed."""
        by_thread: dict[str, list[ServerMessage]] = {}
        for m in upserts:
            if m.scope != scope:
                raise ValueError("a message of another scope")
            attached = await self.channel(scope, m.channel_id)
            if attached is not None:
                by_thread.setdefault(attached.thread_id, []).append(m)
        touched = set(by_thread)
        for thread_id, messages in by_thread.items():
            await self._db.upsert_messages(thread_id, messages)
        gone = list(dict.fromkeys(deletes))
        if gone:
            touched |= await self._db.delete_messages(scope, gone)
        for thread_id in touched:
            await self.reindex(thread_id, scope)
        return touched

    async def forget_member(self, scope: str, author_id: int | str) -> int:
        """Remove every kept message of one member in this scope; returns how many there were."""
        ids = await self._db.message_ids_by_author(scope, str(author_id))
        if ids:
            await self.apply(scope, deletes=ids)
        return len(ids)

    async def reindex(self, thread_id: str, scope: str) -> None:
        thread = await self._indexer.thread(thread_id, scope)
        await self._db.drop_derived(thread_id)
        await self._indexer.index_thread(site_only(thread), scope)

    async def with_server_comments(self, thread_id: str, thread: Thread) -> Thread:
        """`thread` (as the site has it) with the server's kept messages as comments after the site's."""
        kept = await self._db.thread_messages(thread_id)
        if not kept:  # (a thread read on demand brings its own server comments)
            return thread
        ids = {m.message_id for m in kept}
        site = site_only(thread).comments
        return dataclasses.replace(thread, comments=site + tuple(m.comment(ids) for m in kept))

    async def messages(self, scope: str, message_ids: Iterable[str | None]) -> dict[str, ServerMessage]:
        """The kept messages of these ids in this scope (other ids are left out)."""
        wanted = [i for i in dict.fromkeys(message_ids) if i]
        return await self._db.messages_by_id(scope, wanted) if wanted else {}
