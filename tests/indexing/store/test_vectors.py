"""The dense index: exact search equals brute force, the clustered (approximate) index keeps recall,
and a saved index gives the same results after a restart, including writes made since it was saved."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from indexing.library import ThreadLibrary
from indexing.records import Comment, Thread
from indexing.store.dense import DEFAULT_ANN_MIN_PASSAGES, VectorIndex, VectorRows, faiss_ivf

DIM = 48


def clustered_data(n: int, seed: int = 0) -> np.ndarray:
    """Vectors around a few hundred centres, like real embeddings (uniform noise is unlike any corpus)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(8, n // 40), DIM)).astype(np.float32)
    data = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.standard_normal((n, DIM)).astype(np.float32)
    return data / np.linalg.norm(data, axis=1, keepdims=True)


def rows(ids: np.ndarray, data: np.ndarray, threads: int = 5) -> VectorRows:
    return VectorRows(ids=ids, vectors=data, thread_ids=[f"t{i % threads}" for i in ids.tolist()],
                      scopes=["local"] * len(ids), kinds=["comment"] * len(ids))


def brute_force(data: np.ndarray, ids: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    return ids[np.argsort(-(data @ query), kind="stable")[:k]]


def assert_exact_top(found_ids: np.ndarray, data: np.ndarray, ids: np.ndarray, query: np.ndarray,
                     k: int) -> None:
    """The true top k up to float16 rounding: near-ties (within 2e-3) may swap places."""
    true = dict(zip(ids.tolist(), (data @ query).tolist(), strict=True))
    kth = np.sort(data @ query)[::-1][k - 1]
    assert len(found_ids) == k and len(set(found_ids.tolist())) == k
    assert all(true[i] >= kth - 2e-3 for i in found_ids.tolist())


def test_exact_search_matches_brute_force_with_filters():
    data = clustered_data(3000)
    ids = np.arange(10, 3010, dtype=np.int64)
    index = VectorIndex(DIM)
    index.add(rows(ids, data))
    for q in data[:20]:
        found = index.search(q, 10)
        assert not found.approximate
        assert_exact_top(found.ids, data, ids, q, 10)
        np.testing.assert_allclose(found.scores, np.sort(data @ q)[::-1][:10], atol=2e-3)  # float16 codes
    only_t2 = index.search_filtered(data[0], 10, thread_ids=["t2"])
    assert_exact_top(only_t2.ids, data[ids % 5 == 2], ids[ids % 5 == 2], data[0], 10)


def test_approximate_index_recall_against_exact():
    data = clustered_data(6000)
    ids = np.arange(1, 6001, dtype=np.int64)
    index = VectorIndex(DIM, ann_min_passages=4000)
    index.add(rows(ids[:4000], data[:4000]))
    assert index.wait_for_ann(timeout=120)
    index.add(rows(ids[4000:], data[4000:]))  # rows added after clustering go to their nearest list
    assert index.wait_for_ann(timeout=120) and index.approximate
    rng = np.random.default_rng(1)  # questions near the corpus, as real questions are
    queries = data[rng.integers(0, 6000, 60)] + 0.3 * rng.standard_normal((60, DIM)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    recall = []
    for q in queries:
        approximate = index.search(q, 10)
        exact = index.search(q, 10, exact=True)
        assert approximate.approximate and not exact.approximate
        assert_exact_top(exact.ids, data, ids, q, 10)
        recall.append(len(set(approximate.ids.tolist()) & set(exact.ids.tolist())) / 10)
    assert np.mean(recall) >= 0.9, np.mean(recall)
    # A filter that keeps few rows probes more lists, so it still finds them.
    filtered = index.search_filtered(queries[0], 10, thread_ids=["t3"])
    in_t3 = ids % 5 == 3
    assert_exact_top(filtered.ids, data[in_t3], ids[in_t3], queries[0], 10)


def test_writes_during_the_background_build_are_kept():
    data = clustered_data(8000)
    ids = np.arange(1, 8001, dtype=np.int64)
    index = VectorIndex(DIM, ann_min_passages=5000)
    index.add(rows(ids[:5000], data[:5000]))  # starts the build
    index.remove(ids[:300])
    index.add(rows(ids[5000:], data[5000:]))
    assert index.wait_for_ann(timeout=120) and index.approximate
    live = ids[300:]
    assert len(index) == len(live) and index.ids.tolist() == live.tolist()
    for q in data[1000:1010]:
        assert_exact_top(index.search(q, 10, exact=True).ids, data[300:], live, q, 10)
    np.testing.assert_allclose(index.vector(int(ids[7000])), data[7000], atol=2e-3)
    assert index.vector(int(ids[5])) is None


def test_a_saved_index_is_mapped_searchable_at_once_and_copied_in_before_a_write(tmp_path):
    data = clustered_data(3000)
    ids = np.arange(1, 3001, dtype=np.int64)
    index = VectorIndex(DIM, ann_min_passages=1000)
    index.add(rows(ids, data))
    assert index.wait_for_ann(timeout=120) and index.approximate
    expected = [index.search(q, 10).ids.tolist() for q in data[:20]]
    index.save(tmp_path / "saved", {"version": 1})

    mapped, _ = VectorIndex.load(tmp_path / "saved", 1000)
    assert mapped.mapped
    assert [mapped.search(q, 10).ids.tolist() for q in data[:20]] == expected
    assert mapped.vector(5) is not None
    extra = clustered_data(10, seed=9)
    mapped.add(rows(np.arange(5000, 5010, dtype=np.int64), extra))  # a write copies the file in first
    assert not mapped.mapped and len(mapped) == 3010
    assert mapped.search(extra[0], 1).ids.tolist() == [5000]
    mapped.remove([5000])
    mapped.save(tmp_path / "saved", {"version": 2})  # written whole, not as a reference to the old file
    again, _ = VectorIndex.load(tmp_path / "saved", 1000)
    again.make_resident()
    assert len(again) == 3009 and not again.mapped
    assert [again.search(q, 10).ids.tolist() for q in data[:20]] == expected


def test_a_mapped_index_is_copied_in_the_background_while_searches_go_on(tmp_path):
    data = clustered_data(2000)
    ids = np.arange(1, 2001, dtype=np.int64)
    index = VectorIndex(DIM)
    index.add(rows(ids, data))
    expected = [index.search(q, 5).ids.tolist() for q in data[:50]]
    index.save(tmp_path / "saved", {"version": 1})
    loaded, _ = VectorIndex.load(tmp_path / "saved")
    loaded.make_resident(background=True)
    assert [loaded.search(q, 5).ids.tolist() for q in data[:50]] == expected
    loaded.wait_resident()
    assert not loaded.mapped
    assert [loaded.search(q, 5).ids.tolist() for q in data[:50]] == expected


def test_default_threshold_clusters_from_fifty_thousand_and_stays_exact_below():
    """The default `ann_min_passages` (50,000): one passage short, every search is an exact scan and
    no clustering starts; at the threshold a background build starts and searches turn approximate."""
    from indexing.config import IndexConfig

    assert IndexConfig().ann_min_passages == DEFAULT_ANN_MIN_PASSAGES == 50_000
    dim, n = 8, DEFAULT_ANN_MIN_PASSAGES
    rng = np.random.default_rng(3)
    data = rng.standard_normal((n, dim)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    index = VectorIndex(dim)
    index.add(VectorRows(np.arange(1, n, dtype=np.int64), data[:-1], ["t"] * (n - 1), ["local"] * (n - 1),
                         ["comment"] * (n - 1)))
    assert index.wait_for_ann(timeout=0) and not index.approximate
    found = index.search(data[0], 10)
    assert not found.approximate and found.ids[0] == 1
    index.add(VectorRows(np.array([n], dtype=np.int64), data[-1:], ["t"], ["local"], ["comment"]))
    assert index.wait_for_ann(timeout=120) and index.approximate
    assert index.search(data[0], 10).approximate and not index.search(data[0], 10, exact=True).approximate


def test_numpy_fallback_without_faiss(monkeypatch):
    monkeypatch.setattr(faiss_ivf, "load_faiss", lambda: None)
    data = clustered_data(500)
    ids = np.arange(1, 501, dtype=np.int64)
    index = VectorIndex(DIM, ann_min_passages=100)
    index.add(rows(ids, data))
    index.remove(ids[:10])
    assert not index.approximate
    q = data[50]
    assert index.search(q, 5).ids.tolist() == brute_force(data[10:], ids[10:], q, 5).tolist()
    # held at float16 precision, like faiss's codes and the rows in SQLite
    np.testing.assert_array_equal(index.vector(60), data[59].astype(np.float16).astype(np.float32))


# ---- through the library: saved next to the database, checked and replayed on open -------------
def thread(title: str, n: int) -> Thread:
    words = ["rain", "tax", "bridge", "election", "harbour", "school", "budget", "river", "mayor", "strike"]
    comments = [Comment(id=f"c{i}", author=f"user{i % 7}",
                        text=f"{words[i % 10]} {words[(i * 3) % 10]} comment {i} about {title}")
                for i in range(n)]
    return Thread(title=title, paragraphs=(f"{title}: the article about {words[n % 10]}.",),
                  comments=tuple(comments), source_file=f"{title}.json")


@pytest.fixture
def small_thresholds() -> dict:
    """Sizes for ThreadLibrary.open: save the dense index from 1 passage, cluster it from 300."""
    return {"snapshot_min_passages": 1, "ann_min_passages": 300}


async def search_ids(lib: ThreadLibrary, queries: list[str], exact: bool = False) -> list[list[int]]:
    out = []
    for q in queries:
        vector = lib.embedder.embed_query(q)
        out.append([h.passage.id for h in await lib.dense_search(vector, k=10, exact=exact)])
    return out


QUERIES = ["rain and tax", "the bridge election", "harbour school budget", "river mayor strike comment 7"]


async def test_results_do_not_change_across_a_restart(db_path, fake_embedder, small_thresholds):
    lib = await ThreadLibrary.open(db_path, fake_embedder, **small_thresholds)
    for i in range(3):
        await lib.index_thread(thread(f"thread {i}", 150))
    assert lib.store.vectors.wait_for_ann(timeout=120) and lib.store.vectors.approximate
    before = await search_ids(lib, QUERIES)
    before_exact = await search_ids(lib, QUERIES, exact=True)
    await lib.close()
    manifest = json.loads((db_path.parent / f"{db_path.name}.vectors" / "manifest.json").read_text())
    assert manifest["size"] == 3 * 152

    lib = await ThreadLibrary.open(db_path, fake_embedder, **small_thresholds)
    try:
        index = lib.store.vectors
        assert index.approximate and index.last_build_seconds is None  # loaded, not clustered again
        assert await search_ids(lib, QUERIES) == before
        assert await search_ids(lib, QUERIES, exact=True) == before_exact
    finally:
        await lib.close()


async def test_writes_after_the_save_are_replayed(db_path, fake_embedder, small_thresholds, monkeypatch):
    lib = await ThreadLibrary.open(db_path, fake_embedder, **small_thresholds)
    first = await lib.index_thread(thread("first", 200))
    await lib.index_thread(thread("second", 200))
    await lib.close()  # saved
    lib = await ThreadLibrary.open(db_path, fake_embedder, **small_thresholds)
    await lib.index_thread(thread("third", 40))
    await lib.forget(first.thread_id)
    expected = await search_ids(lib, QUERIES, exact=True)
    lib.store.snapshot_min_passages = 1_000_000  # as if it crashed: nothing saved
    await lib.close()
    lib = await ThreadLibrary.open(db_path, fake_embedder, **small_thresholds)
    try:
        async with lib.store._reader.execute("SELECT id FROM passages ORDER BY id") as cursor:
            in_db = [row[0] for row in await cursor.fetchall()]
        assert lib.store.vectors.ids.tolist() == in_db
        assert await search_ids(lib, QUERIES, exact=True) == expected
    finally:
        await lib.close()


async def test_a_copy_from_another_database_is_ignored(tmp_path, fake_embedder, small_thresholds):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    for path, title in ((one, "alpha"), (two, "beta")):
        lib = await ThreadLibrary.open(path, fake_embedder, **small_thresholds)
        await lib.index_thread(thread(title, 30))
        await lib.close()
    shutil.rmtree(tmp_path / "two.db.vectors")
    shutil.copytree(tmp_path / "one.db.vectors", tmp_path / "two.db.vectors")
    lib = await ThreadLibrary.open(two, fake_embedder, **small_thresholds)
    try:
        titles = {h.thread_title for h in await lib.dense_search(fake_embedder.embed_query("rain"), k=5)}
        assert titles == {"beta"}
    finally:
        await lib.close()


def test_clustering_a_mapped_index_while_it_is_copied_in(tmp_path):
    data = clustered_data(3000)
    ids = np.arange(1, 3001, dtype=np.int64)
    # A faiss index of one list (what an unclustered index was saved as before numpy held small
    # ones), saved and loaded where it is big enough to cluster.
    flat = VectorIndex(DIM, backend=faiss_ivf.FaissIvfBackend(DIM, faiss_ivf.load_faiss()))
    flat.add(rows(ids, data))
    flat.save(tmp_path / "saved", {"version": 1})
    loaded, _ = VectorIndex.load(tmp_path / "saved", 1000)
    assert loaded.mapped
    loaded.make_resident(background=True)
    assert loaded.maybe_build_ann()
    assert loaded.wait_for_ann(timeout=120) and loaded.approximate
    loaded.wait_resident()
    assert len(loaded) == 3000 and not loaded.mapped
    for q in data[:20]:
        assert_exact_top(loaded.search(q, 10, exact=True).ids, data, ids, q, 10)
