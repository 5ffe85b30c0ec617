"""Markdown and plain article text: title from the first heading or line, then paragraphs."""

from __future__ import annotations

import pytest

from indexing.errors import ParseError
from indexing.sources import parse_bytes
from indexing.sources.markdown import parse_markdown


def test_atx_heading_title_and_paragraphs_with_markup_removed():
    text = ("# The **big** vote\n\nCouncil met on [Tuesday](https://x.y) and\nvoted *yes*.\n\n"
            "## Reactions\n\n- Residents cheered.\n")
    t = parse_markdown(text, "a.md")
    assert t.title == "The big vote"
    assert t.paragraphs == ("Council met on Tuesday and voted yes.", "Reactions", "Residents cheered.")
    assert t.comments == ()


def test_setext_heading_title():
    t = parse_markdown("Budget passes\n=============\n\nIt passed 7-2.\n", "a.md")
    assert t.title == "Budget passes"
    assert t.paragraphs == ("It passed 7-2.",)


def test_first_line_is_title_without_heading():
    t = parse_markdown("\n\nPlain title\nFirst body line.\n\nSecond.\n", "a.md")
    assert t.title == "Plain title"
    assert t.paragraphs == ("First body line.", "Second.")


def test_a_long_first_line_stays_a_paragraph_and_lends_its_first_sentence_as_title():
    opening = ("The council voted on Monday to close the old bridge for repairs. " * 3).strip()
    t = parse_markdown(f"{opening}\n\nSecond paragraph.", "notes.md")
    assert t.title == "The council voted on Monday to close the old bridge for repairs."
    assert t.paragraphs == (opening, "Second paragraph.")
    endless = "word " * 80
    assert parse_markdown(endless, "x.md").title.endswith("…")
    assert len(parse_markdown(endless, "x.md").title) <= 151


def test_code_fence_lines_are_not_headings():
    t = parse_markdown("# Title\n\n```\n# not a heading\n```\n\nText.\n", "a.md")
    assert t.title == "Title"
    assert "not a heading" not in " ".join(t.paragraphs[1:]) or t.paragraphs[0] == "# not a heading"


def test_only_a_heading_is_a_thread_with_no_paragraphs():
    [t] = parse_bytes(b"# Only a heading\n", "h.md")
    assert t.title == "Only a heading" and t.paragraphs == ()


def test_plain_txt_without_comment_section_is_an_article():
    [t] = parse_bytes(b"A title\n\nOne.\n\nTwo.\n", "plain.txt")
    assert t.title == "A title" and t.paragraphs == ("One.", "Two.") and t.comments == ()


def test_markup_only_file_raises():
    with pytest.raises(ParseError, match="a.md"):
        parse_markdown("```\n```\n", "a.md")
