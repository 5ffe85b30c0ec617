"""The in-memory lexical index (indexing/store/lexical): FTS5's terms and FTS5's BM25 scores and
order, kept through inserts, deletes, filters, a saved copy and another process's writes; and the
exactness check of the fused top k."""

from __future__ import annotations

import random
import sqlite3

import numpy as np

from indexing.library import ThreadLibrary
from indexing.records import Comment, Thread
from indexing.store import Store, fulltext
from indexing.store.lexical.index import LexicalDocs, LexicalIndex
from indexing.store.lexical.tokens import FTS_TOKENIZE, Tokenizer
from indexing.store.ranking import fused_top_is_exact, reciprocal_rank_fusion
from indexing.text.lexical import fts_match_expression, query_terms
from tests.fakes import FakeEmbedder

WORDS = ("bridge council voted spending running runs ran café naïve don't isn't O'Brien Peskov Kremlin "
         "RUSSIA russia's tariffs economy economic economies 2024 1.5 phone call calls called year's").split()


def corpus(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 25))) + rng.choice([".", "!", ""])
            for _ in range(n)]


def fts_table(texts: dict[int, str]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE f USING fts5 (text, tokenize='{FTS_TOKENIZE}')")
    db.executemany("INSERT INTO f (rowid, text) VALUES (?, ?)", texts.items())
    return db


def test_terms_are_the_fts5_tables_own():
    texts = dict(enumerate(corpus(300) + ["Ünïcode CAFÉ façade — naïveté, it's O’Brien's_thing x2 ΣΊΣΥΦΟΣ"], start=1))
    db = fts_table(texts)
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab (f, 'instance')")
    fts: dict[int, list[str]] = {}
    for doc, term in db.execute("SELECT doc, term FROM v ORDER BY doc, offset"):
        fts.setdefault(doc, []).append(term)
    tokenizer = Tokenizer()
    for doc, text in texts.items():
        mine = [t for t in tokenizer.terms(text) if "\x00" not in t]  # compounds are extra terms
        assert mine == fts.get(doc, []), text


def ranked_by_fts(db: sqlite3.Connection, query: str, k: int) -> list[tuple[int, float]]:
    match = fts_match_expression(query_terms(query))
    return [(pid, -score) for pid, score in
            db.execute("SELECT rowid, bm25(f) FROM f WHERE f MATCH ? ORDER BY bm25(f), rowid LIMIT ?", (match, k))]


def assert_same_ranking(mine: list[tuple[int, float]], fts: list[tuple[int, float]]):
    assert len(mine) == len(fts)
    assert np.allclose([s for _, s in mine], [s for _, s in fts], rtol=1e-9)
    # Ties (equal up to rounding) may come in any order: the same passages at the same scores
    def tied(ranking):
        return sorted((round(score, 9), pid) for pid, score in ranking)
    assert tied(mine) == tied(fts)


QUERIES = ["bridge council", "running economy", "what did Peskov say about the phone call",
           "don't isn't", "O'Brien's café", "Russia tariffs 2024", "naive economies called", "nothing matches here"]


def test_bm25_matches_fts5_through_inserts_and_deletes():
    texts = dict(enumerate(corpus(600), start=1))
    tokenizer = Tokenizer()
    index = LexicalIndex()
    ids = list(texts)
    for start in range(0, len(ids), 50):  # many small segments, merged along the way
        batch = ids[start:start + 50]
        index.add(LexicalDocs(batch, tokenizer.terms_of_many(texts[i] for i in batch), ["t"] * len(batch),
                              ["s"] * len(batch), ["comment"] * len(batch), [None] * len(batch)))
    removed = ids[::3]
    index.remove(removed)
    readded = removed[:40]  # a replayed change: removed, then the row comes back
    index.add(LexicalDocs(readded, tokenizer.terms_of_many(texts[i] for i in readded), ["t"] * 40, ["s"] * 40,
                          ["comment"] * 40, [None] * 40))
    live = {i: texts[i] for i in ids if i not in set(removed) - set(readded)}
    db = fts_table(live)
    assert len(index) == len(live)
    for query in QUERIES:
        terms = [tokenizer.query_term(w) for w in query_terms(query)]
        found = index.search([t for t in terms if t], 500)
        fts = ranked_by_fts(db, query, 500)
        assert_same_ranking(list(zip(found.ids.tolist(), found.scores.tolist(), strict=True)), fts)
        assert found.matched == len(fts)
    index.compact()
    found = index.search([tokenizer.query_term("bridge") or ""], 500)
    assert_same_ranking(list(zip(found.ids.tolist(), found.scores.tolist(), strict=True)),
                        ranked_by_fts(db, "bridge", 500))


def make_thread(n: int, seed: int, title: str) -> Thread:
    texts = corpus(n, seed)
    return Thread(title=title, paragraphs=tuple(texts[:3]),
                  comments=tuple(Comment(f"c{i}", f"user{i % 4}", t or "empty") for i, t in enumerate(texts[3:])),
                  source_file=f"{title}.txt")


async def open_library(db_path) -> ThreadLibrary:
    embedder = FakeEmbedder()
    store = await Store.open(db_path, embedder.model_id, embedder.dim, lexical_min_passages=0,
                             snapshot_min_passages=1)
    return ThreadLibrary(store, embedder, extractor=None)


async def assert_store_agrees(store: Store, filters: list[dict]):
    assert store.lexical.index is not None
    for query in QUERIES:
        words = query_terms(query)
        for f in filters:
            mine, _ = await store.bm25(words, 1000, **f)
            match = fts_match_expression(words)
            fts = [] if match is None else await fulltext.bm25(store._reader, match, 1000, **f)
            mine, fts = sorted(mine), sorted(fts)
            assert [p for p, _ in mine] == [p for p, _ in fts], (query, f)
            assert np.allclose([s for _, s in mine], [s for _, s in fts], rtol=1e-9), (query, f)


async def test_store_keeps_the_index_with_fts5_through_writes_saves_and_another_process(db_path):
    lib = await open_library(db_path)
    first = await lib.index_thread(make_thread(80, 1, "one"), scope="g1")
    await lib.index_thread(make_thread(60, 2, "two"), scope="g2")
    await lib.index_thread(make_thread(70, 4, "one"), scope="g1")  # an update: rows removed and added
    filters = [dict(scope=None), dict(scope="g1"), dict(scope="g2", kinds=["comment"]),
               dict(scope=None, thread_ids=[first.thread_id]), dict(scope=None, author="USER1")]
    await assert_store_agrees(lib.store, filters)
    await lib.close()  # saved beside the database

    lib = await open_library(db_path)
    assert lib.store.lexical.index is not None and lib.store.lexical.index.changes == 0  # the copy, not a build
    other = await open_library(db_path)  # a second writer: this process catches up from the log
    await other.index_thread(make_thread(50, 5, "three"), scope="g2")
    await other.forget(first.thread_id, scope="g1")
    await assert_store_agrees(lib.store, filters)
    await other.close()
    await lib.close()


async def test_a_damaged_copy_is_rebuilt_from_the_rows(db_path):
    lib = await open_library(db_path)
    await lib.index_thread(make_thread(40, 6, "one"), scope="g1")
    await lib.close()
    folder = lib.store.lexical.folder
    assert folder is not None
    for f in folder.glob("*.rows.npy"):
        f.write_bytes(f.read_bytes()[:-8] + b"\x00" * 8)
    lib = await open_library(db_path)
    await assert_store_agrees(lib.store, [dict(scope=None)])
    await lib.close()


def test_the_fused_top_k_is_certified_only_when_the_full_fusion_agrees():
    rng = np.random.default_rng(0)
    certified = 0
    for _ in range(300):
        n = int(rng.integers(20, 200))
        dense_full = rng.permutation(n).tolist()
        lexical_full = rng.permutation(n)[: int(rng.integers(0, n))].tolist()
        full = reciprocal_rank_fusion([dense_full, lexical_full])
        depth = int(rng.integers(5, 60))
        dense, lexical = dense_full[:depth], lexical_full[:depth]
        fused = reciprocal_rank_fusion([dense, lexical])
        if fused_top_is_exact(fused, dense, lexical, 10, len(dense) == n, len(lexical) == len(lexical_full)):
            certified += 1
            top = sorted(fused, key=lambda p: -fused[p])[:10]
            truth = sorted(full, key=lambda p: -full[p])[:10]
            assert {full[p] for p in top} == {full[p] for p in truth}
    assert certified > 20  # the check is not vacuous
