"""Every quotation mark Unicode has, and where an answer quotes: the regions the verbatim check
holds to the cited passages.

An answer (above all one written by a model) may quote in any convention: “English”, „German“,
«French», »Danish«, ”Swedish”, 「Japanese」, 『nested』, 〝CJK〟, ‹single guillemets›. The marks are
the Unicode categories Pi and Pf (initial and final quote punctuation), the opening and closing
brackets (Ps, Pe) that serve as quotation marks (corner and angle brackets), every character
named a QUOTATION MARK, and the ASCII and fullwidth marks. Pairing is deliberately loose: what a
mark opens may close with any mark of its conventions, and a region left open runs to the end,
since a false alarm only drops a sentence while a missed quote would let invented words through.
Single marks (' ‘ ’) double as apostrophes, so they quote only when they stand at word edges.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

# Marks that are also apostrophes or primes: quoting only at word edges ('We'll see' has one region).
AMBIGUOUS_SINGLES = frozenset("'‘’‛＇`❛❜")
_EXTRA_MARKS = "'`＇″‶ʺˮ〃"
_BRACKET_QUOTES = ("QUOTATION", "CORNER BRACKET", "ANGLE BRACKET")

# What closes a region each opener starts; other openers close with any mark that does not open.
_LEGACY = frozenset({'"', "“", "”", "''", "``"})
_CLOSERS: dict[str, frozenset[str]] = {
    **{m: _LEGACY - {"“", "``"} for m in _LEGACY},
    "„": frozenset('“”"'), "⹂": frozenset('“”"'), "‟": frozenset('”"'), "‚": frozenset("‘’'"),
    "«": frozenset("»"), "»": frozenset("«»"), "‹": frozenset("›"), "›": frozenset("‹›"),
    "「": frozenset("」"), "『": frozenset("』"), "〝": frozenset("〞〟"), "﹁": frozenset("﹂"),
    "﹃": frozenset("﹄"), "｢": frozenset("｣"), "＂": frozenset('＂"'),
}


# quote_marks() for Unicode 14.0.0 (Python 3.11), written out: scanning every code point took 0.6-0.9 s,
# most of a cold `threadbot ask`. Another Unicode version computes the set afresh. The escaped ones:
# U+2329/232A look like 〈〉 (U+3008/3009) and NFC-normalising editors fold them; the rest are rare.
_MARKS_UNICODE = "14.0.0"
_MARKS = frozenset(
    "\"'`«»ʺˮ‘’‚‛“”„‟″‶‹›〈〉❛❜❝❞❟❠❬❭❮❯❰❱⟨⟩⟪⟫⦑⦒⧼⧽⸂⸃⸄⸅⸉⸊⸌⸍⸜⸝⸠⸡⹂〃〈〉《》「」『』〝〞〟︽︾︿﹀﹁﹂﹃﹄＂＇｢｣"
    "\u2329\u232a\U0001f676\U0001f677\U0001f678\U000e0022")


@cache
def quote_marks() -> frozenset[str]:
    """Every character that marks a quotation."""
    return _MARKS if unicodedata.unidata_version == _MARKS_UNICODE else computed_quote_marks()


def computed_quote_marks() -> frozenset[str]:
    """quote_marks() from the Unicode database itself (a scan of every code point)."""
    marks = set(_EXTRA_MARKS)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        category = unicodedata.category(char)
        name = unicodedata.name(char, "")
        if category in ("Pi", "Pf") or "QUOTATION MARK" in name or (
            category in ("Ps", "Pe") and any(word in name for word in _BRACKET_QUOTES)
        ):
            marks.add(char)
    return frozenset(marks)


@cache
def _mark_pattern() -> re.Pattern[str]:
    singles = "".join(sorted(quote_marks()))
    return re.compile("''|``|[" + re.escape(singles) + "]")


def has_quote_mark(text: str) -> bool:
    return any(char in quote_marks() for char in text)


def canonical_marks(text: str) -> str:
    """Every single mark as ', every other mark as ": quotes compare across conventions."""
    return "".join(
        ("'" if char in AMBIGUOUS_SINGLES or char in "‹›‚❟" else '"') if char in quote_marks() else char
        for char in text
    )


def _word(char: str) -> bool:
    return char.isalnum()


def _opens_here(text: str, start: int, end: int) -> bool:
    """Standing where a quote opens: after a space, a bracket or the start, before a non-space."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not after.isspace() and (before.isspace() or unicodedata.category(before) in ("Ps", "Pi", "Pd")
                                    or before in quote_marks())


def _closes_here(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isspace() and not _word(after)


def _can_close(opener: str, mark: str) -> bool:
    if opener in _CLOSERS:
        return mark in _CLOSERS[opener]
    return mark == opener or unicodedata.category(mark[0]) not in ("Ps", "Pi")


def quoted_regions(text: str) -> list[tuple[int, int]]:
    """Spans of quoted text, marks included. An unclosed double quote runs to the end of the text;
    an unclosed single one is taken for an apostrophe."""
    regions: list[tuple[int, int]] = []
    opener: str | None = None
    start = 0
    for match in _mark_pattern().finditer(text):
        mark, s, e = match.group(), match.start(), match.end()
        single = mark in AMBIGUOUS_SINGLES
        if single and 0 < s and e < len(text) and _word(text[s - 1]) and _word(text[e]):
            continue  # an apostrophe: don't, l’été
        if opener is None:
            category = unicodedata.category(mark[0]) if len(mark) == 1 else "Po"
            if category == "Pe" or ((single or category == "Pf") and not _opens_here(text, s, e)):
                continue  # a closing mark with nothing open, or a ’ after a word
            opener, start = mark, s
        elif opener in AMBIGUOUS_SINGLES:
            if single and _closes_here(text, s, e):
                regions.append((start, e))
                opener = None
        elif _can_close(opener, mark) and (not single or _closes_here(text, s, e)):
            regions.append((start, e))
            opener = None
    if opener is not None and opener not in AMBIGUOUS_SINGLES:
        regions.append((start, len(text)))
    return regions
