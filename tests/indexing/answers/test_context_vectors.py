"""Candidate sentences in context: each sentence embedded once, pairs combined by word counts."""

from __future__ import annotations

import numpy as np

from indexing.answers.context_vectors import in_context, sentences_to_embed
from indexing.answers.engine import AnswerEngine
from indexing.library import ThreadLibrary
from indexing.records import Thread


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_sentences_to_embed_lists_each_sentence_once_in_first_seen_order():
    pairs = [("", "A one."), ("A one.", "B two."), ("B two.", "C three."), ("", "A one.")]
    assert sentences_to_embed(pairs) == ["A one.", "B two.", "C three."]


def test_a_first_sentence_keeps_its_own_vector():
    texts = ["Alpha beta gamma."]
    vectors = np.array([unit(1, 2, 3)])
    np.testing.assert_allclose(in_context([("", texts[0])], texts, vectors), vectors, rtol=1e-6)


def test_a_pair_is_the_word_weighted_mean_of_its_sentences_normalised():
    texts = ["One two three.", "Four."]  # three words, then one
    vectors = np.array([unit(1, 0), unit(0, 1)])
    (combined,) = in_context([(texts[0], texts[1])], texts, vectors)
    np.testing.assert_allclose(combined, unit(3, 1), rtol=1e-6)
    assert abs(float(np.linalg.norm(combined)) - 1.0) < 1e-6


def test_no_pairs_give_an_empty_matrix_of_the_vectors_width():
    assert in_context([], [], np.zeros((0, 5), dtype=np.float32)).shape == (0, 5)


class CountingEmbedder:
    """Wraps an embedder and records every text it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.dim, self.model_id, self.max_tokens = inner.dim, inner.model_id, getattr(inner, "max_tokens", 256)
        self.texts: list[str] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def embed(self, texts, batch_size=32, progress=None):
        self.texts.extend(texts)
        return self.inner.embed(texts, batch_size, progress)


async def test_a_factual_question_embeds_each_candidate_sentence_once(db_path, fake_embedder):
    """Before, each sentence went in twice: alone-with-its-predecessor as its own candidate, and as the
    context of the sentence after it."""
    thread = Thread(title="Harbour works", paragraphs=(
        "The harbour will close in March for repairs. Ferries will use the north pier meanwhile. "
        "The works will cost four million euros. The council approved the budget on Monday.",
    ))
    counting = CountingEmbedder(fake_embedder)
    library = await ThreadLibrary.open(db_path, counting)
    try:
        thread_id = (await library.index_thread(thread)).thread_id
        counting.texts.clear()
        answer = await AnswerEngine(library).ask("How much will the harbour works cost?", thread_id)
        assert "four million euros" in answer.answer
        sentences = [t for t in counting.texts if t != "How much will the harbour works cost?"]
        assert sentences, "the candidate sentences were embedded"
        assert len(sentences) == len(set(sentences)), sentences
        assert not [t for t in sentences if t.count(". ") >= 1], "no sentence went in with its predecessor"
    finally:
        await library.close()
