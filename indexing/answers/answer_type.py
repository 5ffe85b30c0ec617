"""What kind of thing a question asks for, and whether a text names one: a person for "who", a number
for "how many/much", a date for "when", a place for "where" (spaCy's entity recogniser, through the
shared pipeline). Used where the shape of the text alone cannot tell an answer from a restatement:
a headline answers only when it names what the question asks for ("... To Talk On Saturday" for
"when will they talk?"), never "what does the plugin do?".
"""

from __future__ import annotations

import functools
import re

from ..whosaid.nlp import english_pipeline

AnswerType = str  # "person", "number", "date", "place"
_TYPES: list[tuple[re.Pattern[str], AnswerType]] = [
    (re.compile(r"^\s*(?:who|whom|whose)\b", re.I), "person"),
    (re.compile(r"^\s*how\s+(?:many|much|long|old|far|big|large|often)\b|^\s*what\s+(?:percentage|number|"
                r"amount|share)\b", re.I), "number"),
    (re.compile(r"^\s*when\b|^\s*(?:in\s+)?what\s+(?:year|date|day|month|time|decade|century)\b", re.I), "date"),
    (re.compile(r"^\s*where\b|^\s*(?:in\s+)?what\s+(?:city|country|place|town|state|region)\b", re.I), "place"),
]
_LABELS: dict[AnswerType, frozenset[str]] = {
    "person": frozenset({"PERSON", "ORG", "NORP"}),
    "number": frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE", "TIME"}),
    "date": frozenset({"DATE", "TIME"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
}


def expected_type(question: str) -> AnswerType | None:
    for pattern, kind in _TYPES:
        if pattern.search(question):
            return kind
    return None


@functools.lru_cache(maxsize=4096)
def _entities(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((e.label_, e.text) for e in english_pipeline()(text).ents)


def names_expected(question: str, text: str) -> bool:
    """Whether `text` names a thing of the kind `question` asks for that the question does not name."""
    kind = expected_type(question)
    if kind is None:
        return False
    asked = question.lower()
    return any(label in _LABELS[kind] and name.lower() not in asked for label, name in _entities(text))
