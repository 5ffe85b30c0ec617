"""Thread summaries, kept apart: what the article says (article.py) and what its readers say
(discussion.py). No LLM needed; with one, the extractive text is rewritten and re-checked
(rewrite.py).

Summaries are cached per thread content hash in the store, so a changed thread is summarised
afresh and an unchanged one costs one SQLite read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ThreadbotError
from ..records import LOCAL_SCOPE
from .article import summarize_article
from .discussion import summarize_discussion
from .extractive import LENGTHS, Length
from .parts import ThreadParts, load_parts
from .records import ThreadSummary
from .rewrite import rewrite_summary

if TYPE_CHECKING:
    from ..chat import ChatClient
    from ..library import ThreadLibrary

# Part of the cache key: bump it when the method changes so stored summaries are recomputed.
METHOD_VERSION = "extractive-3"


class SummaryError(ThreadbotError):
    """A summary could not be made (for example, the library has no embedding model)."""


async def build_summary(lib: ThreadLibrary, parts: ThreadParts, length: Length = "medium") -> ThreadSummary:
    if not lib.can_embed:
        raise SummaryError("summaries need the embedding model; open the library with an embedder")
    if length not in LENGTHS:
        raise SummaryError(f"unknown summary length {length!r}: use short, medium or long")
    article = await summarize_article(lib, parts, length) if parts.thread.paragraphs else None
    discussion = await summarize_discussion(lib, parts, length) if parts.thread.comments else None
    return ThreadSummary(thread_id=parts.thread_id, title=parts.thread.title, article=article,
                         discussion=discussion, length=length)


async def summarize(lib: ThreadLibrary, thread_id: str, scope: str = LOCAL_SCOPE,
                    length: Length = "medium", llm: ChatClient | None = None,
                    use_cache: bool = True) -> ThreadSummary:
    """The thread's summary, from the cache when this version of the thread was summarised before."""
    info = await lib.thread_info(thread_id, scope)
    mode = METHOD_VERSION if llm is None else f"llm+{METHOD_VERSION}"
    if use_cache:
        body = await lib.cached_summary(thread_id, info.content_hash, length, mode)
        if body is not None:
            return ThreadSummary.from_json(body)
    summary = await build_summary(lib, await load_parts(lib, thread_id, scope), length)
    if llm is not None:
        summary = await rewrite_summary(llm, summary)
    await lib.store_summary(thread_id, info.content_hash, length, mode, summary.to_json())
    return summary
