"""The answer engine: speaker, comment-author, discussion and factual answers, and abstention.

Unit tests use the fake embedder (shared words mean similar vectors) with the real spaCy parser;
the seed's golden questions run with the real model.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict

import pytest

from indexing.answers.engine import AnswerEngine, names_a_new_kind
from indexing.answers.questions import asked_noun
from indexing.answers.verbatim import unverified_quotes
from indexing.library import ThreadLibrary
from indexing.records import Comment, Thread
from indexing.sources import parse_file
from indexing.text.lexical import content_terms
from tests.helpers import SEED, SEED_GOLDEN

THREAD = Thread(
    title="Council to vote on the harbour bridge",
    paragraphs=(
        "The city council will vote on the harbour bridge on Saturday, the mayor's office said.",
        '"This bridge will pay for itself within ten years," Mayor Ann Lee said on Monday.',
        "Lee said she had no doubt the council would approve the plan.",
        'Opposition leader Tom Hart warned: "The costs are hidden and the traffic studies are old."',
        "Construction would start in the spring and last three years.",
    ),
    comments=(
        Comment(id="c1", author="riverwatcher", text="The bridge traffic will ruin the old town. Build a tunnel."),
        Comment(id="c2", author="Pat", text="Bridge traffic is overstated; the ferry is worse."),
        Comment(id="c3", author="riverwatcher", text="Also, who pays for the bridge maintenance?"),
    ),
)


@pytest.fixture
async def indexed(library):
    result = await library.index_thread(THREAD)
    return library, result.thread_id


def quotes_are_verbatim(answer) -> bool:
    passages = {int(c.ref.strip("[]")): c.text for c in answer.citations}
    return unverified_quotes(answer.answer, passages) == []


def refs_match_citations(answer) -> bool:
    used = set(re.findall(r"\[\d+\]", answer.answer))
    return used == {c.ref for c in answer.citations}


async def test_speaker_answer_lists_statements_in_order_with_citations(indexed):
    library, thread_id = indexed
    answer = await AnswerEngine(library).ask("What did Ann Lee say?", thread_id)
    assert answer.answered and answer.mode == "extractive"
    lines = answer.answer.splitlines()
    assert lines[0] == "Ann Lee:"
    assert lines[1].startswith('- "This bridge will pay for itself within ten years," Mayor Ann Lee said')
    assert lines[2].startswith("- Lee said she had no doubt")
    assert "Tom Hart" not in answer.answer and "tunnel" not in answer.answer
    assert [c.kind for c in answer.citations] == ["paragraph", "paragraph"]
    assert refs_match_citations(answer) and quotes_are_verbatim(answer)


async def test_an_alias_and_a_topic(indexed):
    library, thread_id = indexed
    answer = await AnswerEngine(library).ask("What did Hart warn about the costs?", thread_id)
    assert "The costs are hidden" in answer.answer
    assert answer.citations[0].text == THREAD.paragraphs[3]


async def test_comment_author_answer(indexed):
    library, thread_id = indexed
    answer = await AnswerEngine(library).ask("What did riverwatcher say?", thread_id)
    assert answer.answered
    assert answer.answer.splitlines()[0] == "riverwatcher wrote:"
    assert {c.author for c in answer.citations} == {"riverwatcher"}
    assert {c.kind for c in answer.citations} == {"comment"}


async def test_discussion_answer_groups_comments_by_author(indexed):
    library, thread_id = indexed
    answer = await AnswerEngine(library).ask("What do commenters think about the bridge traffic?", thread_id)
    assert answer.answered
    assert all(c.kind == "comment" for c in answer.citations)
    assert {"riverwatcher", "Pat"} <= {c.author for c in answer.citations}
    assert "riverwatcher:" in answer.answer.splitlines() and "Pat:" in answer.answer.splitlines()
    assert refs_match_citations(answer)


async def test_factual_answer_leads_with_the_answering_sentence(indexed):
    library, thread_id = indexed
    answer = await AnswerEngine(library).ask("When will construction start?", thread_id)
    assert answer.answered
    assert answer.answer.splitlines()[0].startswith("Construction would start in the spring")
    assert answer.citations[0].text == THREAD.paragraphs[4]
    assert refs_match_citations(answer)


async def test_abstains_with_closest_matches_when_evidence_is_weak(indexed):
    library, thread_id = indexed
    answer = await AnswerEngine(library).ask("Which telescope photographed the comet nucleus?", thread_id)
    assert not answer.answered
    assert answer.answer.startswith("The indexed threads do not answer this question.")
    assert "Closest matches:" in answer.answer
    assert answer.citations and refs_match_citations(answer)
    assert '"' not in answer.answer.split("Closest matches:")[1]  # previews are never shown as quotes


async def test_abstains_when_the_best_sentence_contradicts_the_question(library):
    thread = Thread(title="Reductions", paragraphs=(
        "The most commonly used reduction is a polynomial-time reduction.",
        "Reductions compare the difficulty of two problems.",
    ))
    thread_id = (await library.index_thread(thread)).thread_id
    engine = AnswerEngine(library)
    same = await engine.ask("What is the most commonly used reduction?", thread_id)
    assert same.answered and same.answer.startswith("The most commonly used reduction")
    swapped = await engine.ask("What is the least commonly used reduction?", thread_id)
    assert not swapped.answered
    assert swapped.answer.startswith("The indexed threads do not answer this question.")


async def test_an_empty_library_abstains(library):
    answer = await AnswerEngine(library).ask("What did anyone say?")
    assert not answer.answered and answer.citations == []


async def test_answer_json_shape(indexed):
    library, thread_id = indexed
    answer = asdict(await AnswerEngine(library).ask("What did Ann Lee say?", thread_id))
    assert list(answer) == ["question", "thread_id", "answered", "answer", "mode", "citations"]
    assert list(answer["citations"][0]) == ["ref", "thread_id", "passage_id", "kind", "author", "text", "score"]
    json.dumps(answer)


async def test_statements_are_replaced_with_the_thread_and_kept_when_unchanged(indexed):
    library, thread_id = indexed
    before = await library.statements(thread_id=thread_id)
    assert (await library.index_thread(THREAD)).status == "unchanged"
    assert await library.statements(thread_id=thread_id) == before
    changed = Thread(title=THREAD.title, paragraphs=THREAD.paragraphs[:2], comments=())
    assert (await library.index_thread(changed)).status == "updated"
    after = await library.statements(thread_id=thread_id)
    assert {s.speaker for s in after} == {"Ann Lee", "mayor's office"}
    await library.forget(thread_id)
    assert await library.statements(thread_id=thread_id) == []


@pytest.mark.slow
async def test_seed_golden_questions(tmp_path, real_embedder):
    if not SEED_GOLDEN.exists():
        pytest.skip("../shared/eval/seed-golden.json is not available")
    golden = json.loads(SEED_GOLDEN.read_text())
    async with await ThreadLibrary.open(tmp_path / "seed.db", real_embedder) as library:
        thread_id = (await library.index_thread(parse_file(SEED)[0])).thread_id
        engine = AnswerEngine(library)
        for q in golden["questions"]:
            answer = await engine.ask(q["q"], thread_id)
            text = answer.answer.lower()
            for group in q.get("expect", []):
                assert any(p.lower() in text for p in group), (q["q"], group, answer.answer)
            for phrase in q.get("forbid", []):
                assert phrase.lower() not in text, (q["q"], phrase)
            if "cited_authors_include_any" in q:
                assert {c.author for c in answer.citations} & set(q["cited_authors_include_any"])
            assert quotes_are_verbatim(answer) and refs_match_citations(answer)


async def test_threads_indexed_without_statements_get_them_on_the_next_index(db_path, fake_embedder):
    async with await ThreadLibrary.open(db_path, fake_embedder) as library:
        library.extractor = None  # as a database from before who-said-what
        thread_id = (await library.index_thread(THREAD)).thread_id
        assert await library.statements(thread_id=thread_id) == []
    async with await ThreadLibrary.open(db_path, fake_embedder) as library:
        assert (await library.index_thread(THREAD)).status == "unchanged"
        assert {s.speaker for s in await library.statements(thread_id=thread_id)} >= {"Ann Lee", "Tom Hart"}


@pytest.mark.parametrize(("question", "noun"), [
    ("What test is especially useful for numbers of this form?", "test"),
    ("Which type of rock is found at the Grand Canyon?", "rock"),
    ("What kinds of cells engulf pathogens?", "cells"),
    ("What is the capital of France?", None),
    ("What did Peskov say?", None),
    ("When was it built?", None),
])
def test_asked_noun_is_the_noun_a_what_question_asks_for(question, noun):
    assert asked_noun(question) == noun


def test_a_sentence_fills_the_asked_slot_only_with_a_word_the_question_lacks():
    question_terms = set(content_terms("What test is especially useful for numbers of this form?"))
    assert names_a_new_kind("The Lucas–Lehmer test is particularly fast.", "test", question_terms)
    assert not names_a_new_kind("This test is useful for numbers of this form.", "test", question_terms)
    assert not names_a_new_kind("A useful test exists.", "test", question_terms)  # "useful" is the question's
    assert not names_a_new_kind("Nothing is tested here.", "test", question_terms)


def test_content_terms_keep_numbers_and_read_roman_numerals():
    assert content_terms("Type 1 hypersensitivity") == content_terms("Type I hypersensitivity")
    assert "4" in content_terms("Type IV reactions") and "1" not in content_terms("Type IV reactions")
    assert "1" not in content_terms("It was as I said")  # the pronoun is not a numeral
    assert "2003" in content_terms("found in 2003")
