"""Sentence boundaries as character spans, shared by chunking, answers and summaries."""

from __future__ import annotations

import re
from functools import lru_cache

# Abbreviations that end in a period but rarely end a sentence in news text.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt", "st", "jr", "sr",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "no", "vs", "etc", "inc", "corp", "co", "ltd", "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m", "d.c",
    # References and measures in encyclopaedic text: "(Vol. 1)", "p. 12", "Fig. 3", "approx. 40".
    "vol", "vols", "p", "pp", "fig", "figs", "eq", "ch", "sec", "approx", "ca", "cf", "dept", "est", "mt", "ft",
}
_BOUNDARY = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")
_NEWLINES = re.compile(r"\n\s*\n|\n")


def _is_abbreviation(text: str, dot_index: int) -> bool:
    start = dot_index
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot_index].lower().rstrip(".")
    if word in _ABBREVIATIONS:
        return True
    # A single capital initial ("Donald J. Trump") is not a sentence end.
    return len(word) == 1 and text[start].isupper()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split `text` into sentences, returned as (start, end) offsets with surrounding space trimmed.

    Line breaks always end a sentence (comments are often one thought per line).
    """
    return list(_sentence_spans(text))


# Answers split the same hits (and a thread's every comment, to find who answers its questions)
# question after question: the last few thousand texts' spans are remembered.
@lru_cache(maxsize=4096)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    line_start = 0
    for block in [*_NEWLINES.finditer(text), None]:
        line_end = block.start() if block else len(text)
        _split_line(text, line_start, line_end, spans)
        if block:
            line_start = block.end()
    return tuple(spans)


def _split_line(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        first_dot = match.start()
        if text[first_dot] == "." and match.end() - first_dot == 1 and _is_abbreviation(text, first_dot):
            continue
        _append_trimmed(text, cursor, match.end(), spans)
        cursor = match.end()
    _append_trimmed(text, cursor, end, spans)


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]
