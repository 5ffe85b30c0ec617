"""Dense backend: float16 codes in a faiss inverted-file index labelled by passage id.

One list (an exact scan) until `VectorIndex` clusters it into about 2*sqrt(n) lists in the
background; then searches probe the nearest lists. Saved files are mapped, not read, on load.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from .backend import list_count, probes


def load_faiss():
    """The faiss module, or None when faiss-cpu is not installed (the numpy backend is used)."""
    try:
        import faiss
    except ImportError:
        return None
    return faiss


class FaissIvfBackend:
    """float16 codes in a faiss IVF index labelled by passage id; one list until clustered."""

    name = "faiss-ivf-fp16"
    can_cluster = True
    mapped = False

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

    @property
    def count(self) -> int:
        return int(self.index.ntotal)

    def needs_clustering(self, size: int) -> bool:
        return self.lists == 1 or self.lists < list_count(size) // 4

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
        nprobe = self.lists if exact else probes(self.lists, self.count, fraction)
        params = faiss.SearchParametersIVF(nprobe=nprobe)
        if selected is not None:
            bits = np.zeros(max_id + 1, dtype=bool)
            bits[selected] = True
            packed = np.packbits(bits, bitorder="little")
            params.sel = faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(packed))
        scores, ids = self.index.search(query, k, params=params)
        return ids[0], scores[0], nprobe < self.lists

    def clustered(self, sample: np.ndarray, lists: int) -> FaissIvfBackend:
        """An empty index with `lists` lists, trained by spherical k-means on `sample`."""
        target = FaissIvfBackend(self.dim, self.faiss, lists)
        target.index.cp.niter = 10
        target.index.cp.spherical = True
        target.index.cp.max_points_per_centroid = 64
        target.index.cp.min_points_per_centroid = 5  # small indexes: fewer points are fine
        target.index.train(sample)
        target._adopt(target.index)
        return target

    def copy_into(self, target: FaissIvfBackend, lock: threading.RLock, chunk: int = 20_000) -> np.ndarray:
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
