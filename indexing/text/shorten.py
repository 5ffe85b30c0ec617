"""Every way the library and its adapters shorten a text, in one place.

- `excerpt`: whole sentences up to a character limit, then " …" (answers, digests, citations);
- `focused_excerpt`: the whole sentences around the one that best matches some words, "…" where cut;
- `leading_sentences`: whole sentences up to a limit, no ellipsis (verbatim summary quotes);
- `shorten_words`: the first N words and "…" (clauses of a discussion overview);
- `truncate`: a hard character cut with "…" (titles, Discord fields);
- `one_line`: whitespace folded, then `truncate` (terminal listings);
- `plain_preview`: one line without quotation marks, cut at a word (so it never passes for a quote).
"""

from __future__ import annotations

import re
from collections.abc import Callable

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


def focused_excerpt(text: str, limit: int, score: Callable[[str], float]) -> str:
    """Whole sentences of `text` up to `limit` characters around its best sentence by `score` (the
    first when none scores), with "… " / " …" where text was left out before or after."""
    if len(text) <= limit:
        return text
    spans = sentence_spans(text) or [(0, len(text))]
    scores = [score(text[b:e]) for b, e in spans]
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    if scores[best] <= 0 or spans[best][1] > limit and best == 0:
        return excerpt(text, limit)
    first = last = best
    while True:  # grow forward first (what follows explains), then back, while it fits
        if last + 1 < len(spans) and spans[last + 1][1] - spans[first][0] <= limit:
            last += 1
        elif first > 0 and spans[last][1] - spans[first - 1][0] <= limit:
            first -= 1
        else:
            break
    body = text[spans[first][0]:spans[last][1]].strip()
    if len(body) > limit:
        return excerpt(body, limit)
    return ("… " if first > 0 else "") + body + (" …" if last + 1 < len(spans) else "")


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
