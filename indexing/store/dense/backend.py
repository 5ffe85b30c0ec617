"""The interface every dense-vector backend implements, and sizing rules they share.

`VectorIndex` (index.py) owns the filter columns, the lock and the background work; a backend
only stores vectors by passage id and searches them. Two implement it: a numpy matrix
(numpy_flat.py), where every index starts, and faiss IVF over float16 codes (faiss_ivf.py), which
the numpy one hands its vectors to as the index grows; a saved copy is read by the one that wrote it.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

# A search probes the nearest lists until about this many vectors are scanned (at least MIN_PROBES
# lists). Measured on real-embedding-shaped data (bench/search_speed.py, 2,000 lists at 1M): 4,000
# vectors (8 lists) gave recall@10 0.978 against the exact scan in 0.5 ms; 16,000 (32 lists, the
# old rule of 16 per 1,000 lists) 0.992 in 1.7 ms. The scan, not the list choice, is the cost.
SCANNED_VECTORS = 4_000
MIN_PROBES = 8


def probes(lists: int, count: int, fraction: float = 1.0) -> int:
    """Lists to probe for about SCANNED_VECTORS candidates among the `fraction` of rows a filter keeps."""
    per_list = max(count, 1) / max(lists, 1)
    wanted = max(MIN_PROBES, math.ceil(SCANNED_VECTORS / per_list))
    return min(lists, math.ceil(wanted / max(fraction, 1e-9)))


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
