"""Thread text is written by strangers: in what the bot renders (citations, answers, digests,
summaries) it never becomes a masked link, a mention, a heading or a terminal escape sequence.

The oracle reads text as Discord does: a backslash escapes the next character; what is left must
hold no `[..](..)` link except the bot's own digest links, no @everyone/@here/<@id>/<@&id>/<#id>,
and no control character."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.digests import render_digest
from bot.render import CitationLine, answer_embeds, citation_block, escape, escape_cited
from indexing.records import ThreadInfo
from indexing.summaries.digest import Digest

JUMP = "https://discord.com/channels/1/2/3"
EVIL = "Council news](https://evil.example/login) [click"


def unescaped(text: str) -> str:
    """The text with every backslash-escaped character replaced by a neutral one."""
    return re.sub(r"\\.", "\u2400", text, flags=re.DOTALL)


def problems(text: str, *, markdown: bool = True) -> list[str]:
    found = [f"control U+{ord(c):04X}" for c in text
             if (unicodedata.category(c) == "Cc" and c not in "\n\t") or "\u202a" <= c <= "\u202e"]
    if not markdown:
        return found
    bare = unescaped(text)
    for target in re.findall(r"\]\(([^)]*)\)?", bare):
        if target != JUMP:
            found.append(f"link to {target!r}")
    found += [f"mention {m}" for m in re.findall(r"@everyone|@here|<@[!&]?\d+>|<#\d+>|<@|<#|<t:", bare)]
    found += [f"line starts {m!r}" for m in re.findall(r"^\s*(?:#|>|-#|```)", bare, flags=re.M)
              if not m.strip().startswith(">")]
    return found


def embed_problems(embeds) -> list[str]:
    found = []
    for e in embeds:
        found += problems(e.title or "") + problems(e.description or "")
        found += problems(e.footer.text or "", markdown=False) if e.footer else []
    return found


# Text made of the characters that matter, among ordinary words.
PIECES = [*"[]()<>@#&!*_~|`\\-+.:\n \x1b\x07\x00\u202e", "everyone", "here", "https://evil.example/x",
          "123456789012345678", "word", "](", "<@", "<#", "<t:", "```", "\x1b]8;;", "1. ", "- ", "-# "]
hostile = st.lists(st.sampled_from(PIECES), max_size=30).map("".join) | st.text(max_size=40)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(title=hostile, where=hostile, text=hostile, link=st.sampled_from([None, JUMP]))
def test_a_citation_renders_no_link_mention_or_control(title, where, text, link):
    block = citation_block(CitationLine("[1]", title, where, text, link))
    assert problems(block) == [], block


@FUZZ
@given(question=hostile, answer=hostile, title=hostile, text=hostile, author=hostile)
def test_an_answer_renders_no_link_mention_or_control(question, answer, title, text, author):
    lines = [CitationLine("[1]", title, f"comment by {author}", text, JUMP)]
    embeds = answer_embeds(question, f"{author}:\n- {answer} [1]", True, lines, footer=f"answer · in {title}")
    assert embed_problems(embeds) == []


@FUZZ
@given(title=hostile, text=hostile, author=hostile)
def test_a_digest_renders_no_link_mention_or_control(title, text, author):
    info = ThreadInfo("t1", "1", title, None, None, f"{title}.json", None, 1, 1, 2, "h", "now", "now")
    body = f"{title}\n{title}.json\n\n{text} [1]\n\n• {author}: “{text}” ({author}) [1]"
    digest = Digest(1, "t1", "1", title, body, False, 1, 1, 1, False, "now")
    embeds = render_digest(info, digest, [CitationLine("[1]", title, f"comment by {author}", text, JUMP)])
    assert embed_problems(embeds) == []


def test_the_reported_title_is_no_link_and_reads_as_written():
    block = citation_block(CitationLine("[1]", EVIL, "paragraph 1", "Text.", JUMP))
    assert problems(block) == []
    assert unescaped(block).count("](") == 1  # only the bot's own link to its digest
    assert re.sub(r"\\(.)", r"\1", escape(EVIL)) == EVIL  # Discord drops the backslashes


def test_comment_links_and_mentions_reach_the_embed_inert():
    text = "see [the docs](https://evil.example) @everyone <@&42> <#7> \x1b[31mred\x1b[0m # not a heading"
    embeds = answer_embeds("q", f"- {text} [1]", True, [CitationLine("[1]", "T", "comment by x", text)], "f")
    assert embed_problems(embeds) == []
    description = embeds[0].description or ""
    assert "- " in description and "[1]" in description  # the library's own bullets and markers stay
    assert "\x1b" not in description and "red" in description


def test_escape_cited_keeps_markers_and_bullets_only():
    assert escape_cited("- He said *this* [2]\n• theme [3]") == "- He said \\*this\\* [2]\n• theme [3]"
    assert escape_cited("[1](https://evil.example)") == "[1]\\(https://evil.example\\)"


def test_a_mention_inside_a_bare_url_is_inert():
    # Found by the fuzz pass above: an author "https://evil.example/x@everyone" kept its @everyone.
    assert not problems(escape("https://evil.example/x@everyone and https://evil.example/@here"))
