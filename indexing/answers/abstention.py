"""When the thread does not say: evidence that carries across kinds of text, not weights fit to one file.

- The asked type: a question that asks for a person, a number, a date, a place or a name is answered
  only by a sentence that names one the question does not (spaCy's entity recogniser). Among the best
  sentences the first that does answers when it scores close to the best; when none of them does,
  the thread does not say.
- The asked topic: "What did X say about Android?" needs a sentence that mentions Android, not only X.
"""

from __future__ import annotations

import numpy as np

from ..text.lexical import content_terms
from .answer_type import expected_type, names_expected
from .candidates import Candidate

TYPE_POOL = 12  # best candidate sentences searched for one of the asked type


def typed_choice(question: str, candidates: list[Candidate], scores: np.ndarray, best: int,
                 margin: float) -> int | None:
    """The candidate to answer with given the asked type: `best` when no type is asked or it names
    one; a close runner-up that names one; None (abstain) when none of the best sentences does."""
    if expected_type(question) is None:
        return best
    order = [int(i) for i in np.argsort(-scores, kind="stable") if not candidates[int(i)].question][:TYPE_POOL]
    if best not in order:
        order.insert(0, best)
    for i in order:
        if names_expected(question, candidates[i].text):
            return i if i == best or scores[i] >= scores[best] - margin else best
    return None


def mentions_topic(topic: str | None, text: str) -> bool:
    """Whether `text` shares a content word with the asked topic (always, when there is no topic)."""
    terms = set(content_terms(topic or ""))
    return not terms or bool(terms & set(content_terms(text)))
