"""The in-memory dense index: one matrix of passage vectors plus the columns searches filter on.

Rows are appended on insert and compacted on delete; capacity doubles so a stream of small
inserts stays amortised O(1) per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KIND_CODES = {"title": 0, "paragraph": 1, "comment": 2}


@dataclass
class VectorRows:
    """A batch of rows to add: passage ids, their vectors and filter columns."""

    ids: np.ndarray          # int64 passage ids
    vectors: np.ndarray      # float32 (n, dim), normalised
    thread_ids: list[str]
    scopes: list[str]
    kinds: list[str]


class VectorIndex:
    def __init__(self, dim: int):
        self.dim = dim
        self._size = 0
        self._ids = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, dim), dtype=np.float32)
        self._thread_codes = np.zeros(0, dtype=np.int32)
        self._scope_codes = np.zeros(0, dtype=np.int32)
        self._kind_codes = np.zeros(0, dtype=np.int8)
        self._threads: dict[str, int] = {}
        self._scopes: dict[str, int] = {}
        self._row_of: dict[int, int] = {}

    def __len__(self) -> int:
        return self._size

    @property
    def ids(self) -> np.ndarray:
        return self._ids[: self._size]

    @property
    def matrix(self) -> np.ndarray:
        return self._matrix[: self._size]

    def _code(self, table: dict[str, int], key: str) -> int:
        if key not in table:
            table[key] = len(table)
        return table[key]

    def _reserve(self, extra: int) -> None:
        needed = self._size + extra
        if needed <= len(self._ids):
            return
        capacity = max(needed, 2 * len(self._ids), 1024)
        self._ids = _grow(self._ids, capacity)
        self._matrix = _grow(self._matrix, capacity)
        self._thread_codes = _grow(self._thread_codes, capacity)
        self._scope_codes = _grow(self._scope_codes, capacity)
        self._kind_codes = _grow(self._kind_codes, capacity)

    def add(self, rows: VectorRows) -> None:
        n = len(rows.ids)
        if n == 0:
            return
        if rows.vectors.shape != (n, self.dim):
            raise ValueError(f"expected vectors of shape ({n}, {self.dim}), got {rows.vectors.shape}")
        self._reserve(n)
        lo, hi = self._size, self._size + n
        self._ids[lo:hi] = rows.ids
        self._matrix[lo:hi] = rows.vectors
        self._thread_codes[lo:hi] = [self._code(self._threads, t) for t in rows.thread_ids]
        self._scope_codes[lo:hi] = [self._code(self._scopes, s) for s in rows.scopes]
        self._kind_codes[lo:hi] = [KIND_CODES[k] for k in rows.kinds]
        for offset, pid in enumerate(rows.ids.tolist()):
            self._row_of[pid] = lo + offset
        self._size = hi

    def remove(self, passage_ids: list[int] | np.ndarray) -> None:
        ids = np.asarray(passage_ids, dtype=np.int64)
        if ids.size == 0 or self._size == 0:
            return
        keep = ~np.isin(self.ids, ids)
        kept = int(keep.sum())
        for name in ("_ids", "_matrix", "_thread_codes", "_scope_codes", "_kind_codes"):
            column = getattr(self, name)
            column[:kept] = column[: self._size][keep]
        self._size = kept
        self._row_of = {pid: row for row, pid in enumerate(self.ids.tolist())}

    def vector(self, passage_id: int) -> np.ndarray | None:
        row = self._row_of.get(passage_id)
        return None if row is None else self._matrix[row]

    def mask(self, scope: str | None = None, thread_ids: list[str] | None = None,
             kinds: list[str] | None = None) -> np.ndarray | None:
        """Boolean row mask for the filters, or None when nothing is filtered."""
        mask = None
        if scope is not None:
            code = self._scopes.get(scope)
            mask = self._scope_codes[: self._size] == (code if code is not None else -1)
        if thread_ids is not None:
            codes = [self._threads[t] for t in thread_ids if t in self._threads]
            m = np.isin(self._thread_codes[: self._size], np.asarray(codes, dtype=np.int32))
            mask = m if mask is None else mask & m
        if kinds is not None:
            m = np.isin(self._kind_codes[: self._size], [KIND_CODES[k] for k in kinds])
            mask = m if mask is None else mask & m
        return mask


def _grow(array: np.ndarray, capacity: int) -> np.ndarray:
    grown = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown
