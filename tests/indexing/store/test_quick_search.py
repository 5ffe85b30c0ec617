"""The dense index's fast paths: the cached scope mask follows every write, a search on the
caller's thread gives what the worker-thread search gives (and declines what could be slow), the
probe count follows the vectors per list, and the fused hits are re-checked best first."""

from __future__ import annotations

import asyncio

import numpy as np

from indexing.store.dense import VectorIndex, VectorRows
from indexing.store.dense.backend import MIN_PROBES, probes
from indexing.store.ranking import checked_top
from tests.indexing.store.test_vectors import DIM, clustered_data


def scoped(ids: np.ndarray, data: np.ndarray, scope: str) -> VectorRows:
    return VectorRows(ids=ids, vectors=data, thread_ids=[f"t{i % 3}" for i in ids.tolist()],
                      scopes=[scope] * len(ids), kinds=["comment"] * len(ids))


def test_the_cached_scope_mask_follows_inserts_and_removals():
    data = clustered_data(600)
    index = VectorIndex(DIM)
    index.add(scoped(np.arange(1, 301), data[:300], "a"))
    query = data[400]
    assert set(index.search_filtered(query, 20, scope="a").ids.tolist()) <= set(range(1, 301))
    index.add(scoped(np.arange(301, 601), data[300:], "b"))  # nearer to the query than any of a's
    assert set(index.search_filtered(query, 20, scope="a").ids.tolist()) <= set(range(1, 301))
    assert set(index.search_filtered(query, 20, scope="b").ids.tolist()) <= set(range(301, 601))
    assert index.search_filtered(query, 20, scope="b").ids[0] == 401
    index.remove(np.arange(1, 301))
    assert len(index.search_filtered(query, 20, scope="a").ids) == 0
    assert len(index.search_filtered(query, 20, scope="b").ids) == 20
    assert len(index.search_filtered(query, 20, scope="nowhere").ids) == 0


def test_a_quick_search_equals_the_worker_search_and_declines_what_could_be_slow():
    data = clustered_data(6000)
    index = VectorIndex(DIM, ann_min_passages=4000)
    index.add(scoped(np.arange(1, 5001), data[:5000], "big"))
    assert index.quick_search(data[0], 10, "big") is None  # one list: an exact scan
    assert index.wait_for_ann(timeout=120) and index.approximate
    index.add(scoped(np.arange(5001, 6001), data[5000:], "small"))  # a sixth of the rows
    for q in data[:20]:
        quick = index.quick_search(q, 10, "big")
        assert quick is not None and quick.approximate
        worker = index.search_filtered(q, 10, scope="big")
        assert quick.ids.tolist() == worker.ids.tolist()
        np.testing.assert_array_equal(quick.scores, worker.scores)
    assert index.quick_search(data[0], 10, "small") is None  # probes six times the lists
    assert index.quick_search(data[0], 10, "nowhere") is None


def test_probes_scan_about_the_same_number_of_vectors_at_any_size():
    assert probes(2000, 1_000_000) == MIN_PROBES  # 500 a list: 8 lists are 4,000 vectors
    assert probes(900, 200_000) == 18  # 222 a list
    assert probes(2000, 1_000_000, fraction=0.1) == 10 * MIN_PROBES  # a filter keeping a tenth
    assert probes(100, 1000) == 100  # never more lists than there are


def test_fused_hits_are_checked_best_first_until_k_pass():
    fused = {pid: 1.0 / (60 + pid) for pid in range(1, 101)}  # 1 best
    fetched: list[list[int]] = []

    async def fetch(ids: list[int]) -> dict[int, str]:
        fetched.append(ids)
        return {pid: f"p{pid}" for pid in ids if pid % 4 == 0}  # the others are stale

    best, found = asyncio.run(checked_top(fused, 5, fetch))
    assert best == [4, 8, 12, 16, 20]
    assert fetched == [list(range(1, 11)), list(range(11, 21))]  # 2k at a time, stopping once k pass
    assert set(best) <= set(found)
    best, _ = asyncio.run(checked_top({1: 0.5, 2: 0.4}, 5, fetch))
    assert best == []
