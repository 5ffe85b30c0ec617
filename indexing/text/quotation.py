"""Where quotations are in a text: double-quoted regions, and whether the last one is left open."""

from __future__ import annotations

import re

QUOTE_MARK = re.compile(r"''|``|[“”\"]")


def quote_regions(text: str) -> tuple[list[tuple[int, int]], bool]:
    """Spans of double-quoted text (marks included), and whether the last quote is left open
    (news style leaves a quote open at the end of a paragraph when the next one continues it).
    Two single quotes ('' or ``) count as a double quote, as some archives write them."""
    regions: list[tuple[int, int]] = []
    start: int | None = None
    for match in QUOTE_MARK.finditer(text):
        mark = match.group()
        if start is None and mark != "”":
            start = match.start()
        elif start is not None and mark not in ("“", "``"):
            regions.append((start, match.end()))
            start = None
    if start is not None:
        regions.append((start, len(text)))
    return regions, start is not None
