"""The question classifier: speaker, comment author, discussion, or factual."""

import pytest

from indexing.answers.questions import classify


@pytest.mark.parametrize(("question", "speaker", "topic"), [
    ("what did Peskov say?", "Peskov", None),
    ("What did Putin say about relations with the US?", "Putin", "relations with the US"),
    ("What did the source in Berlin say?", "the source in Berlin", None),
    ("What does Trump think about ISIS?", "Trump", "ISIS"),
    ("What has Merkel claimed on sanctions", "Merkel", "sanctions"),
    ("Did Peskov warn about sanctions?", "Peskov", "sanctions"),
    ("What is Putin's view on Ukraine?", "Putin", "Ukraine"),
    ("Putin's position on Syria?", "Putin", "Syria"),
    ("What was said by Dmitry Peskov?", "Dmitry Peskov", None),
    ("what did Mr. Trump tell reporters about the call", "Mr. Trump", "the call"),
])
def test_speaker_questions(question, speaker, topic):
    q = classify(question)
    assert (q.type, q.speaker, q.topic) == ("speaker", speaker, topic)


def test_a_comment_author_is_recognised_against_the_authors_in_scope():
    q = classify("What did CNONC say?", authors={"CNONC", "the phantom"})
    assert (q.type, q.speaker) == ("author", "CNONC")
    assert classify("What did cnonc say?", authors={"CNONC"}).speaker == "CNONC"
    assert classify("What did CNONC say?", authors=set()).type == "speaker"


@pytest.mark.parametrize(("question", "topic"), [
    ("What do commenters think about safe zones in Syria?", "safe zones in Syria"),
    ("What are readers saying about Trump?", "Trump"),
    ("How did the comment section react to the call?", "the call"),
])
def test_discussion_questions(question, topic):
    q = classify(question)
    assert q.type == "discussion"
    assert q.topic == topic


@pytest.mark.parametrize("question", [
    "When will Putin and Trump talk?",
    "Who else will Trump call on Saturday?",
    "What type of rock is found at the Grand Canyon?",
    "What did he say?",  # a pronoun names nobody
    "",
])
def test_factual_questions(question):
    assert classify(question).type == "factual"


def test_a_commenter_is_found_however_the_name_is_typed():
    for typed in ("Jane Doe", "jane_doe", "janedoe42", "JANE DOE"):
        q = classify(f"What did {typed} say about the vote?", ["JaneDoe42", "Bob"])
        assert (q.type, q.speaker, q.topic) == ("author", "JaneDoe42", "the vote"), typed
