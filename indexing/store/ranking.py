"""Ranking maths as pure numpy functions: top k by argpartition, the dense cosine scan, and
reciprocal rank fusion of the dense and lexical rankings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import NamedTuple, TypeVar

import numpy as np

RRF_K = 60
T = TypeVar("T")


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


def top_k_ties_by_index(scores: np.ndarray, k: int) -> TopK:
    """`top_k` with equal scores always in index order, whatever k: BM25 ties are common (copies
    of a text score alike), and a tie broken one way at k=50 and another at k=1000 would rank the
    same passage differently as a search goes deeper."""
    n = scores.shape[0]
    if k >= n or k <= 0:
        return top_k(scores, k)
    threshold = scores[np.argpartition(-scores, k - 1)[k - 1]]
    above = np.flatnonzero(scores > threshold)
    ties = np.flatnonzero(scores == threshold)[: k - above.size]
    chosen = np.concatenate([above, ties])
    order = chosen[np.argsort(-scores[chosen], kind="stable")]
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


def fused_top_is_exact(fused: dict[int, float], dense: list[int], lexical: list[int], k: int,
                       dense_complete: bool, lexical_complete: bool, rrf_k: int = RRF_K) -> bool:
    """Whether the top k of `fused` (the fusion of the top of each ranking) is the top k of the
    fusion of the full rankings. A passage missing from a truncated ranking ranks below its end,
    so it gains at most 1 / (rrf_k + len + 1) from that side: the fused top k is certain when its
    k-th score (a lower bound) is at least every other passage's upper bound, those never seen
    included. `*_complete`: that ranking holds every passage it could rank."""
    dense_gap = 0.0 if dense_complete else 1.0 / (rrf_k + len(dense) + 1)
    lexical_gap = 0.0 if lexical_complete else 1.0 / (rrf_k + len(lexical) + 1)
    order = sorted(fused, key=lambda pid: -fused[pid])
    if len(order) <= k:
        return dense_gap + lexical_gap == 0.0
    in_dense, in_lexical = set(dense), set(lexical)
    kth = fused[order[k - 1]]
    best_other = dense_gap + lexical_gap  # a passage in neither list
    for pid in order[k:]:
        upper = fused[pid] + (0.0 if pid in in_dense else dense_gap) + (0.0 if pid in in_lexical else lexical_gap)
        best_other = max(best_other, upper)
    # The top k themselves may gain too, which only helps them; ties count as certain.
    return kth >= best_other


async def checked_top(fused: dict[int, float], k: int, fetch: Callable[[list[int]], Awaitable[dict[int, T]]]
                      ) -> tuple[list[int], dict[int, T]]:
    """The k best ids of `fused` that `fetch` returns, with what it returned. `fetch` re-checks hits
    against their rows (scope, filters): an in-memory index can lag behind another process's writes.
    Fetched best first, 2k at a time, so the usual search reads 2k rows, not all of the candidates
    (400 rows took 6 ms of a hybrid search at a million passages)."""
    ranked = sorted(fused, key=lambda pid: -fused[pid])
    found: dict[int, T] = {}
    for start in range(0, len(ranked), 2 * k):
        found.update(await fetch(ranked[start:start + 2 * k]))
        if len(found) >= k:
            break
    return [pid for pid in ranked if pid in found][:k], found
