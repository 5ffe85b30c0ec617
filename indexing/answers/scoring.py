"""Pure scoring helpers for answer sentences: question-word coverage, topic relevance, the asked slot."""

from __future__ import annotations

import math
import re

import numpy as np

from ..records import Hit
from ..text.lexical import STOPWORDS, content_terms, stem


def names_a_new_kind(sentence: str, noun: str, question_terms: set[str]) -> bool:
    """Whether `sentence` has `noun` after a content word the question lacks ("Lucas-Lehmer test")."""
    target = stem(noun)
    words = re.findall(r"[^\W_]+(?:[-–][^\W_]+)*", sentence.lower())
    for before, word in zip(words, words[1:], strict=False):
        if stem(word) == target and before not in STOPWORDS and stem(before) not in question_terms:
            return True
    return False


def relevant_to_topic(relevance: np.ndarray) -> np.ndarray:
    """Statements close enough to the asked topic; all of them when none stands out."""
    if relevance.size == 0:
        return np.zeros(0, dtype=bool)
    best = float(relevance.max())
    keep = relevance >= max(0.15, best - 0.2)
    return keep if keep.any() else np.ones_like(relevance, dtype=bool)


class Coverage:
    """IDF-weighted share of a question's words found in a text; IDF over the retrieved passages,
    so words every candidate shares (the topic) weigh less than the words that pick the answer."""

    def __init__(self, question: str, hits: list[Hit]):
        self.terms = set(content_terms(question))
        documents = [set(content_terms(h.passage.text)) for h in hits]
        self.idf = {w: math.log((len(documents) + 1) / (1 + sum(w in d for d in documents))) + 1.0
                    for w in self.terms}
        self.total = sum(self.idf.values()) or 1.0

    def of(self, text: str) -> float:
        return sum(self.idf[w] for w in self.terms & set(content_terms(text))) / self.total
