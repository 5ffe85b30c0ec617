"""The in-memory lexical index: an inverted index of the passages with FTS5's BM25, in numpy.

FTS5 scores every passage that matches any query word before it sorts: at a million passages a
question's common words match hundreds of thousands of rows and the lexical half of a hybrid search
took 256-284 ms. Here a term's postings are two contiguous arrays (rows, term frequencies), so
scoring a term is a few vector operations over them.

Scores are FTS5's own formula (fts5_aux.c), computed at query time from live statistics, so they
follow every insert and delete exactly: idf = ln((N - n + 0.5) / (n + 0.5)) (1e-6 when not
positive), score = sum over query words of idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)),
k1 = 1.2, b = 0.75, N the passages, n those holding the term, dl a passage's term count.

Layout: rows are appended and never move until a compaction; a removal only clears `alive` (and
its postings are skipped while scoring, as are their counts in n). Postings live in immutable
segments (CSR by term id): a write adds a small segment, small segments are merged together, and a
compaction (when a quarter of the rows are dead) rebuilds one segment. A loaded copy's segment is
mapped from its file (read-only, never written). Every method holds one lock.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np

from ..dense.columns import KIND_CODES
from ..ranking import top_k_ties_by_index
from .segments import Segment, build_segment, merge_segments
from .tokens import COMPOUND

K1 = 1.2
B = 0.75
_MAX_SMALL_SEGMENTS = 8


@dataclass
class LexicalDocs:
    """A batch of passages to add: ids and what filters and scoring need."""

    ids: list[int]
    terms: list[list[str]]  # each passage's terms (Tokenizer.terms_of_many)
    thread_ids: list[str]
    scopes: list[str]
    kinds: list[str]
    authors: list[str | None]


@dataclass
class LexicalResult:
    ids: np.ndarray      # passage ids, best first
    scores: np.ndarray   # BM25, higher is better
    matched: int         # passages passing the filters that hold any query term (the full list's length)


def author_key(author: str) -> str:
    """SQLite's NOCASE: ASCII letters only are folded."""
    return author.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_COLUMNS = {"row_ids": np.int64, "doc_len": np.int32, "alive": np.bool_, "thread_codes": np.int32,
            "scope_codes": np.int32, "kind_codes": np.int8, "author_codes": np.int32}


