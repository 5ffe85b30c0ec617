"""Passages: title, paragraphs, comments; long texts chunked at sentence boundaries with offsets."""

from __future__ import annotations

from indexing.records import Comment, Thread
from indexing.text.chunking import chunk_spans, thread_passages
from indexing.text.sentences import sentence_spans, split_sentences
from tests.fakes import FakeEmbedder

count = FakeEmbedder().count_tokens


def long_text(sentences: int) -> str:
    return " ".join(f"Sentence number {i} talks about the bridge and the budget of the city council."
                    for i in range(sentences))


def test_one_passage_per_unit_in_reading_order():
    thread = Thread(title="T", paragraphs=("p0", "p1"),
                    comments=(Comment("a", "ann", "c0"), Comment("b", None, "c1", parent="a")))
    passages = thread_passages(thread, "tid", count)
    assert [(p.kind, p.position, p.text) for p in passages] == [
        ("title", 0, "T"), ("paragraph", 0, "p0"), ("paragraph", 1, "p1"),
        ("comment", 0, "c0"), ("comment", 1, "c1")]
    c1 = passages[-1]
    assert (c1.author, c1.comment_id, c1.parent_id, c1.thread_id, c1.chunk) == (None, "b", "a", "tid", 0)
    assert (c1.start, c1.end) == (0, 2)


def test_long_comment_split_at_sentences_with_offsets_into_parent():
    text = long_text(60)
    thread = Thread(title="T", comments=(Comment("x", "ann", text, parent="root"),))
    chunks = [p for p in thread_passages(thread, "tid", count, max_tokens=64) if p.kind == "comment"]
    assert len(chunks) > 3
    assert [p.chunk for p in chunks] == list(range(len(chunks)))
    for p in chunks:
        assert text[p.start:p.end] == p.text
        assert (p.author, p.comment_id, p.parent_id, p.position) == ("ann", "x", "root", 0)
        assert p.text.endswith(".") and p.text[0].isupper(), "chunks must start and end at sentences"
        assert count([p.text])[0] <= 64 - 16
    # Chunks cover the text in order without overlap, losing nothing but the spaces between them.
    assert "".join(text[a.end:b.start] for a, b in zip(chunks, chunks[1:], strict=False)).strip() == ""
    assert chunks[0].start == 0 and chunks[-1].end == len(text)


def test_single_overlong_sentence_is_cut_at_words():
    text = " ".join(f"word{i}" for i in range(500))
    spans = chunk_spans(text, count, 40)
    assert len(spans) > 5
    for s, e in spans:
        assert count([text[s:e]])[0] <= 40
        assert not text[s:e].startswith(" ") and not text[s:e].endswith(" ")
    assert " ".join(text[s:e] for s, e in spans) == text


def test_short_texts_are_not_chunked():
    thread = Thread(title="T", paragraphs=(long_text(2),))
    assert [p.chunk for p in thread_passages(thread, "tid", count)] == [0, 0]


def test_sentence_spans_respect_abbreviations_and_lines():
    text = "Mr. Smith met Dr. Jones in the U.S. on Jan. 5. They talked! Then left?\nNew line here"
    assert split_sentences(text) == ["Mr. Smith met Dr. Jones in the U.S. on Jan. 5.", "They talked!",
                                     "Then left?",
                                     "New line here"]
    assert split_sentences("Donald J. Trump spoke. Later, more.") == [
        "Donald J. Trump spoke.", "Later, more."]
    assert split_sentences("He published it in 1795 (Vol. 1, 2). See Fig. 3 on p. 12 too.") == [
        "He published it in 1795 (Vol. 1, 2).", "See Fig. 3 on p. 12 too."]
    for s, e in sentence_spans(text):
        assert text[s:e] == text[s:e].strip()
    assert sentence_spans("   ") == []


def test_long_texts_are_counted_in_one_call_and_chunked_as_each_alone():
    """The sentences of every long text of a thread are counted together (a call a text took 156
    calls at 1,522 comments), and a sentence that fits is never counted a second time as a piece."""
    calls: list[list[str]] = []

    def counting(texts):
        calls.append(list(texts))
        return count(texts)

    texts = [long_text(30), "short", long_text(45), " ".join(f"w{i}" for i in range(200))]
    thread = Thread(title="T", comments=tuple(Comment(str(i), "ann", t) for i, t in enumerate(texts)))
    passages = thread_passages(thread, "tid", counting, max_tokens=64)
    # the units; the long ones' sentences; the pieces of the one sentence cut at words (its words first)
    assert len(calls) == 4
    assert len(calls[1]) == 30 + 45 + 1
    for i, text in enumerate(texts):
        expected = chunk_spans(text, count, 48) if count([text])[0] > 48 else [(0, len(text))]
        assert [(p.start, p.end) for p in passages if p.kind == "comment" and p.position == i] == expected
