"""Ranking maths as pure numpy functions, and the hybrid search that combines them.

Dense: cosine over the in-memory matrix (vectors are normalised, so a matvec), top k by
argpartition then sort. Lexical: BM25 from SQLite FTS5. Fusion: reciprocal rank fusion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .threads import Passage

RRF_K = 60
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
now of off on once only or other our ours out over own same she should so some such than that the their
theirs them then there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your yours yourself
say said says tell told think thinks thought
""".split())


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


def query_terms(text: str, limit: int = 16) -> list[str]:
    """Content words of a query, lower-cased and de-duplicated, for the FTS5 OR-query."""
    terms: list[str] = []
    for word in re.findall(r"[^\W_]+(?:['’][^\W_]+)?", text.lower()):
        word = re.sub(r"['’]s$", "", word)
        if word in STOPWORDS or len(word) < 2 or word in terms:
            continue
        terms.append(word)
    return terms[:limit]


def fts_match_expression(terms: list[str]) -> str | None:
    """An FTS5 MATCH string ORing quoted terms (quoting makes any user text safe)."""
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


@dataclass
class Hit:
    """One search result with the evidence for its rank."""

    passage: Passage
    score: float
    dense_score: float | None = None
    bm25_score: float | None = None
    dense_rank: int | None = None
    bm25_rank: int | None = None
    thread_title: str | None = None
