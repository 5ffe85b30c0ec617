"""Dense backend for an index of one list: a float32 matrix with its own id column, exact search.

Every new index starts here, so a process that only opens a small collection (a CLI question)
never imports faiss (about 50 ms). Past index.FLAT_MAX_PASSAGES (or `ann_min_passages`, if smaller)
it hands the vectors to a faiss index (faiss_ivf.py), which clusters; without faiss it stays.
Vectors are held at float16 precision (the precision of the rows and of faiss's codes), so a search
scores the same before and after a save and reload, and the saved matrix is float16.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..ranking import dense_top_k
from .backend import grow


class NumpyFlatBackend:
    """A float32 matrix of float16-precision vectors with its own id column; exact search only."""

    name = "numpy-f32"  # the saved format's name: ids and a matrix in an .npz (float16 or float32 loads)
    lists = 1
    mapped = False
    can_cluster = False  # it hands its vectors to faiss first (VectorIndex._outgrow_numpy)

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
        self._matrix[self.count:needed] = np.asarray(vectors, dtype=np.float16)
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

    # ---- the vectors move to a faiss inverted-file index ----------------------------------------
    def into_faiss(self):
        """A faiss index of one list holding these vectors, or None without faiss."""
        from .faiss_ivf import FaissIvfBackend, load_faiss

        faiss = load_faiss()
        if faiss is None:
            return None
        target = FaissIvfBackend(self.dim, faiss)
        target.add(self._ids[: self.count].copy(), self._matrix[: self.count].copy())
        return target

    # ---- persistence ---------------------------------------------------------------------------
    def save(self, path: Path) -> Path:
        path = path.with_suffix(".npz")
        with open(str(path) + ".tmp", "wb") as f:
            np.savez(f, ids=self._ids[: self.count], matrix=self._matrix[: self.count].astype(np.float16))
        os.replace(str(path) + ".tmp", path)
        return path

    def load(self, path: Path) -> None:
        with np.load(path) as saved:
            ids, matrix = saved["ids"], saved["matrix"]
        if matrix.ndim != 2 or matrix.shape != (len(ids), self.dim):
            raise ValueError(f"the saved matrix has shape {matrix.shape}, not ({len(ids)}, {self.dim})")
        self._ids, self._matrix = ids.astype(np.int64), matrix.astype(np.float32)
        self.count = len(self._ids)
