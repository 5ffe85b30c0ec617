"""The rule that keeps answers honest: text shown in quotation marks is a verbatim substring of a
passage cited next to it. Checked on every answer, extractive or written by an LLM.

An answer is checked line by line: the `[n]` markers of a line are the sources for the quotes on
it. An ellipsis inside a quote marks an omission, so each piece between ellipses must be verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .attribution import quote_regions

REF = re.compile(r"\[(\d+)\]")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.+)\s*")
_QUOTE_MARKS = "“”\"'`"


def _normalise(text: str) -> str:
    """Compare modulo whitespace runs and curly vs straight quote marks."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())


def line_refs(line: str) -> list[int]:
    return [int(n) for n in REF.findall(line)]


def unverified_quotes(answer: str, passages: Mapping[int, str]) -> list[str]:
    """Quoted strings in `answer` that no passage cited on the same line contains verbatim.

    `passages` maps a citation number to its passage text. A quote on a line without a valid
    citation is unverified too.
    """
    bad: list[str] = []
    for line in answer.splitlines():
        if not any(mark in line for mark in _QUOTE_MARKS):
            continue
        sources = [_normalise(passages[n]) for n in line_refs(line) if n in passages]
        text = REF.sub("", line)
        regions, _ = quote_regions(text)
        for start, end in regions:
            inner = text[start:end].strip(_QUOTE_MARKS + " ")
            pieces = [p.strip(" ,") for p in _ELLIPSIS.split(inner)]
            for piece in pieces:
                if not piece:
                    continue
                wanted = _normalise(piece)
                if not any(wanted in source for source in sources):
                    bad.append(piece)
    return bad


def drop_unverified_lines(answer: str, passages: Mapping[int, str]) -> tuple[str, list[str]]:
    """Remove every line that carries an unverified quote; returns the answer and what was dropped."""
    kept, dropped = [], []
    for line in answer.splitlines():
        if unverified_quotes(line, passages):
            dropped.append(line)
        else:
            kept.append(line)
    return "\n".join(kept), dropped
