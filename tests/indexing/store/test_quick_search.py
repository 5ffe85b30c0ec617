"""The dense index's fast paths: the cached scope mask follows every write, a search on the
caller's thread gives what the worker-thread search gives (and declines what could be slow), the
probe count follows the vectors per list, the fused hits are re-checked best first, and their rows
are read on the caller's thread (never queued behind the reader's work), filters and deletions held."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3

import numpy as np

from indexing.library import ThreadLibrary
from indexing.records import Comment
from indexing.store import Store
from indexing.store.dense import VectorIndex, VectorRows
from indexing.store.dense.backend import MIN_PROBES, probes
from indexing.store.ranking import checked_top
from indexing.store.snapshot import LogPeek
from tests.fakes import FakeEmbedder
from tests.indexing.store.test_store import make_thread
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


SLOW_SQL = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000000) SELECT count(*) FROM c"


async def test_a_search_reads_its_rows_without_waiting_behind_the_readers_work(tmp_path):
    """A dense search's hit rows come through the caller's-thread connection: a long query queued on
    the reader's thread first (a digest, a full-text scan) does not hold the search up. (Below 20k
    passages a hybrid search's BM25 side is FTS5, on the reader's thread.)"""
    embedder = FakeEmbedder()
    async with await Store.open(tmp_path / "t.db", embedder.model_id, embedder.dim) as store:
        lib = ThreadLibrary(store, embedder)
        await lib.index_thread(make_thread())
        vector = await lib.embed_query("bridge council")
        slow = asyncio.ensure_future(store._reader.execute_fetchall(SLOW_SQL))
        await asyncio.sleep(0)  # the slow query is queued on the reader's thread before the search
        try:
            hits = await lib.dense_search(vector, k=3)
            assert not slow.done()  # answered while the reader was still busy
        finally:
            # Interrupted until it stops: an interrupt that comes before the reader's thread has begun
            # the query (the search was that quick) is a no-op, and the query would run for seconds.
            while not slow.done():
                await store._reader.interrupt()
                await asyncio.wait([slow], timeout=0.05)
            with contextlib.suppress(sqlite3.OperationalError):  # "interrupted"
                await slow
        assert hits and hits[0].thread_title == "Bridge vote"


async def test_rows_read_on_the_callers_thread_hold_every_filter_and_every_deletion(tmp_path):
    embedder = FakeEmbedder()
    path = tmp_path / "t.db"
    async with await Store.open(path, embedder.model_id, embedder.dim) as store:
        lib = ThreadLibrary(store, embedder)
        await lib.index_thread(make_thread(), scope="g1")
        other = make_thread(title="Other", source_file="other.txt",
                            comments=[Comment("c9", "cy", "Bridge again.")])
        await lib.index_thread(other, scope="g2")
        rows = await store.titled_passages(list(range(1, 100)), None)
        by_scope = {scope: {pid for pid, (p, _) in rows.items() if p.scope == scope} for scope in ("g1", "g2")}
        assert by_scope["g1"] and by_scope["g2"]
        assert set(await store.titled_passages(list(rows), "g1")) == by_scope["g1"]
        first = rows[min(by_scope["g1"])][0].thread_id
        assert {p.thread_id for p, _ in (await store.titled_passages(list(rows), None, [first])).values()} == {first}
        assert {p.kind for p, _ in (await store.titled_passages(list(rows), None, kinds=["comment"])).values()} == {
            "comment"}
        assert {p.author for p, _ in (await store.titled_passages(list(rows), None, author="BOB")).values()} == {"bob"}
        # Another process deletes g1's thread: its rows are gone at once, before this one catches up.
        async with await Store.open(path, embedder.model_id, embedder.dim) as writer:
            await writer.delete_thread(first, "g1")
        assert set(await store.titled_passages(list(rows), None)) == by_scope["g2"]
        vector = await lib.embed_query("The council approved the bridge on Tuesday.")
        assert all(h.passage.scope == "g2" for h in await lib.dense_search(vector, scope=None, k=10))
        # A peek that cannot answer (here: an in-memory path) leaves the rows to the reader.
        store._peek = LogPeek(":memory:")
        assert set(await store.titled_passages(list(rows), None)) == by_scope["g2"]


def test_the_peek_answers_none_at_once_for_rows_it_cannot_read(tmp_path):
    locked = tmp_path / "locked.db"
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("INSERT INTO t VALUES (1), (2)")
    peek = LogPeek(str(locked))
    try:
        assert peek.rows("SELECT x FROM t WHERE x > ?", [1]) == [(2,)]
        holder.execute("BEGIN EXCLUSIVE")  # rollback-journal mode: an exclusive lock refuses readers
        try:
            assert peek.rows("SELECT x FROM t", []) is None
        finally:
            holder.execute("ROLLBACK")
        assert peek.rows("SELECT count(*) FROM t", []) == [(2,)]
    finally:
        peek.close()
        holder.close()
