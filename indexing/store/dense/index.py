"""The in-memory dense index: passage vectors plus the columns searches filter on.

A new index holds its vectors in a numpy matrix (numpy_flat.py), so a process opening a small
collection never imports faiss (about 50 ms of a CLI question). From FLAT_MAX_PASSAGES they move
to a faiss inverted-file index of float16 codes (768 B per 384-d vector, half of float32) labelled
by passage id: one list, so a search is an exact scan, until `ann_min_passages`, when a background
thread clusters them into about 2*sqrt(n) lists; searches then probe only the nearest lists
(approximate), while `exact=True` still scans every list. Why
this shape, measured on this 2-core machine at 1M passages: the fp16 scan takes about half the time
of numpy's float32 matvec (it reads half the memory), and probing lists takes about a millisecond.

Without faiss installed the index stays a numpy matrix with exact search only (the backends,
behind one interface, are in backend.py, faiss_ivf.py and numpy_flat.py).

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
import os
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from . import manifest as manifest_file
from .backend import ClusteringBackend, VectorBackend, list_count, training_size
from .columns import FilterColumns

log = logging.getLogger(__name__)

# Measured against the exact scan (synthetic real-embedding-shaped corpus, 200 real questions, both
# halves of the query set apart): clustered at 20k recall@10 0.98-0.996 in 0.26-0.38 ms (exact scan
# 0.84 ms); at 50k 0.97-0.99 in 0.22-0.27 ms; at 100k 0.94-0.998 in 0.22-0.38 ms (exact 5-25 ms).
# From about 50k the exact scan costs milliseconds while clustering costs seconds once.
DEFAULT_ANN_MIN_PASSAGES = 50_000
# A numpy matrix holds a new index up to this size (no faiss import for a small collection); past it,
# faiss's float16 scan is several times faster (measured here: 0.7 against 2.3 ms at 5,000 vectors).
FLAT_MAX_PASSAGES = 2_000
TIE_MARGIN = 8  # results fetched beyond k, so that ties at the k-th place are settled by passage id


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


class VectorIndex:
    def __init__(self, dim: int, ann_min_passages: int = DEFAULT_ANN_MIN_PASSAGES,
                 backend: VectorBackend | None = None, columns: FilterColumns | None = None):
        self.dim = dim
        self.ann_min_passages = ann_min_passages
        self._lock = threading.RLock()
        self._columns = columns or FilterColumns()
        self._vectors: VectorBackend = backend or make_backend(dim)
        self._builder: threading.Thread | None = None
        self._materialiser: threading.Thread | None = None  # copies a mapped index into memory
        self._build_log: list[np.ndarray] | None = None  # ids added or removed while a build runs
        self.last_build_seconds: float | None = None
        self.changes = 0  # rows added or removed since the last snapshot
        self.auto_build = True  # cluster in the background once big enough
        self.on_built: Callable[[], None] | None = None  # called in the builder thread when done
        self.deferred: list[tuple[Path, str]] = []  # saved files in use whose CRC is still to check

    def __len__(self) -> int:
        return self._columns.size

    @property
    def ids(self) -> np.ndarray:
        return self._columns.live_ids

    @property
    def approximate(self) -> bool:
        """True once the vectors are clustered into lists (searches probe a few of them)."""
        return self._vectors.lists > 1

    # ---- writes --------------------------------------------------------------------------------
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
            present = self._columns.rows_of(ids) >= 0
            if present.any():  # a re-applied change: replace, never duplicate
                self.remove(ids[present])
            self._columns.append(ids, rows.thread_ids, rows.scopes, rows.kinds)
            self._vectors.add(ids, vectors)
            self._outgrow_numpy()
            if self._build_log is not None:
                self._build_log.append(ids)
            self.changes += n
        self.maybe_build_ann()

    def _outgrow_numpy(self) -> None:
        """From FLAT_MAX_PASSAGES on (or `ann_min_passages`, if smaller), the vectors move from the numpy
        matrix to faiss (one list until clustered), whose float16 scan is several times faster."""
        from .numpy_flat import NumpyFlatBackend

        if (isinstance(self._vectors, NumpyFlatBackend)
                and self._columns.size >= min(FLAT_MAX_PASSAGES, self.ann_min_passages)):
            faiss_backend = self._vectors.into_faiss()
            if faiss_backend is not None:
                self._vectors = faiss_backend

    def remove(self, passage_ids: list[int] | np.ndarray) -> None:
        ids = np.asarray(passage_ids, dtype=np.int64)
        if ids.size == 0:
            return
        self.make_resident()
        with self._lock:
            if self._columns.size == 0:
                return
            ids = ids[self._columns.rows_of(ids) >= 0]
            if ids.size == 0:
                return
            self._vectors.remove(ids)
            self._columns.drop(ids)
            if self._build_log is not None:
                self._build_log.append(ids)
            self.changes += int(ids.size)

    # ---- reads ---------------------------------------------------------------------------------
    def vector(self, passage_id: int) -> np.ndarray | None:
        with self._lock:
            row = int(self._columns.rows_of(np.array([passage_id]))[0])
            return None if row < 0 else self._vectors.reconstruct(passage_id, row)

    def holds(self, passage_ids: list[int]) -> np.ndarray:
        """Whether each of these passages has its vector here (one bool each)."""
        with self._lock:
            return self._columns.rows_of(np.asarray(passage_ids, dtype=np.int64)) >= 0

    def mask(self, scope: str | None = None, thread_ids: list[str] | None = None,
             kinds: list[str] | None = None) -> np.ndarray | None:
        """Boolean row mask for the filters, or None when nothing is filtered."""
        with self._lock:
            return self._columns.mask(scope, thread_ids, kinds)

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

    def quick_search(self, query: np.ndarray, k: int, scope: str | None = None) -> SearchResult | None:
        """`search_filtered` (scope only) on the caller's thread when it is sure to be quick, else None
        (the caller goes to a worker thread): an approximate search of resident vectors whose filter
        keeps at least a quarter of the rows, with the lock free. Well under a millisecond at a
        million rows, where the hop to a worker thread and back was a tenth of the time."""
        if not self._lock.acquire(blocking=False):  # a write or a clustering step holds it
            return None
        try:
            if not self.approximate or self.mapped:
                return None
            mask = self.mask(scope)
            if mask is not None and 4 * np.count_nonzero(mask) < self._columns.size:
                return None  # a small scope probes many more lists
            return self.search(query, k, mask)
        finally:
            self._lock.release()

    def search(self, query: np.ndarray, k: int, mask: np.ndarray | None = None,
               exact: bool = False) -> SearchResult:
        """Top k passages by cosine. `mask` (from `mask()`, same length as `ids`) filters rows.

        Approximate once clustered, unless `exact`; a filter that keeps a fraction f of the rows
        probes 1/f times more lists, so the number of candidates scanned stays about the same.
        """
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dim)
        with self._lock:
            if mask is not None and len(mask) != self._columns.size:
                raise ValueError("the mask is stale: the index changed since it was computed")
            allowed = self._columns.size if mask is None else int(np.count_nonzero(mask))
            k = min(k, allowed)
            if k <= 0:
                return SearchResult(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), False)
            selected = None if mask is None or allowed == self._columns.size else self.ids[mask]
            fetch = min(k + TIE_MARGIN, allowed)
            ids, scores, approximate = self._vectors.search(query, fetch, selected, int(self.ids[-1]),
                                                            allowed / self._columns.size, exact)
            keep = ids >= 0
            ids, scores = ids[keep], scores[keep]
        # Equal vectors (the same text) score the same; each backend lists them in its own order (rows,
        # lists), so ties go to the lower passage id: the same results whichever backend holds them.
        order = np.lexsort((ids, -np.round(scores, 5)))[:k]
        return SearchResult(ids[order], scores[order], approximate)

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
        vectors = cast(ClusteringBackend, self._vectors)  # only a clustering backend maps a saved file
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
                    or not self._vectors.can_cluster or self._columns.size < self.ann_min_passages
                    # checked can_cluster just before: a clustering backend
                    or not cast(ClusteringBackend, self._vectors).needs_clustering(self._columns.size)):
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
            source = cast(ClusteringBackend, self._vectors)  # maybe_build_ann checked can_cluster
            with self._lock:
                n = self._columns.size
                sample_ids = self.ids[np.random.default_rng(0).permutation(n)[: training_size(n)]]
                sample = source.reconstruct_many(np.sort(sample_ids))
            clustered = source.clustered(sample, list_count(n))
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
            with self._lock:
                self._build_log = None
            if self.on_built is not None:  # before the build counts as done: wait_for_ann waits for it too
                self.on_built()
        finally:
            with self._lock:
                self._build_log = None
                self._builder = None

    # ---- persistence ---------------------------------------------------------------------------
    def save(self, folder: str | Path, stamp: dict) -> str:
        """Write the index to `folder`: data files first, then the manifest naming them with their
        checksums, atomically, all flushed to the disk (the copy is the only home of most vectors:
        snapshot.py). Holds the lock throughout, so two saves (on close, after clustering) never
        interleave. A failed save (a full disk) leaves nothing of itself behind. Earlier generations
        stay until the caller has recorded this one (`keep_only`). Returns the generation."""
        self.make_resident()  # a mapped index would be written as a reference to its own file
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        generation = f"{time.time_ns():x}"
        with self._lock:
            try:
                self._save_files(folder, generation, stamp)
            except BaseException:
                for partial in folder.glob(f"*{generation}*"):
                    partial.unlink(missing_ok=True)
                raise
            self.changes = 0
        return generation

    @staticmethod
    def keep_only(folder: str | Path, generation: str) -> None:
        """Delete the saved generations older than `generation` (once the database names it) and any
        file that is not a generation's. Newer ones stay: this runs after the recording transaction,
        when another save (the clustering thread's, another process's) may be writing its files."""
        recorded = _generation_number(generation)
        for old in Path(folder).iterdir():
            if old.name == "manifest.json":
                continue
            number = _generation_number(old.name.split(".", 1)[0])
            if number is None or (number < recorded if recorded is not None else not old.name.startswith(generation)):
                old.unlink(missing_ok=True)

    def _save_files(self, folder: Path, generation: str, stamp: dict) -> None:
        columns = folder / f"{generation}.columns.npz"
        self._columns.save(columns)
        os.replace(f"{columns}.tmp", columns)
        vectors_file = self._vectors.save(folder / f"{generation}.vectors")
        for written in (columns, vectors_file):
            manifest_file.sync_file(written)
        manifest = dict(stamp, format=manifest_file.FORMAT, generation=generation, size=self._columns.size,
                        dim=self.dim, backend=self._vectors.name, vectors=vectors_file.name,
                        checksums={f.name: manifest_file.checksum(f) for f in (columns, vectors_file)},
                        stats={f.name: manifest_file.file_stat(f) for f in (columns, vectors_file)},
                        threads=sorted(self._columns.threads, key=self._columns.threads.__getitem__),
                        scopes=sorted(self._columns.scopes, key=self._columns.scopes.__getitem__))
        text = json.dumps(manifest).encode()
        manifest_file.write_durably(folder / f"{generation}{manifest_file.GENERATION_MANIFEST}", text)
        manifest_file.write_durably(folder / "manifest.json", text)
        manifest_file.sync_file(folder)

    @classmethod
    def load(cls, folder: str | Path, ann_min_passages: int = DEFAULT_ANN_MIN_PASSAGES, defer: bool = False,
             token: str | None = None) -> tuple[VectorIndex, dict] | None:
        """The saved index and its manifest, or None (with a warning) when there is none or it fails
        any check (manifest.py): the caller rebuilds from the database. `defer`: checksums of files
        unchanged since written are left to the caller (manifest["deferred"]). `token`: the copy the
        database recorded (manifest.read_manifest)."""
        folder = Path(folder)
        try:
            manifest = manifest_file.read_manifest(folder, defer, token)
            backend = backend_for(manifest["backend"], manifest["dim"])
            columns = FilterColumns.load(folder / manifest_file.columns_name(manifest), manifest["threads"],
                                         manifest["scopes"])
            manifest_file.check_columns(columns, manifest)
            backend.load(folder / manifest["vectors"])
            if backend.count != columns.size or backend.dim != manifest["dim"]:
                raise manifest_file.DamagedCopy("the vectors and the columns do not match")
        # What a damaged file raises: OSError (missing, unreadable), ValueError (bad JSON, bad array),
        # KeyError (an array missing from the .npz), BadZipFile/EOFError (a truncated .npz), RuntimeError (faiss).
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile, RuntimeError) as exc:
            if (folder / "manifest.json").exists():
                log.warning("ignoring the saved vector index in %s (it is rebuilt from the database): %s",
                            folder, exc)
            return None
        return cls(manifest["dim"], ann_min_passages, backend=backend, columns=columns), manifest


def _generation_number(name: str) -> int | None:
    """A generation's name is its save time in hex nanoseconds: later saves have larger numbers."""
    try:
        return int(name, 16)
    except ValueError:
        return None


def make_backend(dim: int) -> VectorBackend:
    """A new index's backend: a numpy matrix, which hands its vectors to faiss when clustered (so
    faiss is imported only by a process that clusters or reads a saved faiss copy)."""
    from .numpy_flat import NumpyFlatBackend

    return NumpyFlatBackend(dim)


def backend_for(name: object, dim: int) -> VectorBackend:
    """The backend that reads a saved copy written by the backend called `name`."""
    from .faiss_ivf import FaissIvfBackend, load_faiss
    from .numpy_flat import NumpyFlatBackend

    if name == NumpyFlatBackend.name:
        return NumpyFlatBackend(dim)
    if name == FaissIvfBackend.name:
        faiss = load_faiss()
        if faiss is None:
            raise manifest_file.DamagedCopy("written by faiss, which is not installed")
        return FaissIvfBackend(dim, faiss)
    raise manifest_file.DamagedCopy(f"written by an unknown backend {name!r}")
