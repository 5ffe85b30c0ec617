"""Page-scrape text (`.txt` with a comment section), including every point of the seed's golden parse."""

from __future__ import annotations

import json

import pytest

from indexing.errors import ParseError
from indexing.sources import parse_bytes, parse_file
from indexing.sources.scrape_text import author_of, has_comment_section, parse_scrape_text
from tests.helpers import SEED, SEED_GOLDEN


@pytest.fixture(scope="module")
def golden() -> dict:
    if not SEED_GOLDEN.is_file():
        pytest.skip(f"{SEED_GOLDEN} is absent")
    return json.loads(SEED_GOLDEN.read_text(encoding="utf-8"))["parse"]


@pytest.fixture(scope="module")
def seed():
    [thread] = parse_file(SEED)
    return thread


def test_seed_title_is_exact(seed, golden):
    assert seed.title == golden["title"]


def test_seed_article_paragraph_count(seed, golden):
    assert len(seed.paragraphs) == golden["article_paragraphs"]


def test_seed_comment_authors(seed, golden):
    authors = {c.author for c in seed.comments}
    missing = [a for a in golden["comment_authors_include"] if a not in authors]
    assert not missing, f"authors not found: {missing}; parsed {sorted(a for a in authors if a)}"


def test_seed_article_excludes_comment_text(seed, golden):
    article = "\n".join(seed.paragraphs)
    for fragment in golden["article_must_not_contain"]:
        assert fragment not in article


def test_seed_no_picture_line_in_any_text(seed):
    for text in [seed.title, *seed.paragraphs, *(c.text for c in seed.comments)]:
        assert "'s picture" not in text and "’s picture" not in text


def test_seed_comments_have_unique_ids_and_no_empty_text(seed):
    assert len({c.id for c in seed.comments}) == len(seed.comments)
    assert all(c.text.strip() for c in seed.comments)
    assert seed.source_file == SEED.name


def test_author_line_recognised():
    assert author_of("Miss Expectations's picture") == "Miss Expectations"
    assert author_of("  the phantom’s picture  ") == "the phantom"
    assert author_of("This is a picture of a cat") is None
    assert author_of("'s picture") is None


SYNTHETIC = """Bridge vote passes

The council approved the bridge.

Work starts in spring.
It will take three years.
Alice's picture
Great news.

Second paragraph of Alice.
Bob's picture
I disagree.


An anonymous trailing comment.
"""


def test_comment_section_starts_at_picture_line():
    thread = parse_scrape_text(SYNTHETIC, "bridge.txt")
    assert thread.title == "Bridge vote passes"
    assert thread.paragraphs == ("The council approved the bridge.",
                                 "Work starts in spring.\nIt will take three years.")
    assert [(c.author, c.text) for c in thread.comments] == [
        ("Alice", "Great news.\n\nSecond paragraph of Alice."),
        ("Bob", "I disagree."),
        (None, "An anonymous trailing comment."),
    ]


def test_comment_section_starts_at_double_blank_line_without_authors():
    text = ("Title here\n\nArticle one.\n\nArticle two.\n\n\n"
            "First comment.\n\n\nSecond comment.\nstill second.\n")
    assert has_comment_section(text)
    thread = parse_scrape_text(text, "t.txt")
    assert thread.paragraphs == ("Article one.", "Article two.")
    assert [c.text for c in thread.comments] == ["First comment.", "Second comment.\nstill second."]
    assert all(c.author is None for c in thread.comments)


def test_trailing_blank_lines_do_not_start_a_comment_section():
    text = "Title\n\nOnly paragraph.\n\n\n\n"
    assert not has_comment_section(text)
    [thread] = parse_bytes(text.encode(), "plain.txt")
    assert thread.comments == ()
    assert thread.paragraphs == ("Only paragraph.",)


def test_title_only_scrape_with_comments():
    [thread] = parse_bytes(b"Just a title\nCarl's picture\nfirst!\n", "x.txt")
    assert thread.title == "Just a title"
    assert thread.paragraphs == ()
    assert [(c.author, c.text) for c in thread.comments] == [("Carl", "first!")]


def test_author_line_without_text_makes_no_empty_comment():
    [thread] = parse_bytes(b"Title\n\nBody.\nAnn's picture\nBen's picture\nhello\n", "x.txt")
    assert [(c.author, c.text) for c in thread.comments] == [("Ben", "hello")]


def test_whitespace_only_raises():
    with pytest.raises(ParseError, match="x.txt"):
        parse_scrape_text("\n \n\t\n", "x.txt")
