"""Who posted a thread and what it links to: answered from the thread's record, cited to its title."""

from __future__ import annotations

from indexing.answers import AnswerEngine
from indexing.answers.submission import asks_for_submission
from indexing.records import Comment, Thread

LINK_POST = Thread(title="A bridge that folds itself", url="https://news.ycombinator.com/item?id=42",
                   source="https://engineering.example.org/folding-bridge", author="quietmaker", score=17,
                   comments=(Comment("c1", "ann", "Lovely engineering, but how does it handle wind?"),
                             Comment("c2", "bob", "It locks in place when folded.", parent="c1")),
                   source_file="bridge.json")


def test_the_question_shapes():
    assert asks_for_submission("Who submitted the bridge link and what did it link to?")
    assert asks_for_submission("who posted this?")
    assert asks_for_submission("Who wrote this post?")
    assert not asks_for_submission("Who is the engineer of the bridge?")
    assert not asks_for_submission("Who wrote the song the article mentions?")


async def test_who_submitted_a_link_post_and_where_it_points(library):
    thread_id = (await library.index_thread(LINK_POST)).thread_id
    answer = await AnswerEngine(library).ask("Who submitted the folding bridge link and what did it link to?",
                                             thread_id)
    assert answer.answered
    assert "posted by quietmaker (17 points)" in answer.answer
    assert "It links to https://engineering.example.org/folding-bridge on engineering.example.org." in answer.answer
    assert [c.kind for c in answer.citations] == ["title"]


async def test_unscoped_it_finds_the_thread_and_without_a_poster_retrieval_answers(library):
    await library.index_thread(LINK_POST)
    other = Thread(title="Harbour fees", paragraphs=("The council raised harbour fees on Monday.",),
                   source_file="harbour.json")
    await library.index_thread(other)
    answer = await AnswerEngine(library).ask("Who posted the folding bridge thread?")
    assert "quietmaker" in answer.answer
    plain = await AnswerEngine(library).ask("Who posted the harbour fees story?")
    assert "posted by" not in plain.answer  # no recorded poster: not invented
