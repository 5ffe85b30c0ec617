"""Every way the library and its adapters shorten a text, in one place.

- `excerpt`: whole sentences up to a character limit, then " …" (answers, digests, citations);
- `leading_sentences`: whole sentences up to a limit, no ellipsis (verbatim summary quotes);
- `shorten_words`: the first N words and "…" (clauses of a discussion overview);
- `truncate`: a hard character cut with "…" (titles, Discord fields);
- `one_line`: whitespace folded, then `truncate` (terminal listings);
- `plain_preview`: one line without quotation marks, cut at a word (so it never passes for a quote).
"""

from __future__ import annotations

import re

from .sentences import sentence_spans


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


def leading_sentences(text: str, limit: int) -> str:
    """Whole sentences from the start of `text` up to about `limit` characters (at least one)."""
    if len(text) <= limit:
        return text.strip()
    end = 0
    for _, e in sentence_spans(text):
        if e > limit and end:
            break
        end = e
    return text[: end or limit].strip()


def shorten_words(text: str, max_words: int) -> str:
    """The sentence itself, or its first `max_words` words ending in an ellipsis."""
    words = text.split()
    if len(words) <= max_words:
        return text.strip()
    return " ".join(words[:max_words]).rstrip(",;:-") + "…"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def one_line(text: str, limit: int) -> str:
    return truncate(" ".join(text.split()), limit)


def plain_preview(text: str, limit: int = 160) -> str:
    """A short preview without quotation marks, so it can never pass for a quote."""
    text = re.sub(r"[\"“”]", "", " ".join(text.split()))
    return text if len(text) <= limit else text[:text.rfind(" ", 0, limit)] + " …"
