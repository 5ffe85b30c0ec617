"""The in-memory dense index: passage vectors plus the columns searches filter on.

Vectors live in a faiss inverted-file index of float16 codes (768 B per 384-d vector, half of
float32) labelled by passage id. Small indexes have one list, so a search is an exact scan; at
`ann_min_passages` a background thread re-clusters them into about 2*sqrt(n) lists and searches
then probe only the nearest lists (approximate), while `exact=True` still scans every list. Why
this shape, measured on this 2-core machine at 1M passages: the fp16 scan takes about half the time
of numpy's float32 matvec (it reads half the memory), and probing lists takes about a millisecond.

Without faiss installed the index falls back to a float32 numpy matrix and exact search only.

Restarts: a saved index is mapped from its file (ready at once; pages are read as searches touch
them) and copied into memory in the background, or before the first write, which a mapped index
cannot take. At a million passages the file is 800 MB: read whole it took 0.7 s from the page
cache but 11.8 s from a cold virtual disk.

Thread safety: every method takes one lock, so searches in worker threads never see a half-applied
insert or removal. The filter columns (ids, thread, scope, kind) are numpy arrays sorted by
passage id, which SQLite hands out in increasing order.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

KIND_CODES = {"title": 0, "paragraph": 1, "comment": 2}
DEFAULT_ANN_MIN_PASSAGES = 200_000
# Probing this many lists per 1,000 lists (and at least MIN_PROBES) kept recall@10 >= 0.95 on
# real-embedding-shaped data (bench/search_speed.py).
PROBES_PER_1000_LISTS = 16
MIN_PROBES = 8


@dataclass
class VectorRows:
    """A batch of rows to add: passage ids, their vectors and filter columns."""

    ids: np.ndarray          # int64 passage ids
    vectors: np.ndarray      # float32 (n, dim), normalised
    thread_ids: list[str]
    scopes: list[str]
    kinds: list[str]


@dataclass
class SearchResult:
    ids: np.ndarray      # passage ids, best first
    scores: np.ndarray   # cosine similarities
    approximate: bool


def _faiss():
    try:
        import faiss
    except ImportError:
        return None
    return faiss


class VectorIndex:
    def __init__(self, dim: int, ann_min_passages: int = DEFAULT_ANN_MIN_PASSAGES):
        self.dim = dim
        self.ann_min_passages = ann_min_passages
        self._lock = threading.RLock()
        self._size = 0
        self._ids = np.zeros(0, dtype=np.int64)
        self._thread_codes = np.zeros(0, dtype=np.int32)
        self._scope_codes = np.zeros(0, dtype=np.int32)
        self._kind_codes = np.zeros(0, dtype=np.int8)
        self._threads: dict[str, int] = {}
        self._scopes: dict[str, int] = {}
        faiss = _faiss()
        self._vectors: _Vectors = _FaissVectors(dim, faiss) if faiss else _NumpyVectors(dim)
        self._builder: threading.Thread | None = None
        self._materialiser: threading.Thread | None = None  # copies a mapped index into memory
        self._build_log: list[np.ndarray] | None = None  # ids added or removed while a build runs
        self.last_build_seconds: float | None = None
        self.changes = 0  # rows added or removed since the last snapshot
        self.auto_build = True  # cluster in the background once big enough
        self.on_built: Callable[[], None] | None = None  # called in the builder thread when done

    def __len__(self) -> int:
        return self._size

    @property
    def ids(self) -> np.ndarray:
        return self._ids[: self._size]

    @property
    def approximate(self) -> bool:
        """True once the vectors are clustered into lists (searches probe a few of them)."""
        return self._vectors.lists > 1

    # ---- writes --------------------------------------------------------------------------------
    def _code(self, table: dict[str, int], key: str) -> int:
        if key not in table:
            table[key] = len(table)
        return table[key]

    def _reserve(self, extra: int) -> None:
        needed = self._size + extra
        if needed <= len(self._ids):
            return
        capacity = max(needed, int(1.25 * len(self._ids)), 1024)
        self._ids = _grow(self._ids, capacity)
        self._thread_codes = _grow(self._thread_codes, capacity)
        self._scope_codes = _grow(self._scope_codes, capacity)
        self._kind_codes = _grow(self._kind_codes, capacity)

    def add(self, rows: VectorRows) -> None:
        n = len(rows.ids)
        if n == 0:
            return
        if rows.vectors.shape != (n, self.dim):
            raise ValueError(f"expected vectors of shape ({n}, {self.dim}), got {rows.vectors.shape}")
        ids = np.asarray(rows.ids, dtype=np.int64)
        vectors = np.ascontiguousarray(rows.vectors, dtype=np.float32)
        self.make_resident()
        with self._lock:
            present = self._rows_of(ids) >= 0
            if present.any():  # a re-applied change: replace, never duplicate
                self.remove(ids[present])
            order = np.argsort(ids, kind="stable")
            if self._size and ids[order[0]] <= self._ids[self._size - 1]:
                order = None  # out of order (rare): append, then re-sort every column below
            self._reserve(n)
            lo, hi = self._size, self._size + n
            pick = order if order is not None else slice(None)
            self._ids[lo:hi] = ids[pick]
            threads = np.asarray([self._code(self._threads, t) for t in rows.thread_ids])
            self._thread_codes[lo:hi] = threads[pick]
            self._scope_codes[lo:hi] = np.asarray([self._code(self._scopes, s) for s in rows.scopes])[pick]
            self._kind_codes[lo:hi] = np.asarray([KIND_CODES[k] for k in rows.kinds])[pick]
            self._size = hi
            if order is None:
                self._sort_columns()
            self._vectors.add(ids, vectors)
            if self._build_log is not None:
                self._build_log.append(ids)
            self.changes += n
        self.maybe_build_ann()

    def remove(self, passage_ids: list[int] | np.ndarray) -> None:
        ids = np.asarray(passage_ids, dtype=np.int64)
        if ids.size == 0:
            return
        self.make_resident()
        with self._lock:
            if self._size == 0:
                return
            ids = ids[self._rows_of(ids) >= 0]
            if ids.size == 0:
                return
            keep = ~np.isin(self.ids, ids)
            self._vectors.remove(ids)
            kept = int(keep.sum())
            for name in ("_ids", "_thread_codes", "_scope_codes", "_kind_codes"):
                column = getattr(self, name)
                column[:kept] = column[: self._size][keep]
            self._size = kept
            if self._build_log is not None:
                self._build_log.append(ids)
            self.changes += int(ids.size)

    def _sort_columns(self) -> None:
        order = np.argsort(self.ids, kind="stable")
        for name in ("_ids", "_thread_codes", "_scope_codes", "_kind_codes"):
            column = getattr(self, name)
            column[: self._size] = column[: self._size][order]

    def _rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Row of each passage id, -1 where absent (binary search: the id column is sorted)."""
        ids = np.asarray(ids, dtype=np.int64)
        if self._size == 0:
            return np.full(ids.shape, -1, dtype=np.int64)
        rows = np.searchsorted(self.ids, ids)
        rows = np.minimum(rows, self._size - 1)
        return np.where(self.ids[rows] == ids, rows, -1)

    # ---- reads ---------------------------------------------------------------------------------
    def vector(self, passage_id: int) -> np.ndarray | None:
        with self._lock:
            row = int(self._rows_of(np.array([passage_id]))[0])
            return None if row < 0 else self._vectors.reconstruct(passage_id, row)

    def mask(self, scope: str | None = None, thread_ids: list[str] | None = None,
             kinds: list[str] | None = None) -> np.ndarray | None:
        """Boolean row mask for the filters, or None when nothing is filtered."""
        with self._lock:
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

    def search_filtered(self, query: np.ndarray, k: int, scope: str | None = None,
                        thread_ids: list[str] | None = None, kinds: list[str] | None = None,
                        passage_ids: list[int] | None = None, exact: bool = False) -> SearchResult:
        """Filter and search under one lock, so the mask always matches the rows it filters."""
        with self._lock:
            mask = self.mask(scope, thread_ids, kinds)
            if passage_ids is not None:
                allowed = np.isin(self.ids, np.asarray(passage_ids, dtype=np.int64))
                mask = allowed if mask is None else mask & allowed
            return self.search(query, k, mask, exact)

    def search(self, query: np.ndarray, k: int, mask: np.ndarray | None = None,
               exact: bool = False) -> SearchResult:
        """Top k passages by cosine. `mask` (from `mask()`, same length as `ids`) filters rows.

        Approximate once clustered, unless `exact`; a filter that keeps a fraction f of the rows
        probes 1/f times more lists, so the number of candidates scanned stays about the same.
        """
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dim)
        with self._lock:
            if mask is not None and len(mask) != self._size:
                raise ValueError("the mask is stale: the index changed since it was computed")
            allowed = self._size if mask is None else int(mask.sum())
            k = min(k, allowed)
            if k <= 0:
                return SearchResult(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), False)
            selected = None if mask is None or allowed == self._size else self.ids[mask]
            ids, scores, approximate = self._vectors.search(query, k, selected, int(self.ids[-1]),
                                                            allowed / self._size, exact)
            keep = ids >= 0
            return SearchResult(ids[keep], scores[keep], approximate)

    # ---- mapped from a saved file --------------------------------------------------------------
    @property
    def mapped(self) -> bool:
        """True while the vectors are still read through the saved file's mapping (read-only)."""
        return self._vectors.mapped

    def make_resident(self, background: bool = False) -> None:
        """Copy a mapped index into memory: now (before a write or a save; call it without holding
        the lock), or in a background thread. Nothing to do once resident."""
        if not self.mapped:
            return
        if background:
            with self._lock:
                if self._materialiser is None:
                    self._materialiser = threading.Thread(target=self._materialise, name="threadbot-vectors-load",
                                                          daemon=True)
                    self._materialiser.start()
            return
        if self._materialiser is not None:
            self._materialiser.join()
        self._materialise()

    def wait_resident(self) -> None:
        """Block until a background copy started by make_resident(background=True) is done."""
        if self._materialiser is not None:
            self._materialiser.join()

    def _materialise(self) -> None:
        vectors = self._vectors
        if not vectors.mapped:
            return
        started = time.perf_counter()
        lists = vectors.copy_lists()  # outside the lock: mapped lists never change, searches go on
        with self._lock:
            if self._vectors is vectors and vectors.mapped:
                vectors.adopt_lists(lists)
        log.info("dense index copied into memory in %.1f s", time.perf_counter() - started)

    # ---- approximate index ---------------------------------------------------------------------
    def maybe_build_ann(self) -> bool:
        """Start the background clustering once the index is big enough; True if one started."""
        with self._lock:
            if (not self.auto_build or self._builder is not None
                    or not isinstance(self._vectors, _FaissVectors) or self._size < self.ann_min_passages
                    or not self._vectors.needs_clustering(self._size)):
                return False
            self._build_log = []
            self._builder = threading.Thread(target=self._build_ann, name="threadbot-ann-build", daemon=True)
            self._builder.start()
            return True

    def wait_for_ann(self, timeout: float | None = None) -> bool:
        """Block until a running background build finishes; True when none is running."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout)
        return self._builder is None

    def _build_ann(self) -> None:
        started = time.perf_counter()
        try:
            with self._lock:
                n = self._size
                sample_ids = self.ids[np.random.default_rng(0).permutation(n)[: _training_size(n)]]
                sample = self._vectors.reconstruct_many(np.sort(sample_ids))
            source = self._vectors
            clustered = source.clustered(sample, _list_count(n))
            del sample
            copied = source.copy_into(clustered, self._lock)
            with self._lock:
                # Reconcile with what changed while copying: removals move vectors inside lists, so
                # some were skipped; ids added, replaced or removed meanwhile are re-read from the source.
                live = self.ids
                touched = np.concatenate([copied[~np.isin(copied, live)], *(self._build_log or [])])
                stale = copied[np.isin(copied, touched)]
                clustered.remove(stale)
                redo = live[~np.isin(live, copied) | np.isin(live, touched)]
                if len(redo):
                    clustered.add(redo, source.reconstruct_many(redo))
                clustered.compact()
                self._vectors = clustered
                self.changes += 1
            self.last_build_seconds = time.perf_counter() - started
            log.info("clustered %d vectors into %d lists in %.1f s", n, clustered.lists,
                     self.last_build_seconds)
        finally:
            with self._lock:
                self._build_log = None
                self._builder = None
        if self.on_built is not None:
            self.on_built()

    # ---- persistence ---------------------------------------------------------------------------
    def save(self, folder: str | Path, stamp: dict) -> None:
        """Write the index to `folder`: data files first, then the manifest naming them, atomically.
        Holds the lock throughout, so two saves (on close, after clustering) never interleave."""
        self.make_resident()  # a mapped index would be written as a reference to its own file
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        generation = f"{time.time_ns():x}"
        with self._lock:
            columns = folder / f"{generation}.columns.npz"
            with open(f"{columns}.tmp", "wb") as f:
                n = self._size
                np.savez(f, ids=self.ids, thread_codes=self._thread_codes[:n],
                         scope_codes=self._scope_codes[:n], kind_codes=self._kind_codes[:n])
            os.replace(f"{columns}.tmp", columns)
            vectors_file = self._vectors.save(folder / f"{generation}.vectors")
            manifest = dict(stamp, format=1, generation=generation, size=self._size, dim=self.dim,
                            backend=self._vectors.name, vectors=vectors_file.name,
                            threads=sorted(self._threads, key=self._threads.get),
                            scopes=sorted(self._scopes, key=self._scopes.get))
            tmp = folder / f"manifest.{generation}.tmp"
            tmp.write_text(json.dumps(manifest))
            os.replace(tmp, folder / "manifest.json")
            self.changes = 0
            for old in folder.iterdir():  # earlier generations are no longer referenced
                if not old.name.startswith(generation) and old.name != "manifest.json":
                    old.unlink(missing_ok=True)

    @classmethod
    def load(cls, folder: str | Path, ann_min_passages: int = DEFAULT_ANN_MIN_PASSAGES
             ) -> tuple[VectorIndex, dict] | None:
        """The saved index and its manifest, or None when there is none or it is unreadable."""
        folder = Path(folder)
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            index = cls(int(manifest["dim"]), ann_min_passages)
            if manifest.get("backend") != index._vectors.name:
                return None
            columns = np.load(folder / f"{manifest['generation']}.columns.npz")
            index._vectors.load(folder / manifest["vectors"])
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            log.warning("ignoring the saved vector index in %s: %s", folder, exc)
            return None
        size = len(columns["ids"])
        if size != int(manifest["size"]) or index._vectors.count != size:
            log.warning("ignoring the saved vector index in %s: sizes do not match", folder)
            return None
        index._ids = columns["ids"].astype(np.int64)
        index._thread_codes = columns["thread_codes"].astype(np.int32)
        index._scope_codes = columns["scope_codes"].astype(np.int32)
        index._kind_codes = columns["kind_codes"].astype(np.int8)
        index._size = size
        index._threads = {t: i for i, t in enumerate(manifest["threads"])}
        index._scopes = {s: i for i, s in enumerate(manifest["scopes"])}
        return index, manifest


# ---- vector storage ------------------------------------------------------------------------------
class _Vectors:
    name = ""
    lists = 1
    count = 0
    mapped = False  # read through a mapping of a saved file (read-only) until copied into memory


class _FaissVectors(_Vectors):
    """float16 codes in a faiss IVF index labelled by passage id; one list until clustered."""

    name = "faiss-ivf-fp16"

    def __init__(self, dim: int, faiss, lists: int = 1, index=None):
        self.dim = dim
        self.faiss = faiss
        if index is None:
            quantizer = faiss.IndexFlatIP(dim)
            index = faiss.IndexIVFScalarQuantizer(quantizer, dim, lists, faiss.ScalarQuantizer.QT_fp16,
                                                  faiss.METRIC_INNER_PRODUCT, False)
            index.own_fields = True
            quantizer.this.disown()
            if lists == 1:  # one list needs no training: every vector goes to it
                quantizer.add(np.zeros((1, dim), dtype=np.float32))
                index.is_trained = True
        self._adopt(index)

    def _adopt(self, index) -> None:
        self.index = index
        self.lists = int(index.nlist)
        # A hash map id -> (list, offset) so vector(id) works; about 40 B per vector.
        if index.is_trained and index.direct_map.type != self.faiss.DirectMap.Hashtable:
            index.set_direct_map_type(self.faiss.DirectMap.Hashtable)
        self.nprobe = min(self.lists, max(MIN_PROBES, math.ceil(self.lists * PROBES_PER_1000_LISTS / 1000)))

    @property
    def count(self) -> int:
        return int(self.index.ntotal)

    def needs_clustering(self, size: int) -> bool:
        return self.lists == 1 or self.lists < _list_count(size) // 4

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self.index.add_with_ids(vectors, ids)

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self.index.remove_ids(self.faiss.IDSelectorArray(np.ascontiguousarray(ids, dtype=np.int64)))

    def reconstruct(self, passage_id: int, row: int) -> np.ndarray:
        return self.index.reconstruct(int(passage_id))

    def reconstruct_many(self, ids: np.ndarray) -> np.ndarray:
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        for i, pid in enumerate(ids.tolist()):
            out[i] = self.index.reconstruct(pid)
        return out

    def search(self, query, k, selected, max_id, fraction, exact):
        faiss = self.faiss
        nprobe = self.lists if exact else min(self.lists, math.ceil(self.nprobe / max(fraction, 1e-9)))
        params = faiss.SearchParametersIVF(nprobe=nprobe)
        if selected is not None:
            bits = np.zeros(max_id + 1, dtype=bool)
            bits[selected] = True
            packed = np.packbits(bits, bitorder="little")
            params.sel = faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(packed))
        scores, ids = self.index.search(query, k, params=params)
        return ids[0], scores[0], nprobe < self.lists

    def clustered(self, sample: np.ndarray, lists: int) -> _FaissVectors:
        """An empty index with `lists` lists, trained by spherical k-means on `sample`."""
        target = _FaissVectors(self.dim, self.faiss, lists)
        target.index.cp.niter = 10
        target.index.cp.spherical = True
        target.index.cp.max_points_per_centroid = 64
        target.index.cp.min_points_per_centroid = 5  # small indexes: fewer points are fine
        target.index.train(sample)
        target._adopt(target.index)
        return target

    def copy_into(self, target: _FaissVectors, lock: threading.RLock, chunk: int = 20_000) -> np.ndarray:
        """Add every vector to `target`, holding `lock` only while reading a chunk of a list.
        Returns the ids copied (each once, even if a concurrent removal shifted a list)."""
        faiss = self.faiss
        code_size = self.index.invlists.code_size
        copied: list[np.ndarray] = []
        seen: set[int] = set()
        for list_no in range(self.lists):
            offset = 0
            while True:
                with lock:
                    # Fetched under the lock each time: a mapped index may have had its lists swapped
                    # for an in-memory copy (same content) since the last chunk, freeing the old ones.
                    invlists = self.index.invlists
                    size = invlists.list_size(list_no)
                    m = min(chunk, size - offset)
                    if m <= 0:
                        break
                    ids = faiss.rev_swig_ptr(invlists.get_ids(list_no), size)[offset:offset + m].copy()
                    codes = faiss.rev_swig_ptr(invlists.get_codes(list_no), size * code_size)[
                        offset * code_size:(offset + m) * code_size].copy()
                offset += m
                fresh = np.fromiter((i not in seen for i in ids.tolist()), dtype=bool, count=m)
                seen.update(ids.tolist())
                if fresh.any():
                    ids, codes = ids[fresh], codes.reshape(m, code_size)[fresh]
                    target.index.add_with_ids(self.index.sq.decode(codes), ids)
                    copied.append(ids)
        return np.concatenate(copied) if copied else np.zeros(0, dtype=np.int64)

    def compact(self) -> None:
        """Copy each list into an exactly sized buffer: growing lists one add at a time leaves
        up to half their memory as spare capacity."""
        self.adopt_lists(self.copy_lists())

    def copy_lists(self):
        """The inverted lists copied into memory, each exactly sized."""
        old = self.index.invlists
        fresh = self.faiss.ArrayInvertedLists(old.nlist, old.code_size)
        for list_no in range(old.nlist):
            size = old.list_size(list_no)
            if size:
                fresh.add_entries(list_no, size, old.get_ids(list_no), old.get_codes(list_no))
        return fresh

    def adopt_lists(self, fresh) -> None:
        self.index.replace_invlists(fresh, True)  # frees the old lists (and unmaps a mapped file)
        fresh.this.disown()
        self.mapped = False

    def save(self, path: Path) -> Path:
        path = path.with_suffix(".faiss")
        self.faiss.write_index(self.index, str(path) + ".tmp")
        os.replace(str(path) + ".tmp", path)
        return path

    def load(self, path: Path) -> None:
        """Map the file: ready at once, read as searches touch it; VectorIndex copies it into
        memory before any write (a mapped index is read-only)."""
        self._adopt(self.faiss.read_index(str(path), self.faiss.IO_FLAG_MMAP))
        self.mapped = isinstance(self.faiss.downcast_InvertedLists(self.index.invlists),
                                 self.faiss.OnDiskInvertedLists)


class _NumpyVectors(_Vectors):
    """Fallback without faiss: a float32 matrix with its own id column; exact search only."""

    name = "numpy-f32"

    def __init__(self, dim: int):
        self.dim = dim
        self._matrix = np.zeros((0, dim), dtype=np.float32)
        self._ids = np.zeros(0, dtype=np.int64)
        self.count = 0

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        needed = self.count + len(ids)
        if needed > len(self._ids):
            capacity = max(needed, int(1.25 * len(self._ids)), 1024)
            self._matrix, self._ids = _grow(self._matrix, capacity), _grow(self._ids, capacity)
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
        from .search import dense_top_k

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
        saved = np.load(path)
        self._ids, self._matrix = saved["ids"], saved["matrix"]
        self.count = len(self._ids)


def _list_count(n: int) -> int:
    """About 2*sqrt(n) lists: about 1,000 to 2,000 vectors per list at a million."""
    return max(16, int(2 * math.sqrt(max(n, 1))))


def _training_size(n: int) -> int:
    return min(n, 64 * _list_count(n))


def _grow(array: np.ndarray, capacity: int) -> np.ndarray:
    grown = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown
