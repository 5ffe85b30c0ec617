"""A thread's passages grouped the way summaries read them: title, paragraphs and comments by position."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..records import LOCAL_SCOPE, Passage, Thread

if TYPE_CHECKING:
    from ..library import ThreadLibrary

@dataclass
class ThreadParts:
    thread_id: str
    thread: Thread
    title: Passage | None
    paragraphs: dict[int, list[Passage]]  # paragraph index -> its chunks in order
    comments: dict[int, list[Passage]]    # comment index -> its chunks in order

    @classmethod
    def build(cls, thread_id: str, thread: Thread, passages: Sequence[Passage]) -> ThreadParts:
        title: Passage | None = None
        paragraphs: dict[int, list[Passage]] = {}
        comments: dict[int, list[Passage]] = {}
        for p in passages:
            if p.kind == "title":
                title = p
            else:
                (paragraphs if p.kind == "paragraph" else comments).setdefault(p.position, []).append(p)
        for chunks in (*paragraphs.values(), *comments.values()):
            chunks.sort(key=lambda p: p.chunk)
        return cls(thread_id, thread, title, paragraphs, comments)

    def chunk_at(self, kind: str, position: int, offset: int) -> Passage | None:
        """The passage (chunk) of a paragraph or comment that holds character `offset`."""
        chunks = (self.paragraphs if kind == "paragraph" else self.comments).get(position, [])
        for p in chunks:
            if p.start <= offset < p.end:
                return p
        return chunks[0] if chunks else None


async def load_parts(lib: ThreadLibrary, thread_id: str, scope: str = LOCAL_SCOPE) -> ThreadParts:
    thread = await lib.thread(thread_id, scope)
    passages = await lib.passages_of(thread_id, scope)
    return ThreadParts.build(thread_id, thread, passages)
