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
    # The sentences of every long text counted in one call, not one call (and one thread hop) a text.
    long = [i for i, tokens in enumerate(counts) if tokens > budget]
    sentences = {i: sentence_spans(units[i][2]) or [(0, len(units[i][2]))] for i in long}
    sizes = iter(count_tokens([units[i][2][s:e] for i in long for s, e in sentences[i]]) if long else ())
    passages = []
    for i, (kind, position, text, author, comment_id, parent) in enumerate(units):
        spans = (_packed(text, sentences[i], [next(sizes) for _ in sentences[i]], count_tokens, budget)
                 if i in sentences else [(0, len(text))])
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
    return _packed(text, sentences, count_tokens([text[s:e] for s, e in sentences]), count_tokens, budget)


def _packed(text: str, sentences: list[tuple[int, int]], sizes: list[int], count_tokens: TokenCounter,
            budget: int) -> list[tuple[int, int]]:
    """`chunk_spans` given the sentences and their token counts. A sentence that fits is a piece whose
    count is known; only the pieces of a sentence cut at words are counted."""
    pieces: list[tuple[int, int]] = []
    piece_sizes: list[int] = []
    cut: list[int] = []  # the pieces cut at words, counted below
    for (s, e), size in zip(sentences, sizes, strict=True):
        if size <= budget:
            pieces.append((s, e))
            piece_sizes.append(size)
        else:
            for span in _word_spans(text, s, e, count_tokens, budget):
                cut.append(len(pieces))
                pieces.append(span)
                piece_sizes.append(0)
    if cut:
        for i, size in zip(cut, count_tokens([text[pieces[i][0]:pieces[i][1]] for i in cut]), strict=True):
            piece_sizes[i] = size
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
