"""The ONNX embedder against the torch one it was exported from: same vectors to cosine >= 0.99."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexing.embed import load_embedder
from indexing.embed.onnx_runtime import BULK_TEXTS, OnnxEmbedder, onnx_available
from indexing.errors import EmbedderError
from indexing.sources import parse_file
from indexing.text.chunking import thread_passages

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "putin-trump-phone-call.txt"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not onnx_available(), reason="onnxruntime/tokenizers not installed")]

TEXTS = [
    "Kremlin spokesman Dmitry Peskov said the call lasted more than two hours.",
    "I don't believe a word of it.",
    "The rock cycle illustrates the relationships between igneous, sedimentary and metamorphic rock.",
    "Short.",
    "Prices for heating oil rose sharply over the winter, and several readers complained that the "
    "government did nothing to help families who were already struggling with their bills. " * 3,
]


@pytest.fixture(scope="module")
def onnx_embedder() -> OnnxEmbedder:
    return OnnxEmbedder()


def test_vectors_match_the_torch_model(onnx_embedder, real_embedder):
    """Every passage of the bundled example thread (article and comments, as indexed)."""
    (thread,) = parse_file(EXAMPLE)
    passages = thread_passages(thread, "t", real_embedder.count_tokens, real_embedder.max_tokens)
    texts = [p.text for p in passages]
    ours = onnx_embedder.embed(texts)
    reference = real_embedder.embed(texts)
    assert ours.shape == reference.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * reference).sum(axis=1)
    # int8 activations cost a little: measured mean 0.992 on the 1,522-comment dev thread.
    assert cosines.mean() >= 0.99 and cosines.min() >= 0.95, (cosines.mean(), cosines.min())


def test_same_neighbours_as_the_torch_model(onnx_embedder, real_embedder):
    query = "What did the Kremlin say about the phone call?"
    ours = onnx_embedder.embed(TEXTS) @ onnx_embedder.embed_query(query)
    reference = real_embedder.embed(TEXTS) @ real_embedder.embed_query(query)
    assert int(np.argmax(ours)) == int(np.argmax(reference)) == 0


def test_counts_tokens_like_the_torch_tokenizer(onnx_embedder, real_embedder):
    long_text = "word " * 400  # past the 256-token window: the count must not be truncated
    texts = [*TEXTS, long_text]
    assert onnx_embedder.count_tokens(texts) == real_embedder.count_tokens(texts)
    assert onnx_embedder.max_tokens == real_embedder.max_tokens == 256
    assert onnx_embedder.model_id == real_embedder.model_id


def test_a_few_texts_get_the_vectors_each_has_alone(onnx_embedder):
    """Answer candidates and summary sentences: a text's vector is its own, whatever it is embedded
    with (in a padded batch, dynamic int8 scales moved it with its batch-mates), so a remembered
    candidate vector does not depend on which question embedded it first."""
    embedder = OnnxEmbedder()  # fresh: its first call of a few texts runs before the second session exists
    one_by_one = np.stack([embedder.embed_query(t) for t in TEXTS])
    together = embedder.embed(TEXTS)
    assert embedder._bulk_session is None  # one call of a few texts (a CLI question) loads no second session
    reversed_with_others = embedder.embed(["An unrelated sentence about football.", *TEXTS[::-1]])[1:][::-1]
    embedder._single_threaded(wait=True)
    on_the_workers = embedder.embed(TEXTS)
    for vectors in (together, reversed_with_others, on_the_workers):
        np.testing.assert_array_equal(vectors, one_by_one)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(EmbedderError, match="unknown embedding backend"):
        load_embedder(backend="tensorflow")


def test_missing_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(EmbedderError, match="not found"):
        OnnxEmbedder(str(tmp_path / "nope"))


def test_bulk_embedding_keeps_the_input_order(onnx_embedder):
    """Many texts go through the token-budget batches; each vector stays at its text's position."""
    (thread,) = parse_file(EXAMPLE)
    texts = list(dict.fromkeys(p.text for p in thread_passages(thread, "t", onnx_embedder.count_tokens,
                                                                onnx_embedder.max_tokens)))
    texts = (texts * (BULK_TEXTS // len(texts) + 1))[:BULK_TEXTS + 9][::-1]  # enough for the bulk path
    bulk = onnx_embedder.embed(texts)
    alone = np.stack([onnx_embedder.embed_query(t) for t in texts])
    similar = bulk @ alone.T
    # By text, not position: the texts repeat, and a repeat's identical vector can score a rounding
    # error higher than the first (BLAS blocks columns differently on AVX2).
    assert [texts[int(j)] for j in np.argmax(similar, axis=1)] == texts
    assert np.diag(similar).min() >= 0.97  # batch peers move int8 activation scales a little


def test_ids_remembered_from_counting_embed_like_fresh_ones(onnx_embedder):
    texts = [f"{t} ({i})" for i, t in enumerate(TEXTS * 20)]
    fresh = onnx_embedder.embed(texts)
    onnx_embedder.count_tokens(texts)  # a thread being split: its ids are remembered
    assert len(onnx_embedder._counted) == len(texts)
    remembered = onnx_embedder.embed(texts)
    assert not onnx_embedder._counted  # handed out once: nothing is held after the embedding
    np.testing.assert_allclose(remembered, fresh, atol=1e-6)


def test_a_big_count_in_two_halves_counts_like_one_call(onnx_embedder, real_embedder):
    """From BULK_TEXTS texts on, the count runs as two halves at once; the counts stay in order."""
    texts = [f"{t} {'more words ' * (i % 7)}({i})" for i, t in enumerate(TEXTS * 30)]
    assert len(texts) >= BULK_TEXTS
    assert onnx_embedder.count_tokens(texts) == real_embedder.count_tokens(texts)


def test_ids_of_counts_before_an_embedding_are_all_remembered(onnx_embedder):
    """A thread's texts, then the sentences of its long ones: both counts' ids are kept for the
    embedding that follows; the first count after an embedding starts afresh."""
    first = [f"{t} [{i}]" for i, t in enumerate(TEXTS * 20)]
    second = [f"{t} <{i}>" for i, t in enumerate(TEXTS * 20)]
    earlier = [f"{t} {{{i}}}" for i, t in enumerate(TEXTS * 20)]
    onnx_embedder.count_tokens(earlier)  # an earlier indexing: counted, then embedded
    onnx_embedder.embed(earlier)
    onnx_embedder.count_tokens(first)
    onnx_embedder.count_tokens(second)
    assert set(onnx_embedder._counted) == {*first, *second}
    onnx_embedder.embed(first)
    assert set(onnx_embedder._counted) == set(second)
    onnx_embedder.count_tokens(first)
    assert set(onnx_embedder._counted) == set(first)
