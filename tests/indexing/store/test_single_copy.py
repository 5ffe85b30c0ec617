"""One copy of each vector: once a saved dense index holding every passage's vector is recorded,
the embeddings rows go (snapshot.py); nothing is lost on the way, by a crash between writing and
recording a copy, by a process whose index lags behind another's save, or by a lost copy (whose
passages are embedded again from their text, or reported when there is no model)."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from pathlib import Path

import numpy as np

from indexing.library import ThreadLibrary
from indexing.records import Comment, Thread, thread_id_for
from indexing.store import Store
from indexing.store.dense import VectorIndex, VectorRows
from indexing.store.snapshot import compact_if_mostly_free, new_token, snapshot_folder
from indexing.text.chunking import thread_passages
from tests.indexing.store.test_vectors import QUERIES, search_ids, thread

SIZES = {"snapshot_min_passages": 1, "ann_min_passages": 100_000}


def rows(db_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db_path) as db:
        return db.execute(sql).fetchall()


def embedding_rows(db_path: Path) -> int:
    return rows(db_path, "SELECT COUNT(*) FROM embeddings")[0][0]


async def build(db_path: Path, embedder, titles: list[str], n: int = 60) -> list[list[int]]:
    async with await ThreadLibrary.open(db_path, embedder, **SIZES) as lib:
        for title in titles:
            await lib.index_thread(thread(title, n))
        return await search_ids(lib, QUERIES, exact=True)


async def test_a_saved_copy_holding_every_vector_empties_the_rows_and_answers_the_same(db_path, fake_embedder):
    expected = await build(db_path, fake_embedder, ["alpha", "beta"])
    assert embedding_rows(db_path) == 0
    store = await Store.open(db_path, fake_embedder.model_id, fake_embedder.dim, **SIZES)  # no model to re-embed
    try:
        assert store.lost_vectors == []
        assert len(store.vectors) == rows(db_path, "SELECT COUNT(*) FROM passages")[0][0]
    finally:
        await store.close()
    async with await ThreadLibrary.open(db_path, fake_embedder, **SIZES) as lib:
        assert await search_ids(lib, QUERIES, exact=True) == expected


async def test_below_the_saving_size_the_rows_stay_the_only_copy(db_path, fake_embedder):
    async with await ThreadLibrary.open(db_path, fake_embedder, snapshot_min_passages=10**6) as lib:
        await lib.index_thread(thread("alpha", 30))
    assert embedding_rows(db_path) == len(set(h for (h,) in rows(db_path, "SELECT content_hash FROM passages")))
    assert not (snapshot_folder(str(db_path)) / "manifest.json").exists()


async def test_a_copy_written_but_never_recorded_leaves_the_recorded_one_usable(db_path, fake_embedder):
    """A kill between writing a new generation and committing its token: manifest.json names the new
    one, the database the old one, whose files must still be there and be used."""
    expected = await build(db_path, fake_embedder, ["alpha"])
    folder = snapshot_folder(str(db_path))
    loaded = VectorIndex.load(folder)
    assert loaded is not None
    index, manifest = loaded
    index.save(folder, {k: manifest[k] for k in ("instance", "model_id", "version")} | {"token": new_token()})
    assert json.loads((folder / "manifest.json").read_text())["token"] != rows(
        db_path, "SELECT value FROM meta WHERE key = 'vectors_token'")[0][0]
    store = await Store.open(db_path, fake_embedder.model_id, fake_embedder.dim, **SIZES)
    try:
        assert store.lost_vectors == [] and len(store.vectors) == 62
    finally:
        await store.close()
    async with await ThreadLibrary.open(db_path, fake_embedder, **SIZES) as lib:
        assert await search_ids(lib, QUERIES, exact=True) == expected


async def test_a_lost_copy_is_embedded_again_from_the_text(db_path, fake_embedder, caplog):
    expected = await build(db_path, fake_embedder, ["alpha", "beta"])
    shutil.rmtree(snapshot_folder(str(db_path)))
    store = await Store.open(db_path, fake_embedder.model_id, fake_embedder.dim, **SIZES)
    try:  # without a model: reported, not dropped silently
        assert len(store.lost_vectors) == 124 and len(store.vectors) == 0
    finally:
        await store.close()
    with caplog.at_level(logging.WARNING):
        async with await ThreadLibrary.open(db_path, fake_embedder, **SIZES) as lib:
            assert lib.store.lost_vectors == []
            assert await search_ids(lib, QUERIES, exact=True) == expected
    assert "embedding the text of 124 passages again" in caplog.text
    assert embedding_rows(db_path) == 0  # and saved into a new copy on close


async def test_a_process_behind_another_ones_save_still_writes_shared_text(db_path, fake_embedder):
    """Two stores on one file (two processes): the second's index predates the first's save, which
    moved the vectors of text the second now writes again into a copy the second never loaded."""
    second = await ThreadLibrary.open(db_path, fake_embedder, **SIZES)
    try:
        await build(db_path, fake_embedder, ["alpha"])  # indexed and saved by another process
        assert embedding_rows(db_path) == 0
        result = await second.index_thread(thread("alpha", 60), "guild-2")  # the same text, another server
        assert result.embedded == 0  # every text's vector was found, none embedded again
        passages = await second.passages_of(result.thread_id, "guild-2")
        held = await second.store.passage_vectors(p.id for p in passages)
        want = fake_embedder.embed([p.text for p in passages])
        assert all(float(held[p.id] @ w) > 0.999 for p, w in zip(passages, want, strict=True))
    finally:
        await second.close()
    store = await Store.open(db_path, fake_embedder.model_id, fake_embedder.dim, **SIZES)
    try:
        assert store.lost_vectors == []
        assert len(store.vectors) == rows(db_path, "SELECT COUNT(*) FROM passages")[0][0] == 124
    finally:
        await store.close()


async def test_a_write_racing_another_process_save_reloads_and_finds_the_vectors(db_path, fake_embedder):
    """The vectors were known when the caller looked, then another process's save moved them into a
    copy this store has not loaded: the write reloads and retries instead of failing or losing them."""
    second = await Store.open(db_path, fake_embedder.model_id, fake_embedder.dim, **SIZES)
    try:
        await build(db_path, fake_embedder, ["alpha"])
        source = thread("alpha", 60)
        thread_id = thread_id_for("guild-2", source.identity_key())
        passages = thread_passages(source, thread_id, fake_embedder.count_tokens, fake_embedder.max_tokens)
        result = await second.write_thread(thread_id, "guild-2", source, passages, {})  # nothing embedded
        assert result.added == 62
        held = await second.passage_vectors(p.id for p in passages)
        want = fake_embedder.embed([p.text for p in passages])
        assert all(float(held[p.id] @ w) > 0.999 for p, w in zip(passages, want, strict=True))
    finally:
        await second.close()


async def test_a_later_thread_with_known_text_is_replayed_by_another_process(db_path, fake_embedder):
    """Text whose vector lives only in the copy, written again: its row is written back, so a process
    replaying the write from the log finds the vector."""
    await build(db_path, fake_embedder, ["alpha"])
    watcher = await ThreadLibrary.open(db_path, fake_embedder, **SIZES)
    try:
        async with await ThreadLibrary.open(db_path, fake_embedder, snapshot_min_passages=10**6) as writer:
            repost = thread("alpha", 60)
            await writer.index_thread(Thread(title=repost.title, paragraphs=repost.paragraphs, comments=(
                *repost.comments, Comment(id="new", author="someone", text="a new comment"))), "guild-2")
        await watcher.store.catch_up()
        assert watcher.store.lost_vectors == []
        assert len(watcher.store.vectors) == rows(db_path, "SELECT COUNT(*) FROM passages")[0][0]
    finally:
        await watcher.close()


async def test_compaction_returns_free_pages_to_the_disk(tmp_path):
    import aiosqlite

    path = tmp_path / "free.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (b BLOB)")
        db.executemany("INSERT INTO t VALUES (?)", [(np.zeros(1000, np.uint8).tobytes(),)] * 2000)
        db.commit()
        db.execute("DELETE FROM t")
        db.commit()
    size = path.stat().st_size
    async with aiosqlite.connect(path) as db:
        await compact_if_mostly_free(db, min_pages=10**9)  # too few free pages: left alone
        assert path.stat().st_size == size
        await compact_if_mostly_free(db, min_pages=1)
    assert path.stat().st_size < size / 10


def test_pruning_after_a_recorded_save_leaves_a_newer_save_being_written(tmp_path):
    """A save (on close) prunes once its transaction is recorded; by then the clustering thread's save
    may be writing a newer generation, which must survive it (it failed with "No such file" before)."""
    vectors = np.eye(4, dtype=np.float32)
    index = VectorIndex(4)
    index.add(VectorRows(np.arange(1, 5, dtype=np.int64), vectors, ["t"] * 4, ["local"] * 4, ["comment"] * 4))
    folder = tmp_path / "db.vectors"
    recorded = index.save(folder, {"version": 1})
    newer = index.save(folder, {"version": 2})
    (folder / "leftover.tmp").write_text("x")
    VectorIndex.keep_only(folder, recorded)
    names = {p.name for p in folder.iterdir()}
    assert any(n.startswith(newer) for n in names) and any(n.startswith(recorded) for n in names)
    assert "leftover.tmp" not in names
    VectorIndex.keep_only(folder, newer)
    names = {p.name for p in folder.iterdir()}
    assert not any(n.startswith(recorded) for n in names) and "manifest.json" in names
    loaded, manifest = VectorIndex.load(folder)
    assert manifest["generation"] == newer and len(loaded) == 4
