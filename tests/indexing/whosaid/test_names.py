"""Names as people type them, and the post author as a speaker of the thread (made-up threads)."""

from __future__ import annotations

import pytest

from indexing.records import Comment, Thread
from indexing.text.chunking import thread_passages
from indexing.whosaid.nlp import english_pipeline
from indexing.whosaid.speakers import author_key, match_author, speaker_matches, title_name
from indexing.whosaid.statements import extract_statements, statements_of


@pytest.fixture(scope="module")
def nlp():
    return english_pipeline()


def extract(nlp, thread: Thread):
    return extract_statements(thread, thread_passages(thread, "tid", lambda ts: [len(t.split()) + 2 for t in ts],
                                                      256), nlp)


@pytest.mark.parametrize("name", ["JaneDoe42", "jane_doe", "Jane Doe", "jane-doe", "jane.doe", "JANE DOE",
                                  "  Jane   Doe ", "u/JaneDoe", "@jane_doe@social.example", "jane_doe_7"])
def test_author_key_folds_how_people_type_a_name(name):
    assert author_key(name) == "jane doe"


def test_author_key_keeps_what_tells_names_apart():
    assert author_key("HTMLParser") == "html parser"
    assert author_key("2048") == "2048"
    assert author_key("JohnDoe") != author_key("JaneDoe")


def test_match_author():
    authors = ["bob", "JaneDoe42", "janedoe"]
    assert match_author("janedoe", authors) == "janedoe"  # the same name ignoring case wins
    assert match_author("Jane Doe", authors) == "JaneDoe42"
    assert match_author("jane doe", ["bob", "janedoe42"]) == "janedoe42"  # spaces folded away
    assert match_author("Jane", authors) is None
    assert match_author("", authors) is None
    assert match_author("John Doe", authors) is None


def test_speaker_matches_usernames_and_keeps_article_rules():
    assert speaker_matches("Jane Doe", "JaneDoe42")
    assert speaker_matches("jane_doe", "Jane Doe")
    assert speaker_matches("Peskov", "Dmitry Peskov")
    assert not speaker_matches("Hillary Clinton", "Bill Clinton")
    assert not speaker_matches("John Doe", "JaneDoe42")


@pytest.mark.parametrize(("title", "name"), [
    ("I am Jane Doe, ask me anything", "Jane Doe"),
    ("IAmA Jane Doe and I repair clocks. AMA!", "Jane Doe"),
    ("Hi Reddit, I'm Jane Doe, a clock maker", "Jane Doe"),
    ("Jane Doe here, ask me anything", "Jane Doe"),
    ("AMA: I am Ludwig van Beethoven", "Ludwig van Beethoven"),
    ("IAmA retired pilot, AMA", None),
    ("I'm the CEO of a clock company, AMA", None),
    ("Jane Doe here to talk", None),
    ("Clock makers fear new tariffs", None),
])
def test_title_name(title, name):
    assert title_name(title) == name


def ama_thread(**extra) -> Thread:
    fields = dict(
        title="I am Jane Doe, I repair old clocks, ask me anything",
        paragraphs=("I have repaired clocks for thirty years.", "My favourite is a longcase clock."),
        comments=(Comment("c1", "BobSmith42", "What is the hardest part?"),
                  Comment("c2", "clockfixer_77", "Finding spare parts.", parent="c1")),
        author="clockfixer_77")
    fields.update(extra)
    return Thread(**fields)  # type: ignore[arg-type]


def test_the_post_author_speaks_the_post_and_is_found_by_the_title_name(nlp):
    statements = extract(nlp, ama_thread())
    post = [s for s in statements if s.source == "article"]
    assert [(s.speaker, s.cue, s.position) for s in post] == [("clockfixer_77", "wrote", 0),
                                                              ("clockfixer_77", "wrote", 1)]
    found = statements_of(statements, "Jane Doe")
    assert [s.text for s in found] == ["I have repaired clocks for thirty years.",
                                       "My favourite is a longcase clock.", "Finding spare parts."]
    assert [s.text for s in statements_of(statements, "clockfixer")] == [s.text for s in found]
    assert [s.text for s in statements_of(statements, "Bob Smith")] == ["What is the hardest part?"]


def test_the_title_name_stays_another_speakers_when_it_is_theirs(nlp):
    thread = ama_thread(comments=(Comment("c1", "JaneDoe", "I am the real one."),
                                  Comment("c2", "clockfixer_77", "Finding spare parts.")))
    found = statements_of(extract(nlp, thread), "Jane Doe")
    assert [(s.speaker, s.text) for s in found] == [("JaneDoe", "I am the real one.")]


def test_the_post_author_adds_to_the_quotes_of_the_post(nlp):
    thread = Thread(title="Council news", author="editor_1",
                    paragraphs=('"We will build the bridge," Mayor Ann Lee said on Monday.',))
    statements = extract(nlp, thread)
    assert {(s.speaker, s.cue) for s in statements} == {("Ann Lee", "said"), ("editor_1", "wrote")}


def test_no_post_author_no_post_statements(nlp):
    statements = extract(nlp, ama_thread(author=None))
    assert not [s for s in statements if s.cue == "wrote" and s.source == "article"]
    assert statements_of(statements, "Jane Doe") == []
