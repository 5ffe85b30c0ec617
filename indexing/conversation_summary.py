"""Channel summaries and answers with no upload: a channel's recent messages, read on demand.

The messages are indexed into a scratch library on a temporary database file (the same embedding
model, under the same model lock), summarised (or asked) with the same extractive machinery as a
news thread's discussion, and the file is deleted before returning: nothing read this way is kept
in the real database. Citations come back resolved to the messages they cite.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .answers.engine import Answer, AnswerEngine
from .library import ThreadLibrary
from .records import Citation, ServerMessage, Thread
from .summaries.extractive import Length
from .summaries.records import ThreadSummary
from .summaries.summarize import summarize

SCRATCH_SCOPE = "conversation"


@dataclass
class ConversationResult:
    """A summary or an answer over a channel's messages, with each citation's message."""

    title: str
    message_count: int
    author_count: int
    summary: ThreadSummary | None = None
    answer: Answer | None = None
    cited: dict[int, ServerMessage] = field(default_factory=dict)  # passage id -> message

    def message_of(self, citation: Citation) -> ServerMessage | None:
        return self.cited.get(citation.passage_id) if citation.passage_id is not None else None


def conversation_thread(title: str, messages: list[ServerMessage]) -> Thread:
    ids = {m.message_id for m in messages}
    return Thread(title=title, comments=tuple(m.comment(ids) for m in messages if m.text.strip()),
                  source="discord")


async def _scratch(lib: ThreadLibrary, folder: str) -> ThreadLibrary:
    scratch = await ThreadLibrary.open(Path(folder) / "conversation.db", lib.embedder, long_running=False)
    scratch.extractor = None  # who-said-what is not needed for a summary of chat
    # One model, two libraries: its calls stay one at a time across both.
    scratch._model_lock = lib._model_lock
    return scratch


async def _run(lib: ThreadLibrary, title: str, messages: list[ServerMessage], question: str | None,
               length: Length) -> ConversationResult:
    thread = conversation_thread(title, messages)
    result = ConversationResult(title, len(thread.comments), len({m.author_id for m in messages}))
    if not thread.comments:
        return result
    by_id = {m.message_id: m for m in messages}
    with tempfile.TemporaryDirectory(prefix="threadbot-conversation-") as folder:
        scratch = await _scratch(lib, folder)
        try:
            indexed = await scratch.index_thread(thread, SCRATCH_SCOPE)
            if question is None:
                result.summary = await summarize(scratch, indexed.thread_id, SCRATCH_SCOPE, length, use_cache=False)
            else:
                result.answer = await AnswerEngine(scratch).ask(question, indexed.thread_id, SCRATCH_SCOPE)
            for p in await scratch.passages_of(indexed.thread_id, SCRATCH_SCOPE):
                if p.id is not None and p.comment_id in by_id:
                    result.cited[p.id] = by_id[p.comment_id]
        finally:
            await scratch.close()
    return result


async def summarize_conversation(lib: ThreadLibrary, title: str, messages: list[ServerMessage],
                                 length: Length = "medium") -> ConversationResult:
    """Themes with counts, who argued what, verbatim quotes: the discussion summary of `messages`."""
    return await _run(lib, title, messages, None, length)


async def answer_from_conversation(lib: ThreadLibrary, title: str, messages: list[ServerMessage],
                                   question: str) -> ConversationResult:
    return await _run(lib, title, messages, question, "medium")
