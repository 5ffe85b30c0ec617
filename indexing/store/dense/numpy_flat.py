"""Dense backend without faiss: a float32 matrix with its own id column; exact search only."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..ranking import dense_top_k
from .backend import grow


class NumpyFlatBackend:
    """Fallback without faiss: a float32 matrix with its own id column; exact search only."""

    name = "numpy-f32"
    lists = 1
    mapped = False
    can_cluster = False

    def __init__(self, dim: int):
        self.dim = dim
        self._matrix = np.zeros((0, dim), dtype=np.float32)
        self._ids = np.zeros(0, dtype=np.int64)
        self.count = 0

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        needed = self.count + len(ids)
        if needed > len(self._ids):
            capacity = max(needed, int(1.25 * len(self._ids)), 1024)
            self._matrix, self._ids = grow(self._matrix, capacity), grow(self._ids, capacity)
        self._matrix[self.count:needed] = vectors
        self._ids[self.count:needed] = ids
        self.count = needed

    def remove(self, ids: np.ndarray) -> None:
        keep = ~np.isin(self._ids[: self.count], ids)
        kept = int(keep.sum())
        self._matrix[:kept] = self._matrix[: self.count][keep]
        self._ids[:kept] = self._ids[: self.count][keep]
        self.count = kept

    def reconstruct(self, passage_id: int, row: int) -> np.ndarray:
        return self._matrix[int(np.flatnonzero(self._ids[: self.count] == passage_id)[0])].copy()

    def search(self, query, k, selected, max_id, fraction, exact):
        mask = None if selected is None else np.isin(self._ids[: self.count], selected)
        top = dense_top_k(self._matrix[: self.count], query[0], k, mask)
        return self._ids[top.indices], top.scores, False

    def save(self, path: Path) -> Path:
        path = path.with_suffix(".npz")
        with open(str(path) + ".tmp", "wb") as f:
            np.savez(f, ids=self._ids[: self.count], matrix=self._matrix[: self.count])
        os.replace(str(path) + ".tmp", path)
        return path

    def load(self, path: Path) -> None:
        with np.load(path) as saved:
            ids, matrix = saved["ids"], saved["matrix"]
        if matrix.ndim != 2 or matrix.shape != (len(ids), self.dim):
            raise ValueError(f"the saved matrix has shape {matrix.shape}, not ({len(ids)}, {self.dim})")
        self._ids, self._matrix = ids.astype(np.int64), matrix.astype(np.float32)
        self.count = len(self._ids)