class LexicalIndex:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.vocab: dict[str, int] = {}
        self._compound = np.zeros(0, dtype=np.bool_)
        self.threads: dict[str, int] = {}
        self.scopes: dict[str, int] = {}
        self.authors: dict[str, int] = {}
        self.size = 0  # rows, dead ones included
        self.live = 0
        self.total_len = 0  # terms in live rows
        self.columns: dict[str, np.ndarray] = {name: np.zeros(0, dtype=dtype) for name, dtype in _COLUMNS.items()}
        self.segments: list[Segment] = []
        self.ids_sorted = True  # row_ids strictly increasing: a passage's row is a binary search
        self.changes = 0  # rows added or removed since the last save

    def __len__(self) -> int:
        return self.live

    # ---- writes --------------------------------------------------------------------------------
    def add(self, docs: LexicalDocs) -> None:
        n = len(docs.ids)
        if n == 0:
            return
        ids = np.asarray(docs.ids, dtype=np.int64)
        with self._lock:
            self.remove(ids)  # a re-applied change replaces, never duplicates
            first = self.size
            self._reserve(n)
            rows = slice(first, first + n)
            if first and (ids[0] <= self._live_max_id() or np.any(np.diff(ids) <= 0)):
                self.ids_sorted = False
            elif not first and np.any(np.diff(ids) <= 0):
                self.ids_sorted = False
            counts = np.fromiter((len(t) for t in docs.terms), dtype=np.int64, count=n)
            term_ids = np.fromiter((_code(self.vocab, t) for terms in docs.terms for t in terms), dtype=np.int32,
                                   count=int(counts.sum()))
            term_rows = np.repeat(np.arange(first, first + n, dtype=np.int32), counts)
            lengths = np.bincount(term_rows - first, weights=~self._compound_mask()[term_ids], minlength=n)
            c = self.columns
            c["row_ids"][rows] = ids
            c["doc_len"][rows] = lengths
            c["alive"][rows] = True
            c["thread_codes"][rows] = [_code(self.threads, t) for t in docs.thread_ids]
            c["scope_codes"][rows] = [_code(self.scopes, s) for s in docs.scopes]
            c["kind_codes"][rows] = [KIND_CODES[k] for k in docs.kinds]
            c["author_codes"][rows] = [-1 if a is None else _code(self.authors, author_key(a)) for a in docs.authors]
            self.segments.append(build_segment(term_ids, term_rows, len(self.vocab)))
            self.size += n
            self.live += n
            self.total_len += int(lengths.sum())
            self.changes += n
            self._merge_small()

    def remove(self, passage_ids: list[int] | np.ndarray) -> None:
        ids = np.asarray(passage_ids, dtype=np.int64)
        if ids.size == 0:
            return
        with self._lock:
            rows = self.rows_of(ids)
            rows = rows[rows >= 0]
            if rows.size == 0:
                return
            self.columns["alive"][rows] = False
            self.live -= int(rows.size)
            self.total_len -= int(self.columns["doc_len"][rows].sum())
            self.changes += int(rows.size)
            if self.size - self.live > max(1000, self.size // 4):
                self.compact()

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """The live row of each passage id, -1 where absent."""
        with self._lock:
            row_ids = self.columns["row_ids"][: self.size]
            alive = self.columns["alive"][: self.size]
            if self.size == 0:
                return np.full(ids.shape, -1, dtype=np.int64)
            if self.ids_sorted:
                rows = np.minimum(np.searchsorted(row_ids, ids), self.size - 1)
                return np.where((row_ids[rows] == ids) & alive[rows], rows, -1)
            out = np.full(ids.shape, -1, dtype=np.int64)
            hit = np.flatnonzero(np.isin(row_ids, ids) & alive)
            out[np.searchsorted(ids, row_ids[hit], sorter=np.argsort(ids))] = hit
            return out

    def compact(self) -> None:
        """Drop dead rows and their postings, renumber rows in passage-id order, one segment."""
        with self._lock:
            alive = self.columns["alive"][: self.size]
            order = np.flatnonzero(alive)
            order = order[np.argsort(self.columns["row_ids"][order], kind="stable")]
            new_row = np.full(self.size, -1, dtype=np.int32)
            new_row[order] = np.arange(order.size, dtype=np.int32)
            self.segments = [merge_segments(self.segments, len(self.vocab), new_row)]
            for name, column in self.columns.items():
                self.columns[name] = np.ascontiguousarray(column[order])
            self.size = self.live = int(order.size)
            self.ids_sorted = True

    def merged(self) -> None:
        """One segment and no dead rows (before a save)."""
        with self._lock:
            if len(self.segments) > 1 or self.live != self.size:
                self.compact()

    # ---- reads ---------------------------------------------------------------------------------
    def search(self, terms: list[str], k: int, scope: str | None = None, thread_ids: list[str] | None = None,
               kinds: list[str] | None = None, author: str | None = None) -> LexicalResult:
        """Top k passages by BM25 over the query's terms (one per query word, repeats counted)."""
        with self._lock:
            n = self.size
            scores = np.zeros(n, dtype=np.float64)
            # Rows holding a term, marked as they are scored: finding them in a boolean array took a
            # third of the time of finding the non-zero scores (3 ms of a search at a million rows).
            touched = np.zeros(n, dtype=np.bool_)
            alive = self.columns["alive"]
            doc_len = self.columns["doc_len"]
            avgdl = self.total_len / self.live if self.live else 1.0
            for term in terms:
                term_id = self.vocab.get(term)
                if term_id is None:
                    continue
                rows, tf = self._postings(term_id)
                if self.live != n:  # dead rows neither score nor count in n
                    keep = alive[rows]
                    rows, tf = rows[keep], tf[keep]
                if rows.size == 0:
                    continue
                idf = float(np.log((self.live - rows.size + 0.5) / (rows.size + 0.5)))
                idf = idf if idf > 0 else 1e-6
                tf = tf.astype(np.float64)
                scores[rows] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * doc_len[rows] / avgdl))
                touched[rows] = True
            candidates = np.flatnonzero(touched)
            candidates = candidates[self._filter(candidates, scope, thread_ids, kinds, author)]
            best = top_k_ties_by_index(scores[candidates], k)
            rows = candidates[best.indices]
            return LexicalResult(self.columns["row_ids"][rows].copy(), best.scores, int(candidates.size))

    def _postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        parts = [seg.postings(term_id) for seg in self.segments]
        parts = [p for p in parts if p[0].size]
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint16)
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def _filter(self, rows: np.ndarray, scope: str | None, thread_ids: list[str] | None,
                kinds: list[str] | None, author: str | None) -> np.ndarray:
        """Which of these rows are live and pass the filters (a boolean array over them)."""
        c = self.columns
        keep = c["alive"][rows]
        if scope is not None:
            keep &= c["scope_codes"][rows] == self.scopes.get(scope, -2)
        if thread_ids is not None:
            codes = [self.threads[t] for t in thread_ids if t in self.threads]
            keep &= np.isin(c["thread_codes"][rows], np.asarray(codes, dtype=np.int32))
        if kinds is not None:
            keep &= np.isin(c["kind_codes"][rows], [KIND_CODES[kind] for kind in kinds])
        if author is not None:
            keep &= c["author_codes"][rows] == self.authors.get(author_key(author), -2)
        return keep

    def _compound_mask(self) -> np.ndarray:
        """Which term ids are compounds (tokens.COMPOUND), which count in no passage's length."""
        known = self._compound.size
        if known < len(self.vocab):
            terms = list(islice(self.vocab, known, None))  # dicts keep insertion order: ids in order
            self._compound = np.concatenate([self._compound, np.fromiter((COMPOUND in t for t in terms),
                                                                         dtype=np.bool_, count=len(terms))])
        return self._compound

    def _live_max_id(self) -> int:
        return int(self.columns["row_ids"][self.size - 1]) if self.size else -1

    def _reserve(self, extra: int) -> None:
        needed = self.size + extra
        capacity = len(self.columns["row_ids"])
        if needed <= capacity:
            return
        capacity = max(needed, int(1.25 * capacity), 1024)
        for name, column in self.columns.items():
            grown = np.zeros(capacity, dtype=column.dtype)
            grown[: self.size] = column[: self.size]
            self.columns[name] = grown

    def _merge_small(self) -> None:
        """Keep few segments: the small ones (all but the first) are merged once there are many, and
        into the first once they hold a quarter as many postings."""
        if len(self.segments) <= _MAX_SMALL_SEGMENTS:
            return
        first, small = self.segments[0], self.segments[1:]
        if sum(s.count for s in small) * 4 >= first.count:
            self.segments = [merge_segments(self.segments, len(self.vocab))]
        else:
            self.segments = [first, merge_segments(small, len(self.vocab))]


