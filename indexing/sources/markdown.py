"""Markdown or plain article text: title from the first heading (or first line), then paragraphs."""

from __future__ import annotations

import re

from ..errors import ParseError
from ..records import Thread
from ..text.sentences import split_sentences

LONG_FIRST_LINE = 150  # a first line longer than this is a paragraph, not a title

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def _plain(line: str) -> str:
    line = _LINK.sub(r"\1", line)
    line = _EMPHASIS.sub(r"\2", line)
    return re.sub(r"^\s*(?:[-*+]|\d+\.|>)\s+", "", line).strip()


def parse_markdown(text: str, source: str) -> Thread:
    lines = text.split("\n")
    title: str | None = None
    body: list[str] = []
    in_fence = False
    for i, line in enumerate(lines):
        if line.strip().startswith("```"):
            in_fence = not in_fence
            continue
        heading = _HEADING.match(line) if not in_fence else None
        if title is None and heading:
            title = _plain(heading.group(1))
            continue
        if title is None and line.strip() and i + 1 < len(lines) and _SETEXT.match(lines[i + 1]):
            title = _plain(line)
            continue
        if _SETEXT.match(line) and i > 0 and lines[i - 1].strip() and title == _plain(lines[i - 1]):
            continue
        if heading:
            body.append("")
            body.append(_plain(heading.group(1)))
            body.append("")
            continue
        if title is None and line.strip():
            title = _plain(line)
            if len(title) <= LONG_FIRST_LINE:
                continue
            title = _title_from_paragraph(title)  # and the line stays in the text
        body.append(line)
    if not title:
        raise ParseError(source, "the file is empty (no title or heading)")
    paragraphs, current = [], []
    for line in body:
        if line.strip():
            current.append(_plain(line))
        elif current:
            paragraphs.append(" ".join(c for c in current if c))
            current = []
    if current:
        paragraphs.append(" ".join(c for c in current if c))
    return Thread(title=title, paragraphs=tuple(p for p in paragraphs if p), source_file=source,
                  format="markdown")


def _title_from_paragraph(text: str) -> str:
    """A file without a heading that opens with a paragraph: its first sentence, cut at a word."""
    first = (split_sentences(text) or [text])[0]
    if len(first) <= LONG_FIRST_LINE:
        return first
    return first[:LONG_FIRST_LINE].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
