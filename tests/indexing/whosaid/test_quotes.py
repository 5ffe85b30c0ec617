"""Who-said-what extraction: attributions, alias folding, pronoun and role resolution, comments.

These run the real spaCy pipeline (loaded once per session, a few seconds).
"""

from __future__ import annotations

import pytest

from indexing.records import Comment, Thread
from indexing.sources import parse_file
from indexing.text.chunking import thread_passages
from indexing.whosaid import statements as quotes
from indexing.whosaid.nlp import english_pipeline
from indexing.whosaid.speakers import name_words, speaker_matches
from indexing.whosaid.statements import extract_statements, statements_of
from tests.helpers import SEED


def word_count(texts):
    return [len(t.split()) + 2 for t in texts]


@pytest.fixture(scope="module")
def nlp():
    return english_pipeline()


def extract(nlp, paragraphs, comments=()):
    thread = Thread(title="t", paragraphs=tuple(paragraphs), comments=tuple(comments))
    return extract_statements(thread, thread_passages(thread, "tid", word_count, 256), nlp)


def test_direct_reported_colon_and_according_to(nlp):
    statements = extract(nlp, [
        '"We will not accept this," Senator Jane Doe said on Monday.',
        "Doe said she had no information on the reports.",
        'Asked about the vote, Doe told reporters: "It is a mistake."',
        "The plan would cost $3 billion, according to the Finance Ministry.",
    ])
    by_text = {s.text: s for s in statements}
    first = by_text['"We will not accept this," Senator Jane Doe said on Monday.']
    assert (first.speaker, first.cue, first.verbatim) == ("Jane Doe", "said", True)
    assert first.text[first.content_start - first.start:first.content_end - first.start] == \
        '"We will not accept this,"'
    reported = by_text["Doe said she had no information on the reports."]
    assert (reported.speaker, reported.verbatim) == ("Jane Doe", False)
    assert by_text['Asked about the vote, Doe told reporters: "It is a mistake."'].speaker == "Jane Doe"
    assert by_text["The plan would cost $3 billion, according to the Finance Ministry."].speaker == \
        "Finance Ministry"


def test_a_quote_running_over_sentences_and_into_the_next_paragraph(nlp):
    statements = extract(nlp, [
        '"The economy has moved sideways," Obstfeld said. "Growth risks perpetuating itself. We must act.',
        '"Otherwise the slowdown will last."',
        "Markets fell on Tuesday.",
    ])
    obstfeld = statements_of(statements, "Obstfeld")
    assert [s.position for s in obstfeld] == [0, 1]
    assert obstfeld[0].text.endswith("We must act.")
    assert obstfeld[1].cue == "continued"
    assert all(s.position != 2 for s in statements)


def test_aliases_fold_into_the_fullest_name(nlp):
    statements = extract(nlp, [
        "Presidential spokesman Dmitry Peskov told reporters the call was planned for Saturday.",
        "Peskov said he had no information on the reports.",
        "Mr. Trump said he was ready. Donald Trump added that the talks would go well.",
    ])
    assert {s.speaker for s in statements} == {"Dmitry Peskov", "Donald Trump"}
    assert len(statements_of(statements, "Peskov")) == 2
    assert len(statements_of(statements, "Mr. Trump")) == 2


def test_pronoun_and_role_subjects_resolve_to_the_recent_named_speaker(nlp):
    statements = extract(nlp, [
        "Presidential spokesman Dmitry Peskov told reporters on Friday that the call would happen.",
        '"Let us be patient," he said.',
        "The spokesman added that no agenda had been set.",
        "Angela Merkel said Europe would keep its sanctions. She said they work.",
    ])
    speakers = [(s.speaker_mention, s.speaker) for s in statements]
    assert ("he", "Dmitry Peskov") in speakers
    assert ("The spokesman", "Dmitry Peskov") in speakers
    assert ("She", "Angela Merkel") in speakers


def test_a_cue_inside_a_quote_belongs_to_the_quoted_speaker(nlp):
    statements = extract(nlp, [
        'Putin said he would reciprocate. "Mr Trump said he believes it is right. I agree with him."',
    ])
    assert {s.speaker for s in statements} == {"Putin"}
    assert statements[0].text.endswith('I agree with him."')


def test_comments_are_statements_of_their_authors_and_not_of_the_article(nlp):
    comments = [Comment(id="c1", author="CNONC", text='Trump told a news conference: "I am all for it."'),
                Comment(id="c2", author=None, text="Anonymous words.")]
    statements = extract(nlp, ["Trump said he would call Putin."], comments)
    article = [s for s in statements if s.source == "article"]
    comment = [s for s in statements if s.source == "comment"]
    assert [s.speaker for s in article] == ["Trump"]
    assert [(s.speaker, s.cue, s.text) for s in comment] == [
        ("CNONC", "wrote", 'Trump told a news conference: "I am all for it."')]


def test_the_seed_thread(nlp):
    thread = parse_file(SEED)[0]
    statements = extract_statements(thread, thread_passages(thread, "tid", word_count, 256), nlp)
    peskov = [s.text for s in statements_of(statements, "Peskov")]
    assert any("first telephone contact since President Trump took office" in t for t in peskov)
    assert any("no information on reports" in t for t in peskov)
    trump = " ".join(s.text for s in statements_of(statements, "Trump") if s.source == "article")
    assert "knock the hell out of ISIS" in trump  # "..., he said."
    assert not any("Inauguration day" in s.text for s in statements if s.source == "article")
    berlin = statements_of(statements, "the source in Berlin")
    assert berlin and "doesn't mean that we go along" in berlin[0].text


def test_name_matching():
    assert name_words("Mr. Trump's") == ["trump"]
    assert name_words("Sen. David Perdue (R-Ga.)") == ["david", "perdue"]
    assert speaker_matches("Oversight Chairman Jason Chaffetz (R-Utah)", "Jason Chaffetz")
    assert name_words("King") == ["king"]
    assert speaker_matches("Peskov", "Dmitry Peskov")
    assert speaker_matches("Dmitry Peskov", "Peskov")
    assert speaker_matches("the source in Berlin", "source in Berlin")
    assert not speaker_matches("Hillary Clinton", "Bill Clinton")
    assert not speaker_matches("Putin", "Dmitry Peskov")


def test_a_comments_only_thread_does_not_load_the_parser(monkeypatch):
    def no_parser():
        raise AssertionError("the spaCy pipeline was loaded for a thread without paragraphs")

    monkeypatch.setattr(quotes, "english_pipeline", no_parser)
    thread = Thread(title="Comments", comments=(Comment(id="c1", author="ann", text="I think the vote was fair."),))
    statements = quotes.extract_statements(thread, thread_passages(thread, "tid", word_count))
    assert [(s.speaker, s.source) for s in statements] == [("ann", "comment")]
