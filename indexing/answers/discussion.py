"""A discussion answer on a topic: the comments about it, grouped by author (and by thread when
several threads answer), the most engaging first: relevance to the topic, then the comment's score
and its replies where the format records them, shown beside each comment ("45 points, 3 replies").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..records import Hit, Passage
from ..text.shorten import focused_excerpt
from .citing import plural

if TYPE_CHECKING:
    from ..library import ThreadLibrary

EXCERPT_CHARS = 400
PER_AUTHOR = 3
# How much a comment's score and replies add to its relevance (a cosine) when ordering the views:
# enough to put the comment the thread upvoted first among equally relevant ones, never enough to
# lift an off-topic one.
SCORE_WEIGHT = 0.12
REPLY_WEIGHT = 0.06


@dataclass(frozen=True)
class Engagement:
    score: float | None = None
    replies: int = 0

    def label(self) -> str:
        parts = [plural(self.score, "point")] if self.score is not None else []
        if self.replies:
            parts.append(plural(self.replies, "reply"))
        return f" ({', '.join(parts)})" if parts else ""


async def engagement_of(library: ThreadLibrary, hits: Sequence[Hit]) -> dict[int, Engagement]:
    """Score and direct replies of each hit's comment (passage id -> Engagement), from its thread."""
    out: dict[int, Engagement] = {}
    for thread_id in dict.fromkeys(h.passage.thread_id for h in hits):
        first = next(h for h in hits if h.passage.thread_id == thread_id)
        thread = await library.thread(thread_id, first.passage.scope)
        scores = {c.id: c.score for c in thread.comments}
        replies: dict[str, int] = {}
        for c in thread.comments:
            if c.parent:
                replies[c.parent] = replies.get(c.parent, 0) + 1
        for h in hits:
            cid = h.passage.comment_id
            if h.passage.thread_id == thread_id and cid is not None and h.passage.id is not None:
                out[h.passage.id] = Engagement(scores.get(cid), replies.get(cid, 0))
    return out


def order_views(views: Sequence[tuple[Hit, float]], engagement: dict[int, Engagement]) -> list[Hit]:
    """The relevant comments, most engaging first (pure maths over relevance, score and replies)."""
    scores = [e.score for e in engagement.values() if e.score is not None and e.score > 0]
    top_score = max(scores, default=0.0)
    top_replies = max((e.replies for e in engagement.values()), default=0)

    def weight(item: tuple[Hit, float]) -> float:
        hit, relevance = item
        e = engagement.get(hit.passage.id or -1, Engagement())
        score = math.log1p(max(e.score or 0.0, 0.0)) / math.log1p(top_score) if top_score > 0 else 0.0
        replies = math.log1p(e.replies) / math.log1p(top_replies) if top_replies > 0 else 0.0
        return relevance + SCORE_WEIGHT * score + REPLY_WEIGHT * replies

    return [h for h, _ in sorted(views, key=lambda item: -weight(item))]


def view_lines(header: str, ordered: list[Hit], titles: dict[str, str], engagement: dict[int, Engagement],
               focus: Callable[[str], float], cite: Callable[[Passage], str]) -> list[str]:
    """The answer's lines: the header, then each author's comments (threads named when several)."""
    groups: dict[tuple[str, str], list[Hit]] = {}
    for h in ordered:
        groups.setdefault((h.passage.thread_id, h.passage.author or "(no author)"), []).append(h)
    threads = list(dict.fromkeys(thread for thread, _ in groups))
    lines = [header]
    for thread in threads:
        if len(threads) > 1:
            lines.append(f"From: {titles[thread]}")
        for (in_thread, author), author_hits in groups.items():
            if in_thread != thread:
                continue
            lines.append(f"{author}:")
            for h in author_hits[:PER_AUTHOR]:
                shown = " ".join(focused_excerpt(h.passage.text, EXCERPT_CHARS, focus).split())
                lines.append(f"- {shown}{engagement.get(h.passage.id or -1, Engagement()).label()} {cite(h.passage)}")
    return lines
