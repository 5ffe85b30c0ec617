"""The citation record shared by answers, summaries and digests, and the excerpt rule they quote by."""

from __future__ import annotations

from dataclasses import dataclass

from .sentences import sentence_spans


@dataclass
class Citation:
    """One source behind a `[n]` marker: `ref` is the marker as it appears in the text."""

    ref: str  # "[1]"
    thread_id: str
    passage_id: int | None
    kind: str  # "title" | "paragraph" | "comment"
    author: str | None
    text: str
    score: float


def excerpt(text: str, limit: int) -> str:
    """The text, or its first whole sentences up to `limit` characters followed by an ellipsis.

    A first sentence longer than `limit` is cut at the last word boundary before it.
    """
    if len(text) <= limit:
        return text
    end = 0
    for _, e in sentence_spans(text):
        if e > limit:
            break
        end = e
    if end == 0:
        end = text.rfind(" ", 0, limit) if " " in text[:limit] else limit
    return text[:end].rstrip() + " …"
