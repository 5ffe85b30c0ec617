"""Ranking maths (pure functions) and the hybrid search built on them."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from indexing.records import Comment, Thread
from indexing.store.ranking import dense_top_k, reciprocal_rank_fusion, top_k
from indexing.text.lexical import fts_match_expression, query_terms


def test_top_k_returns_best_first():
    scores = np.array([0.1, 0.9, 0.5, 0.7, 0.3], dtype=np.float32)
    top = top_k(scores, 3)
    assert top.indices.tolist() == [1, 3, 2]
    np.testing.assert_allclose(top.scores, [0.9, 0.7, 0.5])


@pytest.mark.parametrize("k", [0, -1])
def test_top_k_non_positive_k_is_empty(k):
    assert top_k(np.array([1.0, 2.0]), k).indices.size == 0


def test_top_k_k_larger_than_n_and_empty_input():
    assert top_k(np.array([1.0, 3.0, 2.0]), 10).indices.tolist() == [1, 2, 0]
    assert top_k(np.zeros(0, dtype=np.float32), 5).indices.size == 0


def test_top_k_matches_full_sort_on_random_data():
    rng = np.random.default_rng(7)
    scores = rng.standard_normal(5000).astype(np.float32)
    for k in (1, 10, 100, 4999):
        assert top_k(scores, k).indices.tolist() == np.argsort(-scores, kind="stable")[:k].tolist()


def test_dense_top_k_cosine_and_mask():
    matrix = np.eye(4, dtype=np.float32)
    query = np.array([0.6, 0.8, 0, 0], dtype=np.float32)
    assert dense_top_k(matrix, query, 2).indices.tolist() == [1, 0]
    mask = np.array([True, False, True, True])
    top = dense_top_k(matrix, query, 5, mask)
    assert top.indices.tolist()[0] == 0 and 1 not in top.indices.tolist()
    assert len(top.indices) == 3
    assert dense_top_k(matrix, query, 3, np.zeros(4, dtype=bool)).indices.size == 0


def test_rrf_formula():
    fused = reciprocal_rank_fusion([[10, 20, 30], [20, 40]], k=60)
    assert fused[20] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[10] == pytest.approx(1 / 61)
    assert fused[40] == pytest.approx(1 / 62)
    assert fused[30] == pytest.approx(1 / 63)
    assert max(fused, key=fused.get) == 20


def test_rrf_weights_and_empty_lists():
    fused = reciprocal_rank_fusion([[1], [2]], weights=[2.0, 1.0], k=0)
    assert fused == {1: 2.0, 2: 1.0}
    assert reciprocal_rank_fusion([[], []]) == {}
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([[1], [2]], weights=[1.0])


def test_query_terms_drop_stopwords_and_possessives():
    assert query_terms("What did Peskov say about Putin's call?") == ["peskov", "putin", "call"]
    assert query_terms("the THE The") == []
    assert query_terms("a b c d") == []
    assert query_terms("Ünïcode café") == ["ünïcode", "café"]
    assert len(query_terms(" ".join(f"word{i}" for i in range(50)))) == 16


@pytest.mark.parametrize("query", [
    'peskov" OR "x', "NEAR(a b)", "a AND b", "col:value", "*", "^start", "(", "\"",
    "'; DROP TABLE passages; --",
])
async def test_fts_expression_is_safe_for_any_user_text(any_library, query):
    library = any_library
    thread = Thread(title="Peskov statement", paragraphs=("Peskov said the call went well.",))
    await library.index_thread(thread)
    match = fts_match_expression(query_terms(query))
    if match is not None:
        assert match.count('"') % 2 == 0
    hits = await library.search(query)  # must not raise, whatever FTS5 syntax the user typed
    assert isinstance(hits, list)
    assert (await library.store.counts())["passages"] == 2


def test_fts_expression_quotes_terms():
    assert fts_match_expression([]) is None
    assert fts_match_expression(["peskov", 'a"b']) == '"peskov" OR "a""b"'


async def test_hybrid_search_filters_and_hit_fields(any_library):
    library = any_library
    t1 = await library.index_thread(Thread(
        title="Bridge vote", paragraphs=("The council approved the bridge.",),
        comments=(Comment("c1", "ann", "The bridge is too expensive."),
                  Comment("c2", "bob", "Rents are rising."))))
    t2 = await library.index_thread(Thread(title="Rent strike", paragraphs=("Tenants strike over rents.",)))
    hits = await library.search("bridge expensive", k=3)
    top = hits[0]
    assert top.passage.text == "The bridge is too expensive."
    assert top.bm25_rank == 1 and top.dense_rank is not None and top.score > 0
    assert top.thread_title == "Bridge vote"
    assert all(h.score >= n.score for h, n in zip(hits, hits[1:], strict=False))
    only_t2 = await library.search("rents", thread_id=t2.thread_id)
    assert only_t2 and {h.passage.thread_id for h in only_t2} == {t2.thread_id}
    comments = await library.search("rents", kinds=["comment"])
    assert comments and {h.passage.kind for h in comments} == {"comment"}
    by_bob = await library.search("rents bridge", author="BOB")
    assert [h.passage.author for h in by_bob] == ["bob"]
    assert await library.search("   ") == []
    assert await library.search("bridge", scope="another-guild") == []
    assert t1.thread_id != t2.thread_id


async def test_hybrid_search_takes_a_query_vector_still_being_computed(any_library):
    """BM25 scores while the query is embedded: a pending vector gives the hits a ready one gives."""
    library = any_library
    await library.index_thread(Thread(title="Bridge vote", paragraphs=("The council approved the bridge.",),
                                      comments=(Comment("c1", "ann", "The bridge is too expensive."),)))
    vector = await library.embed_query("bridge cost")
    ready = await library.search("bridge cost", query_vector=vector)
    pending = asyncio.ensure_future(library.embed_query("bridge cost"))
    assert not pending.done()
    hits = await library.search("bridge cost", query_vector=pending)
    assert [(h.passage.id, h.dense_rank, h.bm25_rank) for h in hits] == [
        (h.passage.id, h.dense_rank, h.bm25_rank) for h in ready]
    assert (await library.search("bridge cost", query_vector=pending))[0].passage.id == hits[0].passage.id
