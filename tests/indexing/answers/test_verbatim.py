"""Quoted text in an answer must be a verbatim substring of a passage cited on the same line."""

from indexing.answers.verbatim import drop_unverified_lines, unverified_quotes

PASSAGES = {
    1: 'Asked by reporters, Peskov said: "This is the first telephone contact. We\'ll see, let\'s be patient."',
    2: "The source said it would be “unpleasant” if Trump were to lift sanctions.",
}


def test_verbatim_quotes_pass():
    assert unverified_quotes('Peskov said "This is the first telephone contact." [1]', PASSAGES) == []
    assert unverified_quotes("It would be “unpleasant” [2]", PASSAGES) == []
    # curly vs straight apostrophes and whitespace runs do not matter
    assert unverified_quotes("He said “We’ll see,   let’s be patient.” [1]", PASSAGES) == []


def test_a_paraphrase_in_quotes_fails():
    bad = unverified_quotes('Peskov said "the call is a first contact" [1]', PASSAGES)
    assert bad == ["the call is a first contact"]


def test_a_quote_must_be_in_a_passage_cited_on_its_line():
    assert unverified_quotes('The source called it "unpleasant" [1]', PASSAGES) == ["unpleasant"]
    assert unverified_quotes('The source called it "unpleasant"', PASSAGES) == ["unpleasant"]
    assert unverified_quotes('The source called it "unpleasant" [7]', PASSAGES) == ["unpleasant"]


def test_an_ellipsis_marks_an_omission():
    assert unverified_quotes('Peskov: "This is the first … let\'s be patient." [1]', PASSAGES) == []
    assert unverified_quotes('Peskov: "This is the first … let\'s hurry." [1]', PASSAGES) == ["let's hurry."]


def test_lines_without_quotes_are_not_checked():
    assert unverified_quotes("Peskov spoke to reporters.", PASSAGES) == []


def test_drop_unverified_lines_keeps_the_good_ones():
    answer = 'Peskov:\n- "This is the first telephone contact." [1]\n- "We will hurry." [1]'
    kept, dropped = drop_unverified_lines(answer, PASSAGES)
    assert kept == 'Peskov:\n- "This is the first telephone contact." [1]'
    assert dropped == ['- "We will hurry." [1]']
