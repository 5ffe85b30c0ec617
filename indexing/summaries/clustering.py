"""Clustering maths for discussion themes, pure numpy: spherical k-means, silhouette, choosing k.

Vectors are unit-length sentence embeddings, so similarity is a dot product and distance is
1 - cosine. Density clustering (HDBSCAN) labels most of a 20-300 comment thread as noise, so the
number of themes is chosen by the silhouette of k-means partitions instead.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# Below this mean silhouette no partition is better than "one conversation": short comments
# embed close together, and forcing themes on them only produces arbitrary splits.
MIN_SILHOUETTE = 0.04


class Clustering(NamedTuple):
    labels: np.ndarray      # cluster of each row, 0..k-1
    centroids: np.ndarray   # (k, dim), unit length
    silhouette: float       # mean silhouette of the chosen partition (0.0 when k == 1)


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32, copy=False)


def kmeans(vectors: np.ndarray, k: int, seed: int = 0, iterations: int = 50, restarts: int = 3) -> Clustering:
    """Spherical k-means (cosine) with k-means++ seeding; the best of a few seeded restarts.

    Deterministic for a given seed, so the same thread always gets the same themes.
    """
    n = vectors.shape[0]
    k = max(1, min(k, n))
    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(restarts if k > 1 else 1):
        centroids = _kmeans_pp(vectors, k, rng)
        labels = np.zeros(n, dtype=np.int64)
        for step in range(iterations):
            sims = vectors @ centroids.T
            new_labels = sims.argmax(axis=1)
            if step and np.array_equal(new_labels, labels):
                break
            labels = new_labels
            centroids = _centroids(vectors, labels, k, centroids)
        cohesion = float((vectors @ centroids.T)[np.arange(n), labels].sum())
        if best is None or cohesion > best[0]:
            best = (cohesion, labels, centroids)
    assert best is not None  # at least one restart ran
    _, labels, centroids = best
    return Clustering(labels, centroids, 0.0)


def _kmeans_pp(vectors: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    n = vectors.shape[0]
    chosen = [int(rng.integers(n))]
    closest = 1.0 - vectors @ vectors[chosen[0]]
    for _ in range(1, k):
        weights = np.clip(closest, 0.0, None) ** 2
        total = weights.sum()
        pick = int(rng.choice(n, p=weights / total)) if total > 0 else int(rng.integers(n))
        chosen.append(pick)
        closest = np.minimum(closest, 1.0 - vectors @ vectors[pick])
    return vectors[chosen].copy()


def _centroids(vectors: np.ndarray, labels: np.ndarray, k: int, previous: np.ndarray) -> np.ndarray:
    onehot = np.zeros((k, vectors.shape[0]), dtype=np.float32)
    onehot[labels, np.arange(vectors.shape[0])] = 1.0
    sums = onehot @ vectors
    empty = ~onehot.any(axis=1)
    sums[empty] = previous[empty]  # an emptied cluster keeps its old centre rather than vanishing
    return normalise_rows(sums)


def silhouette(vectors: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette with cosine distance; rows in singleton clusters count as 0."""
    n = vectors.shape[0]
    k = int(labels.max()) + 1 if n else 0
    if n < 3 or k < 2:
        return 0.0
    distances = np.clip(1.0 - vectors @ vectors.T, 0.0, 2.0)
    onehot = np.zeros((n, k), dtype=np.float64)
    onehot[np.arange(n), labels] = 1.0
    sums = distances @ onehot                      # (n, k): total distance from each row to each cluster
    sizes = onehot.sum(axis=0)
    own_size = sizes[labels]
    own = sums[np.arange(n), labels] / np.maximum(own_size - 1, 1)
    other = sums / np.maximum(sizes, 1)
    other[np.arange(n), labels] = np.inf
    other[:, sizes == 0] = np.inf
    nearest = other.min(axis=1)
    scores = (nearest - own) / np.maximum(np.maximum(own, nearest), 1e-9)
    scores[own_size <= 1] = 0.0
    return float(scores.mean())


def reduce_dimensions(vectors: np.ndarray, dims: int = 10) -> np.ndarray:
    """Project onto the top principal components and re-normalise.

    In the full 384 dimensions every comment is nearly equidistant from every other, and the
    silhouette then always prefers two clusters; a few principal components keep the directions
    the comments actually differ along (the reduce-then-cluster step of BERTopic).
    """
    dims = min(dims, vectors.shape[0] - 1, vectors.shape[1])
    if dims < 2:
        return vectors
    centred = (vectors - vectors.mean(axis=0, keepdims=True)).astype(np.float64)
    # Eigenvectors of the (dim x dim) covariance: same components as an SVD, a fraction of the time.
    _, eigenvectors = np.linalg.eigh(centred.T @ centred)
    components = eigenvectors[:, ::-1][:, :dims]
    return normalise_rows((centred @ components).astype(np.float32))


def choose_clustering(vectors: np.ndarray, max_k: int = 8, seed: int = 0,
                      min_silhouette: float = MIN_SILHOUETTE, dims: int = 10) -> Clustering:
    """k-means for k = 2..max_k in a reduced space, keeping the partition with the best silhouette.

    Centroids are returned in the original space (means of each cluster's own vectors). One
    cluster when no partition clears `min_silhouette` or there are too few rows.
    """
    n = vectors.shape[0]
    best_labels, best_score = np.zeros(n, dtype=np.int64), 0.0
    reduced = reduce_dimensions(vectors, dims)
    for k in range(2, min(max_k, n // 3) + 1):
        labels = kmeans(reduced, k, seed=seed).labels
        score = silhouette(reduced, labels)
        if score > best_score and score >= min_silhouette:
            best_labels, best_score = labels, score
    k = int(best_labels.max()) + 1
    centroids = _centroids(vectors, best_labels, k, np.zeros((k, vectors.shape[1]), dtype=np.float32))
    return Clustering(best_labels, centroids, best_score)


def assign(vectors: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centroid of each row and the cosine similarity to it."""
    sims = vectors @ centroids.T
    labels = sims.argmax(axis=1)
    return labels, sims[np.arange(len(labels)), labels]


def sample_rows(n: int, limit: int, seed: int = 0) -> np.ndarray:
    """Row indices to cluster on: all of them, or a seeded uniform sample of `limit` in order."""
    if n <= limit:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=limit, replace=False))
