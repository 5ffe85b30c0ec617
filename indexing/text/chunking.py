"""Turn a Thread into Passages: the title, each paragraph, each comment; long texts split at sentences."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..records import Passage, PassageKind, Thread
from .sentences import sentence_spans

TokenCounter = Callable[[Sequence[str]], list[int]]


def thread_passages(thread: Thread, thread_id: str, count_tokens: TokenCounter,
                    max_tokens: int = 256) -> list[Passage]:
    """All passages of a thread in reading order. Chunks keep their parent's identity and offsets."""
    units: list[tuple[PassageKind, int, str, str | None, str | None, str | None]] = [
        ("title", 0, thread.title, None, None, None)]
    units += [("paragraph", i, p, None, None, None) for i, p in enumerate(thread.paragraphs)]
    units += [("comment", i, c.text, c.author, c.id, c.parent) for i, c in enumerate(thread.comments)]
    budget = max_tokens - 16  # room for special tokens and tokenizer disagreement at chunk seams
    counts = count_tokens([u[2] for u in units])
    passages = []
    for (kind, position, text, author, comment_id, parent), tokens in zip(units, counts, strict=True):
        spans = [(0, len(text))] if tokens <= budget else chunk_spans(text, count_tokens, budget)
        for chunk, (start, end) in enumerate(spans):
            passages.append(Passage(thread_id=thread_id, kind=kind, position=position, text=text[start:end],
                                    chunk=chunk, start=start, end=end, author=author,
                                    comment_id=comment_id, parent_id=parent))
    return passages


def chunk_spans(text: str, count_tokens: TokenCounter, budget: int) -> list[tuple[int, int]]:
    """Greedy packing of whole sentences into spans of at most `budget` tokens.

    A single sentence longer than the budget is cut at word boundaries, since a model
    truncates silently and the tail would otherwise never be searchable.
    """
    sentences = sentence_spans(text) or [(0, len(text))]
    pieces: list[tuple[int, int]] = []
    sizes = count_tokens([text[s:e] for s, e in sentences])
    for (s, e), size in zip(sentences, sizes, strict=True):
        if size <= budget:
            pieces.append((s, e))
        else:
            pieces += _word_spans(text, s, e, count_tokens, budget)
    piece_sizes = count_tokens([text[s:e] for s, e in pieces])
    spans: list[tuple[int, int]] = []
    start, end, used = pieces[0][0], pieces[0][1], piece_sizes[0]
    for (s, e), size in zip(pieces[1:], piece_sizes[1:], strict=True):
        if used + size - 2 <= budget:
            end, used = e, used + size - 2
        else:
            spans.append((start, end))
            start, end, used = s, e, size
    spans.append((start, end))
    return spans


def _word_spans(text: str, start: int, end: int, count_tokens: TokenCounter, budget: int) -> list[tuple[int, int]]:
    words: list[tuple[int, int]] = []
    i = start
    while i < end:
        while i < end and text[i].isspace():
            i += 1
        j = i
        while j < end and not text[j].isspace():
            j += 1
        if j > i:
            words.append((i, j))
        i = j
    if not words:
        return [(start, end)]
    sizes = [max(1, n - 2) for n in count_tokens([text[s:e] for s, e in words])]
    spans, span_start, used, last_end = [], words[0][0], 2, words[0][0]
    for (s, e), size in zip(words, sizes, strict=True):
        if used + size > budget and last_end > span_start:
            spans.append((span_start, last_end))
            span_start, used = s, 2
        used += size
        last_end = e
    spans.append((span_start, last_end))
    return spans
