"""The embedding rows hold float16 (migration 12): a database written with float32 rows is
converted on open and searched as before, and the dense index is rebuilt from the float16 rows
when its saved copy is gone."""

from __future__ import annotations

import shutil
import sqlite3

import aiosqlite
import numpy as np

from indexing.library import ThreadLibrary
from indexing.store.migrations import MIGRATIONS, migrate
from tests.helpers import table_rows
from tests.indexing.store.test_damaged_index import SIZES, build, vectors_folder
from tests.indexing.store.test_vectors import QUERIES, search_ids


async def test_float32_rows_are_converted_to_float16_on_open(db_path, fake_embedder):
    async with aiosqlite.connect(db_path, isolation_level=None) as db:  # a database of migration 10
        await migrate(db, [m for m in MIGRATIONS if m[0] <= 10])
    texts = ["the harbour wall needs repairs", "council votes on the bridge", "rain all week"]
    vectors = fake_embedder.embed(texts)
    with sqlite3.connect(db_path) as db:
        db.execute("INSERT INTO meta (key, value) VALUES ('model_id', ?), ('dim', ?)",
                   (fake_embedder.model_id, str(fake_embedder.dim)))
        db.execute("INSERT INTO threads (id, scope, identity_key, title, content_hash, body_json, paragraph_count, "
                   "comment_count, indexed_at, updated_at) VALUES ('t1', 'local', 'k', 'Harbour', 'h', '{}', 3, 0, "
                   "'2026-01-01', '2026-01-01')")
        for i, (text, vector) in enumerate(zip(texts, vectors, strict=True), start=1):
            db.execute("INSERT INTO passages (id, thread_id, kind, position, text, start_char, end_char, content_hash) "
                       "VALUES (?, 't1', 'paragraph', ?, ?, 0, ?, ?)", (i, i, text, len(text), f"h{i}"))
            db.execute("INSERT INTO embeddings (content_hash, vector) VALUES (?, ?)",
                       (f"h{i}", vector.astype("<f4").tobytes()))
    lib = await ThreadLibrary.open(db_path, fake_embedder)
    try:
        hits = await lib.dense_search(fake_embedder.embed_query("harbour wall repairs"), k=1, exact=True)
        assert [h.passage.text for h in hits] == [texts[0]]
        np.testing.assert_allclose((await lib.passage_vectors([2]))[2], vectors[1], atol=1e-3)
    finally:
        await lib.close()
    rows = dict(table_rows(db_path, "SELECT content_hash, vector FROM embeddings"))
    assert {len(blob) for blob in rows.values()} == {2 * fake_embedder.dim}
    for i, vector in enumerate(vectors, start=1):
        np.testing.assert_array_equal(np.frombuffer(rows[f"h{i}"], dtype="<f2"), vector.astype("<f2"))
    assert (12,) in table_rows(db_path, "SELECT version FROM schema_migrations")
    assert table_rows(db_path, "PRAGMA freelist_count") == [(0,)]  # the float32 table's pages went back to the disk


async def test_the_index_is_rebuilt_from_the_float16_rows_when_its_copy_is_gone(db_path, fake_embedder):
    expected = await build(db_path, fake_embedder, ["alpha", "beta"])
    shutil.rmtree(vectors_folder(db_path))
    lib = await ThreadLibrary.open(db_path, fake_embedder, **SIZES)
    try:
        assert await search_ids(lib, QUERIES, exact=True) == expected
    finally:
        await lib.close()
    assert (vectors_folder(db_path) / "manifest.json").is_file()  # saved again on close
