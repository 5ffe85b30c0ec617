"""The checks on an LLM answer: quotations in any convention Unicode has must be verbatim, and a
sentence must share enough content with the passage it cites."""

from __future__ import annotations

import pytest

from indexing.answers.quote_marks import computed_quote_marks, quote_marks, quoted_regions
from indexing.answers.verbatim import checked_reply, supported, unverified_quotes
from indexing.records import Citation

P1 = "Peskov said: This is the first telephone contact since President Trump took office."
PASSAGES = {1: P1}


@pytest.mark.parametrize("quoted", [
    "«{}»", "»{}«", "„{}“", "„{}”", "“{}”", "”{}”", '"{}"', "＂{}＂", "「{}」", "『{}』", "〝{}〟", "﹁{}﹂",
    "｢{}｣", "‹{}›", "《{}》", "⹂{}“", "‚{}‘", "'{}'", "‘{}’", "❝{}❞", "``{}''",
])
def test_every_quotation_convention_is_held_to_the_passage(quoted):
    invented = quoted.format("I resign today")
    assert unverified_quotes(f"Peskov said {invented} [1].", PASSAGES) == ["I resign today"]
    verbatim = quoted.format("the first telephone contact")
    assert unverified_quotes(f"Peskov called it {verbatim} [1].", PASSAGES) == []


def test_the_marks_are_those_unicode_has():
    marks = quote_marks()
    for char in "«»„“”‘’‚‛‟‹›「」『』〝〞〟＂⹂｢｣\"'":
        assert char in marks
    assert not set("()[]{}") & marks


def test_apostrophes_and_primes_quote_nothing():
    assert quoted_regions("Peskov's team didn't comment; the Joneses' car ’s fine") == []
    assert unverified_quotes("Peskov’s team didn’t say 'no' [1].", PASSAGES) == ["no"]
    assert unverified_quotes("It's the President's first call [1].", PASSAGES) == []


def test_an_unclosed_quote_runs_to_the_end():
    assert unverified_quotes("Peskov said «I resign [1].", PASSAGES) == ["I resign ."]


def cite(text: str, author: str | None = None) -> list[Citation]:
    return [Citation("[1]", "t", 1, "comment" if author else "paragraph", author, text, 1.0)]


def test_a_sentence_must_share_content_with_what_it_cites():
    assert supported("Peskov called it the first telephone contact [1].", cite(P1))
    assert supported("According to the article, Trump took office [1].", cite(P1))
    assert supported("Ann thinks buses help [1].", cite("More buses will help commuters.", "ann"))
    assert not supported("The site has been hacked [1].", cite(P1))
    assert not supported("[1]", cite(P1))
    assert not supported("[1] [2].", cite(P1))


def test_checked_reply_drops_markers_only_and_unsupported_sentences_when_asked():
    reply = "[1]\nThe site is hacked [1]. Trump took office [1]."
    assert checked_reply(reply, cite(P1), min_shared=0.5)[0] == "Trump took office [1]."
    # a summary rewrite keeps its own checks, but a bare marker is never a sentence
    assert checked_reply("[1]\n[1]", cite(P1)) == ("", [])


def test_the_written_out_marks_are_what_the_unicode_database_gives():
    assert quote_marks() == computed_quote_marks()
