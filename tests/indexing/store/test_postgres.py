"""What only the PostgreSQL store has: its migrations and model binding, connection errors as one
line, HNSW recall, filters inside the SQL, retried transactions, several stores (processes) writing
one database at once, and a whole question answered through the library on it."""

from __future__ import annotations

import asyncio

import asyncpg
import numpy as np
import pytest

from indexing.config import load_config
from indexing.errors import DatabaseUnavailableError, MigrationError, ModelMismatchError, StoreError
from indexing.library import ThreadLibrary
from indexing.records import Comment, Passage, Thread, thread_id_for
from indexing.sources import parse_file
from indexing.store import BulkThread, open_store
from indexing.store.postgres import PostgresStore
from indexing.store.postgres.connection import transaction
from indexing.store.postgres.schema import MIGRATIONS
from tests.helpers import SEED, db_checksum, table_rows


async def test_migrations_are_recorded_and_idempotent(pg_url):
    async with await open_store(pg_url, "m", 8) as store:
        assert isinstance(store, PostgresStore)
    rows = table_rows(pg_url, "SELECT version, name FROM schema_migrations ORDER BY version")
    assert rows == [(n, name) for n, name, _ in sorted(MIGRATIONS)]
    before = db_checksum(pg_url)
    async with await open_store(pg_url, "m", 8):
        pass
    assert db_checksum(pg_url) == before


async def test_a_newer_schema_and_another_model_are_refused(pg_url):
    async with await open_store(pg_url, "model-a", 8):
        pass
    with pytest.raises(ModelMismatchError, match="model-a"):
        await open_store(pg_url, "model-b", 8)
    async with await open_store(pg_url):  # metadata-only open needs no model
        pass
    conn = await asyncpg.connect(pg_url)
    await conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'now')")
    await conn.close()
    with pytest.raises(MigrationError, match="newer"):
        await open_store(pg_url, "model-a", 8)


async def test_another_applications_database_is_refused(pg_server):
    from tests.conftest import pg_url_of

    pg_server.psql("CREATE DATABASE other_app; ")
    url = pg_url_of(pg_server, "other_app")
    conn = await asyncpg.connect(url)
    await conn.execute("CREATE TABLE invoices (id INTEGER)")
    await conn.close()
    with pytest.raises(StoreError, match="another application's tables \\(invoices\\)"):
        await open_store(url, "m", 8)


async def test_no_server_is_one_clear_line():
    with pytest.raises(DatabaseUnavailableError, match="cannot connect to PostgreSQL at .*127.0.0.1") as caught:
        await open_store("postgresql://threadbot:secret@127.0.0.1:9/threadbot", "m", 8)
    assert "secret" not in str(caught.value) and "\n" not in str(caught.value)


