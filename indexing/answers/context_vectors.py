"""A candidate sentence's vector in its context, from vectors of single sentences.

A sentence is scored with the one before it ("In his paper, he explained ..." needs its neighbour to
be about Hutton). Embedding each (previous, sentence) pair embedded every sentence twice, once as
itself and once as its successor's context, and that took most of a question's time. Instead every
distinct sentence is embedded once, and a candidate's vector is the mean of its two sentences'
vectors weighted by their word counts, normalised: what mean pooling over the joined text gives
when neither sentence's tokens attend to the other's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def sentences_to_embed(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """The distinct non-empty sentences of (previous, sentence) pairs, in first-seen order."""
    return list(dict.fromkeys(text for pair in pairs for text in pair if text))


def in_context(pairs: Sequence[tuple[str, str]], texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
    """Unit vectors of (previous, sentence) pairs, from `vectors[i]`, the unit vector of `texts[i]`."""
    if not pairs:
        return np.zeros((0, vectors.shape[1]), dtype=np.float32)
    row = {text: i for i, text in enumerate(texts)}
    words = np.array([max(1, len(text.split())) for text in texts], dtype=np.float32)
    own = np.array([row[sentence] for _, sentence in pairs])
    before = np.array([row.get(previous, -1) for previous, _ in pairs])
    has_before = before >= 0
    combined = vectors[own] * words[own, None]
    combined[has_before] += vectors[before[has_before]] * words[before[has_before], None]
    norms = np.linalg.norm(combined, axis=1, keepdims=True)
    return (combined / np.maximum(norms, 1e-12)).astype(np.float32)
