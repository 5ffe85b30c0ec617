"""Extractive selection maths, pure numpy: sentence centrality, a lead prior, and MMR redundancy removal.

Centrality is LexRank's stationary distribution over the cosine graph of sentence embeddings; news
puts its point first, so a position prior and the similarity to the headline are mixed in. MMR
then picks sentences that score well but do not repeat what is already chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Length = Literal["short", "medium", "long"]


@dataclass(frozen=True)
class LengthPlan:
    min_sentences: int
    max_sentences: int
    words: int  # stop adding once this many words are chosen (after min_sentences)


LENGTHS: dict[str, LengthPlan] = {
    "short": LengthPlan(1, 2, 40),
    "medium": LengthPlan(3, 5, 130),
    "long": LengthPlan(6, 10, 260),
}


def lexrank(similarity: np.ndarray, damping: float = 0.85, iterations: int = 50) -> np.ndarray:
    """Stationary distribution of a random walk on the (non-negative) similarity graph."""
    n = similarity.shape[0]
    if n == 0:
        return np.zeros(0)
    weights = np.clip(similarity, 0.0, None).astype(np.float64)
    np.fill_diagonal(weights, 0.0)
    rows = weights.sum(axis=1, keepdims=True)
    transition = np.where(rows > 0, weights / np.where(rows > 0, rows, 1.0), 1.0 / n)
    scores = np.full(n, 1.0 / n)
    for _ in range(iterations):
        scores = (1 - damping) / n + damping * (scores @ transition)
    return scores


def _unit_range(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return values
    low, high = float(values.min()), float(values.max())
    return np.zeros_like(values) if high - low < 1e-9 else (values - low) / (high - low)


def sentence_scores(vectors: np.ndarray, title_vector: np.ndarray | None, positions: np.ndarray,
                    word_counts: np.ndarray) -> np.ndarray:
    """Salience of each sentence in [0, 1]-ish: centrality, headline similarity, lead position.

    `positions` is each sentence's index in reading order. Fragments under 6 words are damped:
    datelines and captions are central to nothing.
    """
    central = _unit_range(lexrank(vectors @ vectors.T))
    lead = 1.0 / np.sqrt(1.0 + positions.astype(np.float64))
    if title_vector is not None:
        headline = _unit_range(vectors @ title_vector)
        score = 0.35 * central + 0.35 * headline + 0.30 * lead
    else:
        score = 0.6 * central + 0.4 * lead
    return score * np.where(word_counts < 6, 0.5, 1.0)


def mmr_select(vectors: np.ndarray, scores: np.ndarray, word_counts: np.ndarray, plan: LengthPlan,
               diversity: float = 0.5) -> list[int]:
    """Maximal marginal relevance under a sentence and word budget; indices in reading order."""
    n = len(scores)
    chosen: list[int] = []
    words = 0
    remaining = set(range(n))
    similarity = vectors @ vectors.T
    while remaining and len(chosen) < plan.max_sentences:
        if len(chosen) >= plan.min_sentences and words >= plan.words:
            break
        best, best_value = -1, -np.inf
        for i in sorted(remaining):
            redundancy = max((similarity[i, j] for j in chosen), default=0.0)
            value = (1 - diversity) * scores[i] - diversity * redundancy
            # A sentence that would blow the word budget is only taken to reach the minimum count.
            if len(chosen) >= plan.min_sentences and words + word_counts[i] > plan.words * 1.25:
                continue
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        words += int(word_counts[best])
        remaining.discard(best)
    return sorted(chosen)
