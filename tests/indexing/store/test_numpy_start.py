"""A new dense index is a numpy matrix until it is big enough to cluster, when its vectors move into
a faiss inverted-file index: a process that opens a small collection never imports faiss."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from indexing.store.dense import VectorIndex
from indexing.store.dense.faiss_ivf import FaissIvfBackend
from indexing.store.dense.numpy_flat import NumpyFlatBackend
from tests.indexing.store.test_vectors import DIM, assert_exact_top, clustered_data, rows

REPO = Path(__file__).resolve().parents[3]


def test_clustering_moves_every_vector_once_into_faiss_while_rows_arrive():
    data = clustered_data(3000)
    ids = np.arange(1, 3001, dtype=np.int64)
    index = VectorIndex(DIM, ann_min_passages=1000)
    index.add(rows(ids[:900], data[:900]))
    assert isinstance(index._vectors, NumpyFlatBackend) and not index.approximate
    index.add(rows(ids[900:1200], data[900:1200]))  # the background clustering starts
    index.add(rows(ids[1200:], data[1200:]))  # most likely while the vectors are copied into faiss
    index.remove(ids[:50])
    assert index.wait_for_ann(timeout=120) and index.approximate
    backend = index._vectors
    assert isinstance(backend, FaissIvfBackend) and backend.count == len(index) == 2950
    for q in data[100:120]:
        assert_exact_top(index.search(q, 10, exact=True).ids, data[50:], ids[50:], q, 10)
    assert index.search(data[60], 1).ids.tolist() == [61]


def test_a_small_index_saved_and_loaded_never_imports_faiss(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        import numpy as np
        from indexing.store.dense import VectorIndex, VectorRows
        vectors = np.random.default_rng(0).standard_normal((500, 8)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids = np.arange(1, 501, dtype=np.int64)
        index = VectorIndex(8)
        index.add(VectorRows(ids, vectors, ["t"] * 500, ["local"] * 500, ["comment"] * 500))
        index.save({str(tmp_path / "saved")!r}, {{"version": 1}})
        loaded, manifest = VectorIndex.load({str(tmp_path / "saved")!r})
        assert manifest["backend"] == "numpy-f32" and len(loaded) == 500
        assert loaded.search(vectors[7], 1).ids.tolist() == [8]
        assert "faiss" not in sys.modules, "faiss was imported"
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_a_saved_numpy_matrix_is_float16_and_scores_as_before_the_save(tmp_path):
    data = clustered_data(400)
    ids = np.arange(1, 401, dtype=np.int64)
    index = VectorIndex(DIM)
    index.add(rows(ids, data))
    before = index.search(data[3], 10)
    index.save(tmp_path / "saved", {"version": 1})
    loaded, manifest = VectorIndex.load(tmp_path / "saved")
    with np.load(tmp_path / "saved" / manifest["vectors"]) as saved:
        assert saved["matrix"].dtype == np.float16
    after = loaded.search(data[3], 10)
    assert after.ids.tolist() == before.ids.tolist()
    np.testing.assert_array_equal(after.scores, before.scores)


def test_past_the_flat_size_the_vectors_move_to_faiss_and_search_the_same():
    from indexing.store.dense.index import FLAT_MAX_PASSAGES

    n = FLAT_MAX_PASSAGES
    data = clustered_data(n)
    ids = np.arange(1, n + 1, dtype=np.int64)
    index = VectorIndex(DIM)
    index.add(rows(ids[:-1], data[:-1]))
    assert isinstance(index._vectors, NumpyFlatBackend)
    before = [index.search(q, 10) for q in data[:20]]
    index.add(rows(ids[-1:], data[-1:]))
    assert isinstance(index._vectors, FaissIvfBackend) and index._vectors.lists == 1 and len(index) == n
    for q, earlier in zip(data[:20], before, strict=True):
        after = index.search(q, 10, exact=True)
        assert_exact_top(after.ids, data, ids, q, 10)
        if n not in after.ids:  # the same vectors at the same (float16) precision score the same
            np.testing.assert_allclose(after.scores, earlier.scores, atol=1e-5)


def test_equal_vectors_come_in_passage_id_order_in_every_backend():
    """Duplicates (the same comment posted twice) score the same: the lower passage id comes first,
    before and after the vectors move to faiss and after clustering."""
    data = clustered_data(3000)
    data[2000:2010] = data[5]  # ten copies of passage 6's vector, at ids 2001-2010
    ids = np.arange(1, 3001, dtype=np.int64)[::-1].copy()  # added in reverse id order
    index = VectorIndex(DIM, ann_min_passages=2500)
    index.add(rows(ids[:1000], data[::-1][:1000]))
    flat = index.search(data[5], 6).ids.tolist()
    index.add(rows(ids[1000:], data[::-1][1000:]))
    assert index.wait_for_ann(timeout=120) and index.approximate
    for found in (flat[:5], index.search(data[5], 6, exact=True).ids.tolist()[:6],
                  index.search(data[5], 6).ids.tolist()[:6]):
        assert found == sorted(found), found
    assert index.search(data[5], 6, exact=True).ids.tolist() == [6, 2001, 2002, 2003, 2004, 2005]
