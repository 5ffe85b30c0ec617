"""Ranking maths as pure numpy functions: top k by argpartition, the dense cosine scan, and
reciprocal rank fusion of the dense and lexical rankings."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

RRF_K = 60


class TopK(NamedTuple):
    indices: np.ndarray  # row indices into the scored array, best first
    scores: np.ndarray


def top_k(scores: np.ndarray, k: int) -> TopK:
    """The k highest scores, best first: argpartition (linear) then sort only those k."""
    n = scores.shape[0]
    if n == 0 or k <= 0:
        return TopK(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=scores.dtype))
    if k >= n:
        order = np.argsort(-scores, kind="stable")
    else:
        part = np.argpartition(-scores, k - 1)[:k]
        order = part[np.argsort(-scores[part], kind="stable")]
    return TopK(order, scores[order])


def dense_scores(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row to the query (rows and query are unit vectors)."""
    return matrix @ query.astype(matrix.dtype, copy=False)


def dense_top_k(matrix: np.ndarray, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> TopK:
    scores = dense_scores(matrix, query).astype(np.float32, copy=False)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
        k = min(k, int(mask.sum()))
    return top_k(scores, k)


def reciprocal_rank_fusion(rankings: list[list[int]], weights: list[float] | None = None,
                           k: int = RRF_K) -> dict[int, float]:
    """Fuse ranked id lists: score(id) = sum_i w_i / (k + rank_i(id)), ranks from 1."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused
