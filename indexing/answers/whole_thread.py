"""A discussion question about the thread as a whole ("What do commenters think of the article?",
"What do most commenters joke about?") is answered with the discussion's themes and their sizes,
the most upvoted and the most replied comments: the summaries wing's analysis, not the comments
nearest to words like "the article", which name no view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..records import Passage
from ..text.lexical import content_terms
from ..text.shorten import excerpt
from .candidates import THREAD_WORDS
from .citing import plural

if TYPE_CHECKING:
    from ..library import ThreadLibrary

THEMES_SHOWN = 5
QUOTE_CHARS = 280


def asks_about_whole_thread(topic: str | None, title: str) -> bool:
    """Whether the asked topic names nothing beyond the thread itself (its title's words, "the article")."""
    left = set(content_terms(topic or "")) - THREAD_WORDS - set(content_terms(title))
    return not left


async def whole_thread_lines(library: ThreadLibrary, thread_id: str, scope: str, title: str,
                             cite: Callable[[Passage], str]) -> list[str] | None:
    """The lines of the answer, citing each comment shown; None when the thread has no themes."""
    # The summaries wing builds on this one (its LLM rewrite uses the verbatim checks): import when used.
    from ..summaries.summarize import summarize

    discussion = (await summarize(library, thread_id, scope)).discussion
    if discussion is None or not discussion.themes:
        return None
    ids = [r.passage_id for t in discussion.themes[:THEMES_SHOWN] for r in t.representative[:1]]
    ids += [c.passage_id for c in discussion.top_scored[:1]] + [c.passage_id for c in discussion.most_replied[:1]]
    passages = await library.passages_by_id(ids, scope)
    lines = [f"What commenters say in {title} ({plural(discussion.comment_count, 'comment')} by "
             f"{plural(discussion.author_count, 'commenter')}), by theme:"]
    for theme in discussion.themes[:THEMES_SHOWN]:
        shown = [passages[r.passage_id] for r in theme.representative[:1] if r.passage_id in passages]
        if shown:
            lines.append(f"• {theme.label} ({plural(theme.comment_count, 'comment')}): {_quoted(shown[0], cite)}")
    for scored in discussion.top_scored[:1]:
        if scored.passage_id in passages:
            lines.append(f"• Most upvoted ({plural(scored.score, 'point')}): "
                         f"{_quoted(passages[scored.passage_id], cite)}")
    for replied in discussion.most_replied[:1]:
        if replied.passage_id in passages:
            lines.append(f"• Most replied to ({plural(replied.replies, 'reply')}): "
                         f"{_quoted(passages[replied.passage_id], cite)}")
    return lines if len(lines) > 1 else None


def _quoted(passage: Passage, cite: Callable[[Passage], str]) -> str:
    text = " ".join(excerpt(passage.text, QUOTE_CHARS).split())
    return f"{passage.author or 'a reader'}: {text} {cite(passage)}"
