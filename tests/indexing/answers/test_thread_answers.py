"""Answers on real-shaped threads: questions in comments, AMAs, the post before the jokes, greetings,
degenerate discussion answers, and unscoped questions over two threads. Small made-up threads, the
fake embedder (shared words mean similar vectors)."""

from __future__ import annotations

import pytest

from indexing.answers.answer_type import expected_type, names_expected
from indexing.answers.candidates import answer_text, answerer, dominant_thread, is_question
from indexing.answers.engine import AnswerEngine, plural
from indexing.records import Comment, Hit, Passage, Thread

ECHO = Thread(
    title="We run the Larkspur backup service, ask us",
    paragraphs=("Hey folks, we run the Larkspur backup service for small offices and schools.",),
    comments=(
        Comment("c1", "mara", "What storage engine does the Larkspur backup service use for snapshots?"),
        Comment("c2", "larkspur_team", "We built it on ZFS with nightly replication to a second site.", parent="c1"),
        Comment("c3", "quill", "Backups are great until the restore fails."),
    ),
)

AMA = Thread(
    title="I am Rosa Vell, lighthouse keeper for twenty years. AMA",
    paragraphs=("Hello Reddit,", "I kept the Dunmore light from 1998 until it was automated."),
    comments=(
        Comment("q1", "gullwatch", "How did you get fresh food delivered to the lighthouse island?"),
        Comment("a1", "RosaVell", "A supply boat came every second Tuesday, weather permitting.", parent="q1"),
        Comment("j1", "punster", "Food? Just fish from the window lol, easy.", parent="q1"),
        Comment("q2", "tidewatcher", "Did you ever see a shipwreck from the lighthouse?"),
        Comment("a2", "RosaVell", "Twice, both trawlers, and everyone was rescued.", parent="q2"),
    ),
)

OUTAGE = Thread(
    title="Postmortem: the Tuesday outage",
    paragraphs=(
        "Hi all,",
        "The outage was caused by an expired TLS certificate on the internal load balancer.",
        "We have added monitoring that alerts thirty days before any certificate expires.",
        "Thanks for reading!",
    ),
    comments=(
        Comment("k1", "jester", "The outage was caused by gremlins, obviously, the outage always is."),
        Comment("k2", "ops_fan", "Good writeup, monitoring for expiry is the right fix."),
    ),
)

GARDEN = Thread(
    title="Community garden opens new plots",
    paragraphs=("The community garden on Elm Street opened forty new plots for residents this spring.",
                "Plots cost twenty dollars a season and water is included."),
    comments=(
        Comment("g1", "fern", "The compost bins at the garden are the best part, the volunteers run them well."),
        Comment("g2", "basil", "Compost bins"),
        Comment("g3", "thyme", "Twenty dollars a season for a garden plot with water is a fair price."),
    ),
)


async def index(library, *threads):
    return [(await library.index_thread(t)).thread_id for t in threads]


def first_line(answer) -> str:
    lines = answer.answer.splitlines()
    return lines[1] if lines[0].startswith("From: ") else lines[0]


async def test_an_echoed_question_is_answered_by_its_reply(library):
    [tid] = await index(library, ECHO)
    answer = await AnswerEngine(library).ask("What storage engine does the backup service use?", tid)
    assert answer.answered
    line = first_line(answer)
    assert line.startswith("We built it on ZFS with nightly replication")
    assert "?" not in line.split("[")[0]  # the question is never the answer sentence
    assert answer.citations[0].author == "larkspur_team"
    assert answer.citations[1].author == "mara"  # the question, cited as what the reply answers


async def test_an_ama_is_answered_by_the_one_who_answers_the_questions(library):
    [tid] = await index(library, AMA)
    answer = await AnswerEngine(library).ask("How did Rosa get fresh food delivered to the lighthouse island?", tid)
    assert answer.answered
    assert first_line(answer).startswith("A supply boat came every second Tuesday")
    assert answer.citations[0].author == "RosaVell"
    assert "lol" not in answer.answer


async def test_the_post_explains_before_a_joke_comment(library):
    [tid] = await index(library, OUTAGE)
    answer = await AnswerEngine(library).ask("What caused the outage?", tid)
    assert answer.answered
    assert first_line(answer).startswith("The outage was caused by an expired TLS certificate")
    assert answer.citations[0].kind == "paragraph"
    assert "gremlins" not in answer.answer


async def test_greetings_sign_offs_and_titles_never_answer(library):
    [tid] = await index(library, AMA)
    answer = await AnswerEngine(library).ask("Hello, which light did the keeper keep?", tid)
    assert not first_line(answer).startswith(("Hello Reddit", "I am Rosa Vell"))
    assert answer_text("Hey folks, we run the service.") == "we run the service."
    assert answer_text("Hello Reddit,") is None
    assert answer_text("Thanks for reading!") is None
    assert answer_text("Thanks again everyone.") is None
    assert answer_text("Share this article") is None
    assert answer_text("The share of this plan is small.") == "The share of this plan is small."
    assert is_question("Did it work?") and not is_question("It worked.")


def test_a_title_answers_only_when_it_names_the_asked_kind():
    assert expected_type("When will they vote?") == "date"
    assert expected_type("How many plots opened?") == "number"
    assert expected_type("Who leads the council?") == "person"
    assert expected_type("Where is the garden?") == "place"
    assert expected_type("What does the plugin do?") is None
    assert names_expected("When will the council vote?", "Council to vote on Saturday")
    assert not names_expected("What does the plugin do?", "Pinewood: a plugin for notes")


async def test_a_discussion_with_no_relevant_comment_is_not_answered(library):
    [tid] = await index(library, GARDEN)
    answer = await AnswerEngine(library).ask("What do commenters think about nuclear submarines?", tid)
    assert not answer.answered
    assert answer.answer.splitlines()[0].startswith("No comment in the indexed threads is about nuclear submarines")


async def test_very_short_comments_are_not_a_view(library):
    [tid] = await index(library, GARDEN)
    answer = await AnswerEngine(library).ask("What do commenters think about compost bins?", tid)
    assert answer.answered
    assert "basil" not in answer.answer  # "Compost bins" alone is not a view
    assert "fern:" in answer.answer
    assert "(1 comment by 1 commenter)" in answer.answer.splitlines()[0]
    assert plural(1, "comment") == "1 comment" and plural(0, "comment") == "0 comments"


async def test_only_very_short_comments_is_no_answer(library):
    thread = Thread(title="Bins", paragraphs=("The bins are emptied on Mondays.",),
                    comments=(Comment("s1", "a", "Compost bins rock"), Comment("s2", "b", "compost bins!")))
    [tid] = await index(library, thread)
    answer = await AnswerEngine(library).ask("What do commenters think about compost bins?", tid)
    assert not answer.answered and "very short comments" in answer.answer


async def test_an_unscoped_question_is_answered_from_the_thread_it_is_about(library):
    await index(library, OUTAGE, GARDEN)
    answer = await AnswerEngine(library).ask("How much do garden plots cost a season?")
    assert answer.answered
    assert answer.answer.splitlines()[0] == "From: Community garden opens new plots"
    assert "twenty dollars" in answer.answer.lower()
    threads = {c.thread_id for c in answer.citations}
    assert len(threads) == 1


async def test_an_unscoped_discussion_over_two_threads_names_each_thread(library):
    first = Thread(title="Library extends opening hours", paragraphs=("The library now opens until nine.",),
                   comments=(Comment("l1", "ana", "Longer opening hours help students who work during the day."),))
    second = Thread(title="Pool extends opening hours", paragraphs=("The pool now opens until ten.",),
                    comments=(Comment("p1", "ben", "Longer opening hours help swimmers who work during the day."),))
    await index(library, first, second)
    answer = await AnswerEngine(library).ask("What do commenters think about longer opening hours?")
    assert answer.answered
    text = answer.answer
    assert "From: Library extends opening hours" in text and "From: Pool extends opening hours" in text
    assert text.index("From: ") < text.index("ana:") or text.index("From: ") < text.index("ben:")


async def test_an_unanswerable_question_abstains(library):
    [tid] = await index(library, GARDEN)
    answer = await AnswerEngine(library).ask("Who designed the rocket engine of the moon lander?", tid)
    assert not answer.answered


def passage(thread: str, text: str, kind="comment", cid=None, parent=None, author=None) -> Passage:
    return Passage(thread_id=thread, kind=kind, position=0, text=text, comment_id=cid, parent_id=parent,
                   author=author)


def test_answerer_and_dominant_thread():
    passages = [passage("t", "Why?", cid="1"), passage("t", "Because.", cid="2", parent="1", author="op"),
                passage("t", "How?", cid="3"), passage("t", "Like so.", cid="4", parent="3", author="op"),
                passage("t", "Me too.", cid="5", parent="3", author="x")]
    assert answerer(passages) == "op"
    assert answerer(passages[:2]) is None  # one reply is not a pattern
    threads = [("a", "Garden plots"), ("a", "Garden plots"), ("b", "Outage"), ("a", "Garden plots"),
               ("a", "Garden plots")]
    hits = [Hit(passage(t, "x"), 1.0, thread_title=title) for t, title in threads]
    assert dominant_thread(hits, "anything") == "a"
    assert dominant_thread(hits[:4], "anything") is None  # three of four is not clear
    split = [hits[0], hits[2]]
    assert dominant_thread(split, "garden plots price") == "a"  # the title decides a split
    assert dominant_thread(split, "something else") is None


@pytest.mark.parametrize("question", ["Hey folks,", "Thanks for reading"])
def test_greeting_sentences_are_dropped(question):
    assert answer_text(question) is None
