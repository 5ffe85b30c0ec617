"""Counts in words, the one way the library writes them: "1 comment", "3 replies", "40 points"."""

from __future__ import annotations


def noun(count: int | float, singular: str, plural: str | None = None) -> str:
    """"1 comment", "2 comments" (and "1 reply", "3 replies"); a whole float is shown as an integer."""
    word = singular if count == 1 else (plural or (singular[:-1] + "ies" if singular.endswith("y")
                                                    and singular[-2:-1] not in "aeiou" else singular + "s"))
    shown = int(count) if float(count).is_integer() else count
    return f"{shown} {word}"