def _code(table: dict[str, int], key: str) -> int:
    code = table.get(key)
    if code is None:
        code = table[key] = len(table)
    return code


# ---- saved copies ------------------------------------------------------------------------------
def save_arrays(index: LexicalIndex, folder: Path, generation: str) -> dict[str, str]:
    """Write the index (merged first) as .npy files plus one JSON of its names; the files' names."""
    with index._lock:
        index.merged()
        segment = index.segments[0] if index.segments else merge_segments([], len(index.vocab))
        arrays = {"term_ptr": segment.term_ptr, "rows": segment.rows, "tf": segment.tf,
                  **{name: column[: index.size] for name, column in index.columns.items()}}
        written = {}
        for name, array in arrays.items():
            path = folder / f"{generation}.{name}.npy"
            np.save(path, np.ascontiguousarray(array))
            written[name] = path.name
        names = {"vocab": list(index.vocab), "threads": list(index.threads), "scopes": list(index.scopes),
                 "authors": list(index.authors)}
        path = folder / f"{generation}.names.json"
        path.write_text(json.dumps(names, ensure_ascii=False))
        written["names"] = path.name
        return written


def load_arrays(folder: Path, files: dict[str, str]) -> LexicalIndex:
    """The index from `save_arrays`' files; postings are mapped (read-only), columns read whole.
    Raises ValueError (or OSError, KeyError) when the files do not fit together."""
    names = json.loads((folder / files["names"]).read_text())
    index = LexicalIndex()
    for key in ("vocab", "threads", "scopes", "authors"):
        setattr(index, key, {name: i for i, name in enumerate(names[key])})
    columns = {name: np.load(folder / files[name]).astype(dtype, copy=False) for name, dtype in _COLUMNS.items()}
    size = len(columns["row_ids"])
    if any(len(c) != size for c in columns.values()) or not columns["alive"].all():
        raise ValueError("the lexical columns do not fit together")
    if size and np.any(np.diff(columns["row_ids"]) <= 0):
        raise ValueError("the lexical rows are out of order")
    segment = Segment(np.load(folder / files["term_ptr"]), np.load(folder / files["rows"], mmap_mode="r"),
                      np.load(folder / files["tf"], mmap_mode="r"))
    if (segment.term_ptr.size != len(index.vocab) + 1 or segment.term_ptr[-1] != segment.rows.size
            or segment.tf.size != segment.rows.size or np.any(np.diff(segment.term_ptr) < 0)):
        raise ValueError("the lexical postings do not fit the vocabulary")
    index.columns = columns
    index.segments = [segment]
    index.size = index.live = size
    index.total_len = int(columns["doc_len"].sum())
    return index
