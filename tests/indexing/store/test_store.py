"""The store: migrations and model binding (SQLite's; PostgreSQL's in test_postgres.py), then on both
backends (`store_location`) idempotent re-index, updates, scopes, all-or-nothing writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import aiosqlite
import asyncpg
import numpy as np
import pytest

from indexing.errors import MigrationError, ModelMismatchError, StoreError
from indexing.library import ThreadLibrary
from indexing.records import Comment, Passage, Thread, thread_id_for
from indexing.store import Store
from indexing.store.migrations import MIGRATIONS, migrate
from indexing.text.chunking import thread_passages
from tests.fakes import FakeEmbedder
from tests.helpers import db_checksum, table_rows


def make_thread(paragraphs=("The council approved the bridge on Tuesday.", "Work starts in spring."),
                comments=None, title="Bridge vote", source_file="bridge.txt") -> Thread:
    if comments is None:
        comments = [Comment("c1", "ann", "Finally some progress."),
                    Comment("c2", "bob", "Too expensive.", "c1")]
    return Thread(title=title, paragraphs=tuple(paragraphs), comments=tuple(comments),
                  source_file=source_file)


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, recording every text it embeds; optionally failing on the n-th batch."""

    def __init__(self, fail_on_batch: int | None = None):
        super().__init__()
        self.texts: list[str] = []
        self.batches = 0
        self.fail_on_batch = fail_on_batch

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.batches += 1
        if self.fail_on_batch is not None and self.batches >= self.fail_on_batch:
            raise RuntimeError("embedder failed mid-way")
        self.texts += texts
        return super().embed_batch(texts)


# ---- migrations ----------------------------------------------------------------------------------
async def test_migrations_are_recorded_and_idempotent(db_path):
    store = await Store.open(db_path, "m", 8)
    await store.close()
    rows = table_rows(db_path, "SELECT version, name FROM schema_migrations ORDER BY version")
    assert rows == [(n, name) for n, name, _ in sorted(MIGRATIONS)]
    before = db_checksum(db_path)
    store = await Store.open(db_path, "m", 8)
    await store.close()
    assert db_checksum(db_path) == before
    async with aiosqlite.connect(db_path, isolation_level=None) as db:
        assert await migrate(db) == []


async def test_wal_mode_and_tables(db_path):
    async with await Store.open(db_path, "m", 8):
        pass
    assert table_rows(db_path, "PRAGMA journal_mode") == [("wal",)]
    names = {r[0] for r in table_rows(db_path, "SELECT name FROM sqlite_master")}
    assert {"threads", "passages", "embeddings", "passages_fts", "meta", "schema_migrations"} <= names


async def test_database_newer_than_code_is_refused(db_path):
    async with await Store.open(db_path, "m", 8):
        pass
    with sqlite3.connect(db_path) as db:
        db.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'now')")
    with pytest.raises(MigrationError, match="schema version 999"):
        await Store.open(db_path, "m", 8)


async def test_failing_migration_rolls_back_and_is_retried(db_path):
    broken = [*MIGRATIONS,
              (1000, "broken", "CREATE TABLE half_done (x INTEGER);\nSELECT * FROM no_such_table;")]
    async with aiosqlite.connect(db_path, isolation_level=None) as db:
        with pytest.raises(MigrationError, match="migration 1000 .*no such table"):
            await migrate(db, broken)
        names = {r[0] async for r in await db.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in names
        versions = {r[0] async for r in await db.execute("SELECT version FROM schema_migrations")}
        assert 1000 not in versions and versions == {n for n, _, _ in MIGRATIONS}


async def test_model_mismatch_is_a_clear_error(db_path):
    async with await Store.open(db_path, "model-a", 8):
        pass
    with pytest.raises(ModelMismatchError, match="model-a .8 dimensions., not model-b .16."):
        await Store.open(db_path, "model-b", 16)
    with pytest.raises(ModelMismatchError):
        await Store.open(db_path, "model-a", 16)
    async with await Store.open(db_path):  # metadata-only open needs no model
        pass


async def test_not_a_database_is_a_store_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="junk.db"):
        await Store.open(path, "m", 8)


async def test_missing_folder_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        await Store.open(tmp_path / "no" / "such" / "x.db", "m", 8)