def unit_rows(n: int, dim: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def bulk_threads(vectors: np.ndarray, per_thread: int, scopes: list[str]) -> list[BulkThread]:
    out = []
    for t, start in enumerate(range(0, len(vectors), per_thread)):
        thread = Thread(title=f"thread {t}", comments=tuple(
            Comment(f"c{i}", f"user{i % 7}", f"comment {i}") for i in range(start, start + per_thread)))
        scope = scopes[t % len(scopes)]
        thread_id = thread_id_for(scope, thread.identity_key())
        passages = [Passage(thread_id=thread_id, kind="comment", position=i - start, text=f"comment {i}",
                            comment_id=f"c{i}", author=f"user{i % 7}", content_hash=f"h{i}")
                    for i in range(start, start + per_thread)]
        out.append(BulkThread(thread_id, scope, thread, passages, {f"h{i}": vectors[i] for i in
                                                                    range(start, start + per_thread)}))
    return out


async def test_hnsw_recall_and_filters_inside_the_sql(pg_url):
    vectors = unit_rows(3000, 32, seed=1)
    async with await PostgresStore.open(pg_url, "m", 32) as store:
        # 29 of 30 threads in one scope, one in a rare scope: HNSW alone would find few of the rare ones.
        await store.bulk_write(bulk_threads(vectors, 100, ["big"] * 29 + ["rare"]))
        queries = unit_rows(20, 32, seed=2)
        recall = []
        for q in queries:
            approximate = await store.dense_search(q, 10, None)
            exact = await store.dense_search(q, 10, None, exact=True)
            assert approximate.approximate and not exact.approximate
            recall.append(len(set(approximate.ids.tolist()) & set(exact.ids.tolist())) / 10)
        assert np.mean(recall) >= 0.95
        # The pool resets a connection's session on every release: the HNSW width must survive it
        # (it fell back to 40 candidates, fewer than the 50 a hybrid search asks for).
        for q in queries[:3]:
            assert len((await store.dense_search(q, 60, None)).ids) == 60
        rare = await store.dense_search(queries[0], 10, "rare")
        assert len(rare.ids) == 10  # the exact fallback filled what the index scan left out
        rare_rows = await store.passages_by_id(rare.ids.tolist(), None)
        assert {p.scope for p in rare_rows.values()} == {"rare"}
        one = (await store.list_threads("big"))[0]
        in_thread = await store.dense_search(queries[0], 5, "big", thread_ids=[one.id])
        assert {p.thread_id for p in (await store.passages_by_id(in_thread.ids.tolist(), None)).values()} == {one.id}
        lexical, _ = await store.bm25(["comment"], 5, "rare", author="USER3")
        found = await store.passages_by_id([pid for pid, _ in lexical], None)
        assert len(found) == 5 and {(p.scope, p.author) for p in found.values()} == {("rare", "user3")}


async def test_the_configured_hnsw_width_is_every_connections_default(pg_url, tmp_path):
    (tmp_path / "config.toml").write_text(f'[index]\ndb_url = "{pg_url}"\nhnsw_ef_search = 321\n')
    config = load_config(str(tmp_path / "config.toml"), environ={})
    assert config.index.hnsw_ef_search == 321
    lib = await ThreadLibrary.from_config(config.index, None)
    try:
        for _ in range(3):  # across the pool's resets
            store = lib.store
            assert isinstance(store, PostgresStore)
            assert await store._read(lambda conn: conn.fetchval("SHOW hnsw.ef_search")) == "321"
    finally:
        await lib.close()


async def test_a_serialization_failure_is_retried(pg_url):
    async with await PostgresStore.open(pg_url) as store:
        attempts = []

        async def work(conn):
            attempts.append(1)
            await conn.execute("INSERT INTO meta (key, value) VALUES ($1, 'x')", f"try{len(attempts)}")
            if len(attempts) < 3:  # a real error from the server, as a lost race gives
                await conn.execute("DO $$ BEGIN RAISE EXCEPTION 'lost' USING ERRCODE = '40001'; END $$")
            return len(attempts)

        assert await transaction(store._pool, work) == 3
    # The failed attempts rolled back: only the third one's row is there.
    assert table_rows(pg_url, "SELECT key FROM meta WHERE key LIKE 'try%'") == [("try3",)]


async def test_two_stores_write_one_database_at_once(pg_url, fake_embedder):
    """Two libraries (as two processes would, each with its pool) index the same threads at once:
    every thread is written once, whole, and each sees the other's writes at once."""
    subjects = ["harbour", "bridge", "tram", "orchard", "ferry", "library"]  # one word only each thread has
    threads = [Thread(title=f"Story {i}", paragraphs=(f"Paragraph about the {subjects[i]}.", "A shared paragraph."),
                      comments=tuple(Comment(f"c{j}", "ann", f"comment {j} on {i}") for j in range(20)))
               for i in range(6)]
    one = await ThreadLibrary.open(pg_url, fake_embedder, pool_size=2)
    two = await ThreadLibrary.open(pg_url, fake_embedder, pool_size=2)
    try:
        results = await asyncio.gather(*(lib.index_thread(t) for t in threads for lib in (one, two)))
        assert [r.status for r in results].count("indexed") == 6  # the other six found them written
        counts = await one.store.counts()
        assert counts["threads"] == 6 and counts["passages"] == 6 * 23
        hits = await two.search(subjects[3])
        assert hits and hits[0].thread_title == "Story 3"
    finally:
        await one.close()
        await two.close()


async def test_a_question_is_answered_through_the_library(pg_url, fake_embedder):
    from indexing.answers.engine import AnswerEngine

    async with await ThreadLibrary.open(pg_url, fake_embedder) as lib:
        [result] = [await lib.index_thread(t) for t in parse_file(SEED)]
        assert result.status == "indexed" and await lib.dense_size() == result.passages
        assert await lib.statements(thread_id=result.thread_id)  # who-said-what stored with the thread
        answer = await AnswerEngine(lib).ask("What did Peskov say?", result.thread_id)
        assert answer.answered and "Peskov" in answer.answer
        assert answer.citations and all(c.text for c in answer.citations)
        forgotten = await lib.forget(result.thread_id)
        assert forgotten.id == result.thread_id and await lib.store.counts() == {
            "threads": 0, "passages": 0, "embeddings": 0}
