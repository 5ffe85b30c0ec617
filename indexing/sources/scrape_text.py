"""Page-scrape text: title line, article paragraphs, then comments led by `NAME's picture` lines."""

from __future__ import annotations

import re

from ..errors import ParseError
from ..records import Comment, Thread

_AUTHOR_LINE = re.compile(r"^\s*(?P<name>\S.{0,79}?)['’]s picture\s*$")


def author_of(line: str) -> str | None:
    match = _AUTHOR_LINE.match(line)
    return match.group("name").strip() if match else None


def has_comment_section(text: str) -> bool:
    lines = text.split("\n")
    return any(author_of(line) for line in lines) or _first_double_blank(lines, _first_content(lines) + 1) is not None


def _first_content(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if line.strip():
            return i
    return len(lines)


def _first_double_blank(lines: list[str], start: int) -> int | None:
    """Index of the first line of a run of two or more blank lines that has content after it."""
    i = start
    while i < len(lines):
        if not lines[i].strip():
            j = i
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j - i >= 2 and j < len(lines):
                return i
            i = j
        else:
            i += 1
    return None


def _paragraphs(lines: list[str]) -> list[str]:
    """Group lines into blank-line-separated paragraphs; lines inside a paragraph are kept as lines."""
    paragraphs, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def parse_scrape_text(text: str, source: str) -> Thread:
    lines = text.split("\n")
    title_at = _first_content(lines)
    if title_at == len(lines):
        raise ParseError(source, "the file is empty (no title line)")
    title = lines[title_at].strip()
    body_start = title_at + 1

    author_at = next((i for i in range(body_start, len(lines)) if author_of(lines[i])), None)
    blank_at = _first_double_blank(lines, body_start)
    starts = [i for i in (author_at, blank_at) if i is not None]
    comments_at = min(starts) if starts else len(lines)

    paragraphs = [p for p in _paragraphs(lines[body_start:comments_at])]
    comments = _comments(lines[comments_at:])
    return Thread(title=title, paragraphs=tuple(paragraphs), comments=tuple(comments), source_file=source,
                  format="page-text")


def _comments(lines: list[str]) -> list[Comment]:
    comments: list[Comment] = []
    author: str | None = None
    block: list[str] = []
    blank_run = 0

    def flush() -> None:
        text = "\n\n".join(_paragraphs(block))
        if text:
            comments.append(Comment(id=f"c{len(comments)}", author=author, text=text))

    for line in lines:
        name = author_of(line)
        if name:
            flush()
            author, block, blank_run = name, [], 0
            continue
        if not line.strip():
            blank_run += 1
            if blank_run == 2:
                flush()
                author, block = None, []
            block.append(line)
            continue
        blank_run = 0
        block.append(line)
    flush()
    return comments
