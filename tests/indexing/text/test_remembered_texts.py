"""content_terms and sentence_spans remember recent texts; what they hand out is the caller's to change."""

from __future__ import annotations

from indexing.text.lexical import content_terms
from indexing.text.sentences import sentence_spans


def test_changing_returned_terms_does_not_change_the_next_answer():
    text = "The Lucas-Lehmer test checks Mersenne numbers."
    first = content_terms(text)
    expected = list(first)
    first.append("tampered")
    first[0] = "x"
    assert content_terms(text) == expected


def test_changing_returned_spans_does_not_change_the_next_answer():
    text = "Peskov spoke. Trump listened! Was it long?"
    first = sentence_spans(text)
    expected = list(first)
    first.clear()
    assert sentence_spans(text) == expected == [(0, 13), (14, 29), (30, 42)]
