"""What kind of thing a question asks for, and whether a text names one: a person for "who", a number
for "how many/much", a date for "when", a place for "where" (spaCy's entity recogniser, through the
shared pipeline, one thread at a time: call `names_expected` from a worker thread, not the event
loop). Used where the shape of the text alone cannot tell an answer from a restatement:
a headline answers only when it names what the question asks for ("... To Talk On Saturday" for
"when will they talk?"), never "what does the plugin do?".
"""

from __future__ import annotations

import functools
import re

from ..whosaid.nlp import PIPELINE_LOCK, english_pipeline

AnswerType = str  # "person", "number", "date", "place", "name", "money", "advice"
_TYPES: list[tuple[re.Pattern[str], AnswerType]] = [
    (re.compile(r"^\s*(?:who|whom|whose)\b", re.I), "person"),
    # "What should you do if ...?": an instruction or a recommendation.
    (re.compile(r"^(?:.*,\s*)?what\s+(?:should|must|can|could|do)\s+(?:you|i|we|one|people|users|they)\s+do\b|"
                r"^\s*how\s+(?:should|can|do)\s+(?:you|i|we|one)\s+(?:avoid|stop|protect|prevent|fix)\b", re.I),
     "advice"),
    # "How much did it cost?": an amount of money, not any number ("Ubuntu 12.04").
    (re.compile(r"^\s*how\s+much\b.*\b(?:cost|costs|charge|charges|charged|pay|paid|pays|price|spend|spent|"
                r"earn|earned|worth|sell|sold|raise|raised)\b|^\s*what\s+(?:is|was|are|were)\s+(?:the\s+)?"
                r"(?:\w+\s+)?(?:price|cost|salary|budget|fee)\b", re.I), "money"),
    (re.compile(r"^\s*how\s+(?:many|much|long|old|far|big|large|often)\b|^\s*what\s+(?:percentage|number|"
                r"amount|share)\b", re.I), "number"),
    (re.compile(r"^\s*when\b|^\s*(?:in\s+)?what\s+(?:year|date|day|month|time|decade|century)\b", re.I), "date"),
    (re.compile(r"^\s*where\b|^\s*(?:in\s+)?what\s+(?:city|country|place|town|state|region)\b", re.I), "place"),
    # "What was the name of the company ...?", "What is the screen size ...?"
    # ("another name for X" asks for a synonym, which no entity label marks)
    (re.compile(r"\bnames?\s+of\s+(?:the|a|an|this|that|his|her|their|its|our|my)\b", re.I), "name"),
    (re.compile(r"^\s*(?:what|which)\s+(?:is|was|are|were)\s+(?:the\s+)?(?:\w+\s+)?(?:size|weight|height|"
                r"length|width|population|capacity|score)\b", re.I), "number"),
]
_LABELS: dict[AnswerType, frozenset[str]] = {
    "person": frozenset({"PERSON", "ORG", "NORP"}),
    "number": frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE", "TIME"}),
    "money": frozenset({"MONEY"}),
    "advice": frozenset(),
    "date": frozenset({"DATE", "TIME"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "name": frozenset({"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW"}),
}


def expected_type(question: str) -> AnswerType | None:
    for pattern, kind in _TYPES:
        if pattern.search(question):
            return kind
    return None


@functools.lru_cache(maxsize=4096)
def _entities(text: str) -> tuple[tuple[str, str], ...]:
    nlp = english_pipeline()
    with PIPELINE_LOCK:
        return tuple((e.label_, e.text) for e in nlp(text).ents)


# Counts the recogniser does not label: "a single output", "dozens of", "hundreds".
_COUNT_WORDS = re.compile(r"\b(?:\d+(?:[.,]\d+)*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                          r"twenty|thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|single|"
                          r"once|twice|half|double|triple)\b", re.I)


_ADVICE = re.compile(r"\b(?:should|must|need to|have to|recommend|make sure|never|always|don['’]t|do not|avoid)\b",
                     re.I)


@functools.lru_cache(maxsize=4096)
def _imperative(text: str) -> bool:
    """A sentence that starts with a bare verb: "Report the account ...", "Block them."."""
    nlp = english_pipeline()
    with PIPELINE_LOCK:
        doc = nlp(text[:300])
    words = [t for t in doc if not t.is_punct and not t.is_space]
    return bool(words) and words[0].tag_ == "VB"


def names_expected(question: str, text: str) -> bool:
    """Whether `text` names a thing of the kind `question` asks for that the question does not name."""
    kind = expected_type(question)
    if kind is None:
        return False
    asked = question.lower()
    if kind == "advice":
        return bool(_ADVICE.search(text)) or _imperative(text)
    if kind == "number" and any(m.group(0).lower() not in asked for m in _COUNT_WORDS.finditer(text)):
        return True
    return any(label in _LABELS[kind] and name.lower() not in asked for label, name in _entities(text))