# ---- indexing ------------------------------------------------------------------------------------
async def test_index_then_reindex_is_unchanged(store_location):
    embedder = CountingEmbedder()
    async with await ThreadLibrary.open(store_location, embedder) as lib:
        first = await lib.index_thread(make_thread())
        assert first.status == "indexed"
        assert (first.paragraphs, first.comments, first.passages, first.embedded) == (2, 2, 5, 5)
        before = db_checksum(store_location)
        embedded = len(embedder.texts)
        again = await lib.index_thread(make_thread())
        assert again.status == "unchanged" and again.thread_id == first.thread_id and again.passages == 5
    assert db_checksum(store_location) == before
    assert len(embedder.texts) == embedded


async def test_update_embeds_only_changed_passages_and_removes_gone_ones(store_location):
    embedder = CountingEmbedder()
    async with await ThreadLibrary.open(store_location, embedder) as lib:
        first = await lib.index_thread(make_thread())
        old = {(p.kind, p.text): p.id for p in await lib.passages_of(first.thread_id)}
        embedder.texts.clear()
        changed = make_thread(paragraphs=("The council approved the bridge on Tuesday.",
                                          "Work starts in autumn."),
                              comments=[Comment("c1", "ann", "Finally some progress."),
                                        Comment("c3", "cy", "Who pays for it?")])
        result = await lib.index_thread(changed)
        assert result.status == "updated" and result.thread_id == first.thread_id
        assert sorted(embedder.texts) == ["Who pays for it?", "Work starts in autumn."]
        assert result.embedded == 2
        now = {(p.kind, p.text): p.id for p in await lib.passages_of(first.thread_id)}
        for kept in [("title", "Bridge vote"), ("paragraph", "The council approved the bridge on Tuesday."),
                     ("comment", "Finally some progress.")]:
            assert now[kept] == old[kept], f"{kept} lost its passage id"
        assert ("paragraph", "Work starts in spring.") not in now
        assert ("comment", "Too expensive.") not in now
        info = await lib.thread_info(first.thread_id)
        assert (info.paragraphs, info.comments, info.passages) == (2, 2, 5)
        assert await lib.dense_size() == 5
        assert set(await lib.passage_vectors(now.values())) == set(now.values())
        hits = await lib.search("who pays", k=1)
        assert hits[0].passage.text == "Who pays for it?"
        assert all(h.passage.text != "Too expensive." for h in await lib.search("too expensive", k=10))
        # No embedding outlives its passages (each stored passage has one, so equal counts: equal sets).
        hashes = {r[0] for r in table_rows(store_location, "SELECT content_hash FROM passages")}
        assert (await lib.store.counts())["embeddings"] == len(hashes)


async def test_reordered_paragraph_keeps_its_id_and_moves(store_location, fake_embedder):
    async with await ThreadLibrary.open(store_location, fake_embedder) as lib:
        first = await lib.index_thread(make_thread(paragraphs=("Alpha para.", "Beta para.")))
        ids = {p.text: p.id for p in await lib.passages_of(first.thread_id)}
        await lib.index_thread(make_thread(paragraphs=("New first.", "Alpha para.", "Beta para.")))
        passages = await lib.passages_of(first.thread_id)
        by_text = {p.text: p for p in passages}
        # The key anchors paragraphs by position, so shifted paragraphs are re-inserted but not re-embedded.
        paragraphs = [p.text for p in passages if p.kind == "paragraph"]
        assert paragraphs == ["New first.", "Alpha para.", "Beta para."]
        assert [by_text[t].position for t in ("New first.", "Alpha para.", "Beta para.")] == [0, 1, 2]
        assert by_text["Bridge vote"].id == ids["Bridge vote"]


async def test_same_thread_in_two_scopes_is_two_rows(store_location, fake_embedder):
    async with await ThreadLibrary.open(store_location, fake_embedder) as lib:
        a = await lib.index_thread(make_thread(), scope="guild-1")
        b = await lib.index_thread(make_thread(), scope="guild-2")
        assert a.thread_id != b.thread_id and a.status == b.status == "indexed"
        assert [t.id for t in await lib.threads("guild-1")] == [a.thread_id]
        assert await lib.threads("local") == []
        hits = await lib.search("bridge", scope="guild-2")
        assert hits and {h.passage.thread_id for h in hits} == {b.thread_id}
        await lib.forget(a.thread_id, "guild-1")
        # Shared text: the embeddings stay while guild-2 still uses them.
        assert (await lib.store.counts())["embeddings"] == 5
        await lib.forget(b.thread_id, "guild-2")
        assert await lib.store.counts() == {"threads": 0, "passages": 0, "embeddings": 0}
        assert await lib.dense_size() == 0


