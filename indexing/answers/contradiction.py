"""Signs that the text contradicts a question's premise, so the best sentence is not its answer.

Questions written to look answerable (SQuAD 2.0's unanswerable ones, or a user's wrong guess) often
swap one word of the text for its opposite ("the least used reduction" where the text has "the most
commonly used"), negate it ("uncomplicated definitions" against "complicated definitions") or
change a figure ("41,500 square kilometres" where the text says 415,000). The best-matching
sentence then shares almost every word with the question, so similarity alone cannot tell; these
checks can, and they stay silent on ordinary paraphrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words of opposite meaning (both directions are checked), compared by their stems (below) so that
# "exposes" meets "protect". Groups of near-synonyms oppose each other pairwise.
_OPPOSITES = [
    ("least", "most"), ("fewest", "most"), ("fewer", "more"), ("less", "more"), ("smallest", "largest"),
    ("smaller", "larger"), ("lowest", "highest"), ("worst", "best"), ("worse", "better"),
    ("minimum", "maximum"), ("first", "last"), ("before", "after"), ("earliest", "latest"),
    ("oldest", "youngest"), ("shortest", "longest"), ("slowest", "fastest"), ("weakest", "strongest"),
    ("weak", "strong"), ("rise", "fall"), ("rose", "fell"), ("gain", "loss"), ("win", "lose"),
    ("won", "lost"), ("never", "always"), ("rarely", "often"), ("rarely", "commonly"), ("rare", "common"),
    ("above", "below"), ("inside", "outside"), ("internal", "external"), ("north", "south"),
    ("northern", "southern"), ("east", "west"), ("eastern", "western"), ("toward", "away"),
    ("towards", "away"), ("protect", "expose"), ("accept", "reject"), ("success", "failure"),
    ("successful", "unsuccessful"), ("open", "closed"), ("major", "minor"), ("true", "false"),
    ("same", "different"), ("private", "public"), ("ancient", "modern"), ("precise", "inaccurate"),
    ("precise", "imprecise"), ("simple", "complex"), ("positive", "negative"), ("start", "end"),
    ("began", "ended"), ("include", "exclude"), ("legal", "illegal"), ("possible", "impossible"),
]
_OPPOSITE_GROUPS = [
    (("allow", "permit", "enable"), ("prevent", "stop", "stopped", "forbid", "block")),
    (("increase", "raise", "elevate", "higher", "grow"), ("decrease", "reduce", "lower", "shrink", "decline")),
]
_OPPOSITES += [(a, b) for ups, downs in _OPPOSITE_GROUPS for a in ups for b in downs]


def _stem(word: str) -> str:
    """Inflections off ("exposes", "exposed" -> "expos"); never "-ly", so "mostly" stays apart
    from "most"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[:-len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


OPPOSITES: dict[str, frozenset[str]] = {}
for _a, _b in _OPPOSITES:
    OPPOSITES[_stem(_a)] = OPPOSITES.get(_stem(_a), frozenset()) | {_stem(_b)}
    OPPOSITES[_stem(_b)] = OPPOSITES.get(_stem(_b), frozenset()) | {_stem(_a)}

_NEGATING_PREFIXES = ("un", "in", "im", "il", "ir", "non", "dis")
# A figure standing alone: "10th", "1990s" and "km2" are words, not figures to look up.
_NUMBER = re.compile(r"(?<![^\W\d_])(?:\d[\d,.]*\d|\d)(?![^\W_])")
_YEAR = range(1000, 2101)


# "at least three" is no superlative: idioms are dropped before the words are compared.
_IDIOMS = re.compile(r"\bat (?:least|most|last|first|best|worst)\b|\bmore or less\b|\bsooner or later\b", re.I)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", _IDIOMS.sub(" ", text).lower()))


def _figure(number: str) -> str:
    return number.replace(",", "").rstrip(".")


def premise_conflicts(question: str, sentence: str, passages: Iterable[str]) -> list[str]:
    """Why the sentence (and the retrieved passages) contradict the question; empty if they do not.

    - a question word whose opposite the sentence has instead ("least" against "most");
    - a question word that is a negation of a sentence word, or the reverse ("uncomplicated"
      against "complicated", "active" against "inactive");
    - a figure of the question found in none of the passages. Small numbers ("Type 1", written
      "Type I" in the text) and years (implied by "the previous five years") are not checked.
    """
    asked, said = _words(question), _words(sentence)
    asked_stems = {_stem(w) for w in asked}
    said_by_stem = {_stem(w): w for w in sorted(said)}
    reasons = []
    for word in sorted(asked - said):
        reasons += [f"{word!r} against {said_by_stem[o]!r}" for o in sorted(OPPOSITES.get(_stem(word), ()))
                    if o in said_by_stem and o not in asked_stems]
        for prefix in _NEGATING_PREFIXES:
            base = word[len(prefix):]
            if word.startswith(prefix) and len(base) >= 5 and base in said:
                reasons.append(f"{word!r} against {base!r}")
            if len(word) >= 5 and prefix + word in said:
                reasons.append(f"{word!r} against {prefix + word!r}")
    figures = {_figure(n) for p in passages for n in _NUMBER.findall(p)}
    for number in _NUMBER.findall(question):
        figure = _figure(number)
        small = len(figure.replace(".", "")) < 2
        year = figure.isdigit() and int(figure) in _YEAR
        if not small and not year and figure not in figures:
            reasons.append(f"{number} is in none of the passages")
    return reasons
