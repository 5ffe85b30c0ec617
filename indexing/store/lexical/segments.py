"""Immutable posting segments of the lexical index: CSR by term id (term_ptr into rows and tf),
built from (term id, row) pairs and merged by concatenation and one sort."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_EMPTY_ROWS = np.zeros(0, dtype=np.int32)
_EMPTY_TF = np.zeros(0, dtype=np.uint16)
TF_MAX = np.iinfo(np.uint16).max


@dataclass(frozen=True)
class Segment:
    term_ptr: np.ndarray  # int64, terms known when built + 1: term t's postings are [ptr[t], ptr[t+1])
    rows: np.ndarray      # int32 row of each posting, increasing within a term
    tf: np.ndarray        # uint16 occurrences of the term in the row

    @property
    def count(self) -> int:
        return int(self.rows.size)

    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        if term_id + 1 >= self.term_ptr.size:
            return _EMPTY_ROWS, _EMPTY_TF
        lo, hi = int(self.term_ptr[term_id]), int(self.term_ptr[term_id + 1])
        return self.rows[lo:hi], self.tf[lo:hi]


def _from_sorted(terms: np.ndarray, rows: np.ndarray, tf: np.ndarray, vocab_size: int) -> Segment:
    ptr = np.zeros(vocab_size + 1, dtype=np.int64)
    np.cumsum(np.bincount(terms, minlength=vocab_size), out=ptr[1:])
    return Segment(ptr, rows.astype(np.int32, copy=False), tf.astype(np.uint16, copy=False))


def build_segment(term_ids: np.ndarray, term_rows: np.ndarray, vocab_size: int) -> Segment:
    """A segment of one occurrence per (term, row) pair given (a passage's terms, repeated)."""
    if term_ids.size == 0:
        return _from_sorted(term_ids, term_rows, np.zeros(0, dtype=np.uint16), vocab_size)
    keys = (term_ids.astype(np.int64) << 32) | term_rows.astype(np.int64)
    pairs, counts = np.unique(keys, return_counts=True)
    return _from_sorted((pairs >> 32).astype(np.int64), (pairs & 0xFFFFFFFF).astype(np.int32),
                        np.minimum(counts, TF_MAX), vocab_size)


def merge_segments(segments: list[Segment], vocab_size: int, new_row: np.ndarray | None = None) -> Segment:
    """One segment of all postings; `new_row` (row -> renumbered row, -1 to drop) compacts."""
    terms = np.concatenate([np.repeat(np.arange(s.term_ptr.size - 1, dtype=np.int32), np.diff(s.term_ptr))
                            for s in segments] or [np.zeros(0, dtype=np.int32)])
    rows = np.concatenate([s.rows for s in segments] or [_EMPTY_ROWS])
    tf = np.concatenate([s.tf for s in segments] or [_EMPTY_TF])
    if new_row is not None:
        rows = new_row[rows]
        keep = rows >= 0
        terms, rows, tf = terms[keep], rows[keep], tf[keep]
    order = np.lexsort((rows, terms))
    return _from_sorted(terms[order], rows[order], tf[order], vocab_size)