async def test_thread_in_another_scope_cannot_be_overwritten(store_location, fake_embedder):
    async with await ThreadLibrary.open(store_location, fake_embedder) as lib:
        first = await lib.index_thread(make_thread(), scope="guild-1")
        thread = make_thread()
        passages = thread_passages(thread, first.thread_id, fake_embedder.count_tokens)
        with pytest.raises(StoreError, match="another scope"):
            await lib.store.write_thread(first.thread_id, "guild-2", thread, passages, {})


async def test_vectors_reload_from_disk(store_location, fake_embedder):
    async with await ThreadLibrary.open(store_location, fake_embedder) as lib:
        result = await lib.index_thread(make_thread())
        ids = sorted(p.id for p in await lib.passages_of(result.thread_id))
        matrix = await lib.passage_vectors(ids)
    async with await ThreadLibrary.open(store_location, fake_embedder) as lib:
        assert await lib.dense_size() == len(ids)
        reloaded = await lib.passage_vectors(ids)
        for pid in ids:
            np.testing.assert_array_equal(reloaded[pid], matrix[pid])


# ---- all or nothing ------------------------------------------------------------------------------
@pytest.mark.parametrize("existing", [False, True], ids=["new-thread", "update"])
async def test_embedder_failing_mid_way_writes_nothing(store_location, existing):
    comments = [Comment(f"c{i}", f"user{i}", f"comment number {i} about the bridge") for i in range(60)]
    async with await ThreadLibrary.open(store_location, FakeEmbedder()) as lib:
        await lib.index_thread(make_thread(title="Other thread"))
        if existing:
            await lib.index_thread(make_thread())
    before = db_checksum(store_location)
    embedder = CountingEmbedder(fail_on_batch=3)
    async with await ThreadLibrary.open(store_location, embedder) as lib:
        vectors_before = await lib.dense_size()
        with pytest.raises(RuntimeError, match="mid-way"):
            await lib.index_thread(make_thread(comments=comments))
        assert embedder.batches == 3 and embedder.texts, "the failure must come after batches succeeded"
        assert await lib.dense_size() == vectors_before
    assert db_checksum(store_location) == before


@pytest.mark.parametrize("existing", [False, True], ids=["new-thread", "update"])
async def test_write_failing_mid_transaction_rolls_back(store_location, fake_embedder, existing):
    async with await ThreadLibrary.open(store_location, fake_embedder) as lib:
        if existing:
            await lib.index_thread(make_thread())
        vectors_before = await lib.dense_size()
        before = db_checksum(store_location)
        thread = make_thread(comments=[Comment("c9", "zed", "A brand new comment.")])
        thread_id = thread_id_for("local", thread.identity_key())
        passages = thread_passages(thread, thread_id, fake_embedder.count_tokens)
        vectors = {p.content_hash: fake_embedder.embed([p.text])[0] for p in passages}
        # The last passage violates the kind CHECK constraint: the INSERT fails after others succeeded.
        passages.append(Passage(thread_id=thread_id, kind="bogus", position=0, text="boom"))  # type: ignore[arg-type]
        with pytest.raises((sqlite3.IntegrityError, asyncpg.CheckViolationError)):
            await lib.store.write_thread(thread_id, "local", thread, passages, vectors)
        assert await lib.dense_size() == vectors_before
        assert db_checksum(store_location) == before
        # The store is still usable afterwards.
        result = await lib.index_thread(make_thread(title="After the failure"))
        assert result.status == "indexed"


async def test_log_peek_sees_other_writes_and_never_waits_on_a_lock(tmp_path):
    """The check every search makes first (snapshot.LogPeek): it reads the passage-log number another
    connection committed, and answers None at once, instead of waiting, while a lock is held."""
    from indexing.store.snapshot import LogPeek, log_version

    path = tmp_path / "peek.db"
    embedder = FakeEmbedder()
    async with await Store.open(path, embedder.model_id, embedder.dim) as store:
        peek = LogPeek(str(path))
        try:
            assert peek.version() == await log_version(store._reader) == 0
            lib = ThreadLibrary(store, embedder)
            await lib.index_thread(make_thread())
            assert peek.version() == await log_version(store._reader) > 0
        finally:
            peek.close()
    # A writer mid-commit in rollback-journal mode (an EXCLUSIVE lock) refuses readers: the peek
    # answers None at once (busy timeout 0), and the caller asks through the reader instead.
    locked = tmp_path / "locked.db"
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("CREATE TABLE passage_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, x)")
    holder.execute("INSERT INTO passage_log (x) VALUES (1)")
    peek = LogPeek(str(locked))
    assert peek.version() == 1
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert peek.version() is None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert peek.version() == 1
    peek.close()
    assert LogPeek(":memory:").version() is None
