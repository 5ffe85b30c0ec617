"""The filter columns of the dense index: passage id, thread, scope and kind of every row, as numpy
arrays sorted by passage id (SQLite hands ids out in increasing order), so filters are boolean masks
and a passage's row is a binary search. Not thread-safe on its own: `VectorIndex` holds its lock."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .backend import grow

KIND_CODES = {"title": 0, "paragraph": 1, "comment": 2}
_ARRAYS = ("ids", "thread_codes", "scope_codes", "kind_codes")


@dataclass
class FilterColumns:
    size: int = 0
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    thread_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    scope_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    kind_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    threads: dict[str, int] = field(default_factory=dict)  # thread id -> code
    scopes: dict[str, int] = field(default_factory=dict)  # scope -> code
    # scope -> its row mask, or None when it holds every row (one scope, the usual case); computing
    # it took 0.2-0.8 ms of a 1 ms approximate search at a million rows. Cleared by every change.
    _scope_masks: dict[str, np.ndarray | None] = field(default_factory=dict, repr=False)

    @property
    def live_ids(self) -> np.ndarray:
        return self.ids[: self.size]

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Row of each passage id, -1 where absent."""
        ids = np.asarray(ids, dtype=np.int64)
        if self.size == 0:
            return np.full(ids.shape, -1, dtype=np.int64)
        live = self.live_ids
        rows = np.minimum(np.searchsorted(live, ids), self.size - 1)
        return np.where(live[rows] == ids, rows, -1)

    def append(self, ids: np.ndarray, thread_ids: list[str], scopes: list[str], kinds: list[str]) -> None:
        """Add rows (ids not present yet), keeping every column sorted by id."""
        n = len(ids)
        order: np.ndarray | None = np.argsort(ids, kind="stable")
        if self.size and order is not None and ids[order[0]] <= self.ids[self.size - 1]:
            order = None  # out of order (rare): append, then re-sort every column below
        self._reserve(n)
        lo, hi = self.size, self.size + n
        pick = order if order is not None else slice(None)
        self.ids[lo:hi] = ids[pick]
        self.thread_codes[lo:hi] = np.asarray([_code(self.threads, t) for t in thread_ids])[pick]
        self.scope_codes[lo:hi] = np.asarray([_code(self.scopes, s) for s in scopes])[pick]
        self.kind_codes[lo:hi] = np.asarray([KIND_CODES[k] for k in kinds])[pick]
        self.size = hi
        self._scope_masks.clear()
        if order is None:
            self._sort()

    def drop(self, ids: np.ndarray) -> None:
        """Remove rows of these (present) ids."""
        keep = ~np.isin(self.live_ids, ids)
        kept = int(keep.sum())
        for name in _ARRAYS:
            column = getattr(self, name)
            column[:kept] = column[: self.size][keep]
        self.size = kept
        self._scope_masks.clear()

    def mask(self, scope: str | None = None, thread_ids: list[str] | None = None,
             kinds: list[str] | None = None) -> np.ndarray | None:
        """Boolean row mask for the filters, or None when nothing is filtered."""
        mask = None if scope is None else self._scope_mask(scope)
        if thread_ids is not None:
            codes = [self.threads[t] for t in thread_ids if t in self.threads]
            m = np.isin(self.thread_codes[: self.size], np.asarray(codes, dtype=np.int32))
            mask = m if mask is None else mask & m
        if kinds is not None:
            m = np.isin(self.kind_codes[: self.size], [KIND_CODES[k] for k in kinds])
            mask = m if mask is None else mask & m
        return mask

    def _scope_mask(self, scope: str) -> np.ndarray | None:
        if scope not in self._scope_masks:
            code = self.scopes.get(scope)
            mask = self.scope_codes[: self.size] == (code if code is not None else -1)
            mask.flags.writeable = False  # shared by searches until the next change
            self._scope_masks[scope] = None if mask.all() else mask
        return self._scope_masks[scope]

    def save(self, path: Path) -> None:
        with open(f"{path}.tmp", "wb") as f:
            n = self.size
            np.savez(f, ids=self.ids[:n], thread_codes=self.thread_codes[:n], scope_codes=self.scope_codes[:n],
                     kind_codes=self.kind_codes[:n])

    @classmethod
    def load(cls, path: Path, threads: list[str], scopes: list[str]) -> FilterColumns:
        with np.load(path) as saved:
                return cls(size=len(saved["ids"]), ids=saved["ids"].astype(np.int64),
                       thread_codes=saved["thread_codes"].astype(np.int32),
                       scope_codes=saved["scope_codes"].astype(np.int32),
                       kind_codes=saved["kind_codes"].astype(np.int8),
                       threads={t: i for i, t in enumerate(threads)}, scopes={s: i for i, s in enumerate(scopes)})

    def _reserve(self, extra: int) -> None:
        needed = self.size + extra
        if needed <= len(self.ids):
            return
        capacity = max(needed, int(1.25 * len(self.ids)), 1024)
        for name in _ARRAYS:
            setattr(self, name, grow(getattr(self, name), capacity))

    def _sort(self) -> None:
        order = np.argsort(self.live_ids, kind="stable")
        for name in _ARRAYS:
            column = getattr(self, name)
            column[: self.size] = column[: self.size][order]


def _code(table: dict[str, int], key: str) -> int:
    if key not in table:
        table[key] = len(table)
    return table[key]
