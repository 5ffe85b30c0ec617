"""The interface every dense-vector backend implements, and sizing rules they share.

`VectorIndex` (index.py) owns the filter columns, the lock and the background work; a backend
only stores vectors by passage id and searches them. Two implement it: faiss IVF over float16
codes (faiss_ivf.py) and a float32 numpy matrix (numpy_flat.py), chosen by `make_backend`.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

# Probing this many lists per 1,000 lists (and at least MIN_PROBES) kept recall@10 >= 0.95 on
# real-embedding-shaped data (bench/search_speed.py).
PROBES_PER_1000_LISTS = 16
MIN_PROBES = 8


class VectorBackend(Protocol):
    name: str  # recorded in a saved index's manifest: a file is only loaded by the backend that wrote it
    dim: int

    @property
    def count(self) -> int: ...

    @property
    def lists(self) -> int:
        """Inverted lists: 1 means every search is an exact scan."""
        ...

    @property
    def mapped(self) -> bool:
        """Read through a mapping of a saved file (read-only) until copied into memory."""
        ...

    @property
    def can_cluster(self) -> bool: ...

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def remove(self, ids: np.ndarray) -> None: ...

    def reconstruct(self, passage_id: int, row: int) -> np.ndarray: ...

    def search(self, query: np.ndarray, k: int, selected: np.ndarray | None, max_id: int, fraction: float,
               exact: bool) -> tuple[np.ndarray, np.ndarray, bool]:
        """(ids, scores, approximate) of the top k; `selected` ids only when given."""
        ...

    def save(self, path: Path) -> Path: ...

    def load(self, path: Path) -> None: ...


class ClusteringBackend(VectorBackend, Protocol):
    """A backend that can be clustered in the background (`can_cluster`) and mapped from a saved
    file; `VectorIndex` uses these only when `can_cluster` is true."""

    def needs_clustering(self, size: int) -> bool: ...

    def reconstruct_many(self, ids: np.ndarray) -> np.ndarray: ...

    def clustered(self, sample: np.ndarray, lists: int) -> ClusteringBackend: ...

    def copy_into(self, target: ClusteringBackend, lock: threading.RLock, chunk: int = 20_000) -> np.ndarray: ...

    def compact(self) -> None: ...

    def copy_lists(self) -> object: ...

    def adopt_lists(self, fresh: object) -> None: ...


def list_count(n: int) -> int:
    """About 2*sqrt(n) lists: about 1,000 to 2,000 vectors per list at a million."""
    return max(16, int(2 * math.sqrt(max(n, 1))))


def training_size(n: int) -> int:
    return min(n, 64 * list_count(n))


def grow(array: np.ndarray, capacity: int) -> np.ndarray:
    grown = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown
