"""The asked type decides: a question that asks for an amount, a name, a person or advice is answered by
a sentence holding one, or not at all; a lead-in ("here's what to do:") points at the paragraphs after
it; a question about the whole discussion gets its themes. Small threads made for the tests."""

from __future__ import annotations

import pytest

from indexing.answers.answer_type import expected_type, names_expected
from indexing.answers.candidates import is_lead_in
from indexing.answers.engine import AnswerEngine
from indexing.answers.questions import classify, mentioned_author
from indexing.answers.whole_thread import asks_about_whole_thread
from indexing.library import ThreadLibrary
from indexing.records import Comment, Thread


@pytest.mark.parametrize(("question", "kind"), [
    ("How much will the company charge for the new plan?", "money"),
    ("What is the price of the laptop?", "money"),
    ("How many outputs does a function problem have?", "number"),
    ("What was the name of the company that was tested?", "name"),
    ("What is another name for the input size?", None),  # a synonym: no entity marks it
    ("According to the post, what should you do if you get one?", "advice"),
    ("Who leads the project?", "person"),
    ("What does the plugin do?", None),
])
def test_the_asked_type(question, kind):
    assert expected_type(question) == kind


@pytest.mark.slow
def test_what_holds_the_asked_type():
    money = "How much will the company charge for the new plan?"
    assert names_expected(money, "The plan costs $40 a month.")
    assert not names_expected(money, "The plan ships with Ubuntu 12.04 installed.")  # a number, not an amount
    count = "How many outputs are expected for each input?"
    assert names_expected(count, "A function problem expects a single output for every input.")
    advice = "What should you do if you receive one of these messages?"
    assert names_expected(advice, "Block the account in question.")
    assert names_expected(advice, "You should never click the link.")
    assert not names_expected(advice, "Some users are receiving private messages.")


def test_a_lead_in_is_recognised():
    assert is_lead_in("If you receive one of their messages, here's what to do:")
    assert not is_lead_in("Do not click the links.")


def test_a_user_whose_name_starts_a_longer_name_is_not_that_person():
    assert mentioned_author("What did Larry Page say about Android?", ["larry"]) is None
    assert mentioned_author("What did larry say about Android?", ["larry"]) == ("larry", 9, 14)


def test_the_poster_is_not_the_crowd():
    assert classify("What was the name of the poster's wife?").type == "factual"
    assert classify("What do posters here think of the plan?").type == "discussion"
    assert classify("What is this topic a companion discussion for?").type == "factual"


def test_a_whole_thread_topic():
    title = "Council approves the new bike lanes"
    assert asks_about_whole_thread("the article", title)
    assert asks_about_whole_thread("in response to the bike lanes", title)
    assert not asks_about_whole_thread("parking fees", title)


SCAM = Thread(
    title="PSA: you did not win a gift card",
    paragraphs=(
        "Some users are getting private messages telling them they won a gift card from the moderators.",
        "If you receive one of these prize messages, here is what to do:",
        "Do not click any of the links in it.",
        "Report the account to the administrators.",
        "Block the account.",
        "The laptop giveaway before this one was real, and the winner got a large model.",
    ),
    comments=(
        Comment("c1", "ferretfan", "I only wanted the robotic ferret they promised, now I am sad about the ferret."),
        Comment("c2", "otter", "A robotic ferret would be the best prize, forget the gift card, give me the ferret."),
        Comment("c3", "lynx", "Robotic ferret or nothing, that is my price for clicking the scam link."),
        Comment("c4", "heron", "My bank called me about the same scam messages and told me to ignore them."),
        Comment("c5", "crane", "The bank said scam messages like these go around every holiday season."),
        Comment("c6", "ibis", "Reported the account to the administrators just now, thanks for the warning."),
    ),
)


@pytest.fixture
async def real_library(tmp_path, real_embedder):
    async with await ThreadLibrary.open(tmp_path / "real.db", real_embedder) as library:
        yield library


@pytest.mark.slow
async def test_advice_is_answered_by_the_paragraphs_a_lead_in_announces(real_library):
    tid = (await real_library.index_thread(SCAM)).thread_id
    answer = await AnswerEngine(real_library).ask(
        "According to the post, what should you do if you receive one of these prize messages?", tid)
    assert answer.answered
    first = answer.answer.splitlines()[0]
    assert first.startswith(("Do not click", "Report the account", "Block the account"))
    assert "here is what to do" not in first  # the lead-in points at the answer; it is not one


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    "How much does the moderators' gift card cost?",  # an amount: the thread names none
    "What was the name of the moderator who sent the messages?",  # a name: none is given
    "Who is behind the scam messages?",  # a person: no one is named
    "How many users received the scam messages?",  # a number: none is given
    "When did the scam messages start?",  # a date: none is given
    "Where are the scammers based?",  # a place: none is named
])
async def test_an_unanswerable_question_of_a_type_abstains(real_library, question):
    tid = (await real_library.index_thread(SCAM)).thread_id
    answer = await AnswerEngine(real_library).ask(question, tid)
    assert not answer.answered, answer.answer


@pytest.mark.slow
async def test_a_question_about_the_whole_discussion_gets_its_themes(real_library):
    tid = (await real_library.index_thread(SCAM)).thread_id
    answer = await AnswerEngine(real_library).ask("What do most commenters joke about in response to the PSA?", tid)
    assert answer.answered
    assert "by theme:" in answer.answer
    assert "ferret" in answer.answer.lower()
    assert len({c.author for c in answer.citations}) >= 2


def test_a_rare_title_word_routes_an_unscoped_question():
    from indexing.answers.candidates import dominant_thread
    from indexing.records import Hit, Passage

    def hit(thread: str, title: str) -> Hit:
        return Hit(Passage(thread_id=thread, kind="comment", position=0, text="x"), 1.0, thread_title=title)

    hits = [hit("a", "PSA: you did not win a gift card"), hit("b", "Council approves bike lanes"),
            hit("c", "Storage outage on Tuesday"), hit("b", "Council approves bike lanes")]
    # "joke" and "commenters" are in no title: "PSA" alone tells the threads apart.
    assert dominant_thread(hits, "What do most commenters joke about in response to the PSA?") == "a"
    assert dominant_thread(hits, "What do most commenters joke about?") is None


@pytest.mark.slow
async def test_the_asked_type_check_runs_off_the_event_loop(real_library, monkeypatch):
    """spaCy is CPU work: an answer's entity checks run in a worker thread, never on the event loop."""
    import threading

    from indexing.answers import answer_type

    threads: set[str] = set()
    real = answer_type.english_pipeline

    def recording_pipeline():
        threads.add(threading.current_thread().name)
        return real()

    monkeypatch.setattr(answer_type, "english_pipeline", recording_pipeline)
    answer_type._entities.cache_clear()
    tid = (await real_library.index_thread(SCAM)).thread_id
    await AnswerEngine(real_library).ask("Who is behind the scam messages?", tid)
    assert threads and threading.main_thread().name not in threads
