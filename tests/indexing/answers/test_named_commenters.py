"""Questions that name a commenter or the post's author as people type them: the named person's own
words answer, whatever verb the question uses and whatever comes before it."""

from __future__ import annotations

import pytest

from indexing.answers.engine import AnswerEngine
from indexing.answers.questions import classify, mentioned_author
from indexing.library import ThreadLibrary
from indexing.records import Comment, Thread

AUTHORS = ["new-man-2020", "JaneDoe42", "Eternity", "Phillip Pearson", "gulbrandr", "anon45"]


@pytest.mark.parametrize(("question", "author", "topic", "says"), [
    ("What did new-man-2020 advise about giving out personal information?", "new-man-2020",
     "giving out personal information", True),
    ("What does Jane Doe think of the plan?", "JaneDoe42", "the plan", True),
    ("What is jane_doe's view on taxes?", "JaneDoe42", "taxes", True),
    ('In the comments on "Deploys", what did Phillip Pearson say about atomic pushes?', "Phillip Pearson",
     "atomic pushes", True),
    ("What did gulbrandr complain about?", "gulbrandr", None, True),
    ("What did anon45 do after the update?", "anon45", "do after the update", False),
])
def test_a_named_commenter_is_found_however_the_question_is_put(question, author, topic, says):
    q = classify(question, AUTHORS)
    assert (q.type, q.speaker, q.topic, q.says) == ("author", author, topic, says)


@pytest.mark.parametrize("question", [
    "Is eternity overrated?",  # a word that is also a username, not used as a name
    "What do commenters think about eternity?",
    "Why do people like films whose values they do not live by?",
])
def test_a_username_that_is_a_common_word_is_not_taken_out_of_its_sentence(question):
    assert mentioned_author(question, AUTHORS) is None


SHOP = Thread(
    title="How I run a one-person bakery blog",
    author="Chriselle",
    paragraphs=(
        "I bake every morning before the shop opens and post the recipes here.",
        "When the oven broke during the holiday rush, I called my repair technician on Signal and he came "
        "within an hour.",
        "The blog itself runs on a small hosted plan.",
    ),
    comments=(
        Comment("c1", "Shelley", "I work at the flour mill you buy from, so glad you love our rye!"),
        Comment("c2", "Chriselle", "Aw thanks so much Shelley!", parent="c1"),
        Comment("c3", "new-man-2020",
                "Never give out your card number, even if the bank calls you; call your bank yourself."),
        Comment("c4", "new-man-2020", "The croissant recipe worked first time for me."),
        Comment("c5", "breadhead", "Which oven do you use for the sourdough loaves?"),
    ),
)


async def test_a_commenter_named_with_an_unlisted_verb_is_answered_from_their_comment(library):
    tid = (await library.index_thread(SHOP)).thread_id
    answer = await AnswerEngine(library).ask("What did new-man-2020 advise about giving out card numbers?", tid)
    assert answer.answered
    assert "call your bank yourself" in answer.answer
    assert {c.author for c in answer.citations} == {"new-man-2020"}


async def test_a_possessive_question_about_a_comment_finds_it(library):
    tid = (await library.index_thread(SHOP)).thread_id
    answer = await AnswerEngine(library).ask("What did Shelley say in her comment?", tid)
    assert answer.answered
    assert "flour mill" in answer.answer
    assert answer.citations[0].author == "Shelley"


@pytest.mark.slow
async def test_a_fact_about_the_post_author_answers_from_their_post(tmp_path, real_embedder):
    async with await ThreadLibrary.open(tmp_path / "real.db", real_embedder) as library:
        tid = (await library.index_thread(SHOP)).thread_id
        answer = await AnswerEngine(library).ask(
            "Which app did Chriselle use to reach her repair technician when the oven broke?", tid)
    assert answer.answered
    assert "Signal" in answer.answer.splitlines()[0]
    assert answer.citations[0].kind == "paragraph"


@pytest.mark.parametrize(("question", "found"), [
    ("What is the price of gold?", None),  # a common word after "of" is no username
    ("What is the government's plan?", None),
    ("What did gold say about prices?", "gold"),  # but the subject of "did ... say" is
    ("What was in Shelley's comment?", "Shelley"),  # a capitalised name owns its comment
])
def test_weak_cues_count_only_for_what_looks_like_a_name(question, found):
    match = mentioned_author(question, ["gold", "government", "Shelley"])
    assert (match[0] if match else None) == found
