"""Who posted a thread and what it links to: answered from the thread's own record (the post's
author, score and link, which the importers read from the site's data), cited to the title passage.

"Who submitted the link and what did it link to?" is about the post itself, not about any sentence
in it, so retrieval over passages cannot answer it; the thread record can.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from ..records import Passage, Thread
from .candidates import dominant_thread

if TYPE_CHECKING:
    from ..library import ThreadLibrary

# "Who posted ...?", or "who wrote/started the post (thread, link, story)?": a question about the post
# itself. "Who wrote the song?" is not one.
SUBMITTER = re.compile(r"\bwho\s+(?:submitted|posted|shared|uploaded|put up)\b"
                       r"|\bwho\s+(?:wrote|started|created|made)\s+(?:the|this)\s+(?:post|thread|submission|link|story)\b"
                       r"|\b(?:submitter|original poster)\b", re.I)
LINK = re.compile(r"\b(?:link(?:s|ed)?\s+to|linked|what\s+(?:site|article|page)|which\s+(?:site|article|page)"
                  r"|published\s+the\s+linked|url)\b", re.I)


def asks_for_submission(question: str) -> bool:
    return bool(SUBMITTER.search(question))


async def submission_answer(library: ThreadLibrary, question: str, thread_id: str | None, scope: str | None,
                            cite: Callable[[Passage], str]) -> list[str] | None:
    """Who posted the thread (and what it links to), from the thread's record, or None when the
    thread is unclear or does not record its poster (retrieval answers then)."""
    if thread_id is None:
        thread_id = dominant_thread(await library.search(question, scope=scope, k=10), question)
        if thread_id is None:
            return None
    thread = await library.thread(thread_id, scope)
    title = next((p for p in await library.passages_of(thread_id, scope) if p.kind == "title"), None)
    if title is None or not thread.author:
        return None
    return submission_lines(question, thread, title, cite(title))


def submission_lines(question: str, thread: Thread, title: Passage, ref: str) -> list[str] | None:
    """The answer's lines, or None when the thread does not record its poster."""
    if not thread.author:
        return None
    points = ""
    if thread.score is not None:
        count = int(thread.score)
        points = f" ({count} {'point' if count == 1 else 'points'})"
    lines = [f"“{title.text}” was posted by {thread.author}{points}. {ref}"]
    link = _link(thread)
    if link and LINK.search(question):
        site = urlparse(link).netloc.removeprefix("www.")
        lines.append(f"It links to {link}" + (f" on {site}." if site else ".") + f" {ref}")
    return lines


def _link(thread: Thread) -> str | None:
    """The page a link post points to: its `source` when that is a URL (Reddit link posts), else its
    `url` when that is not the discussion page itself."""
    for value in (thread.source, thread.url):
        if value and value.startswith(("http://", "https://")) and not _discussion_page(value):
            return value
    return None


def _discussion_page(url: str) -> bool:
    host = urlparse(url).netloc.lower()
    return host.endswith(("reddit.com", "news.ycombinator.com", "redd.it"))
