"""Fitting output into Discord's limits: pages, embeds, citations kept whole."""

from __future__ import annotations

import re

import pytest

from bot.ratelimit import RateLimited, RateLimiter
from bot.render import (
    CONTINUED_BELOW,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    MESSAGE_LIMIT,
    CitationLine,
    citation_block,
    embed_pages,
    paginate,
    split_message,
)


def test_short_text_is_one_message_without_markers():
    assert split_message("Hello.\n\nWorld.") == ["Hello.\n\nWorld."]


def test_split_on_paragraph_boundaries_with_markers():
    paragraphs = [f"Paragraph {i}: " + "word " * 60 for i in range(40)]
    pages = split_message("\n\n".join(paragraphs))
    assert len(pages) > 1
    assert all(len(p) <= MESSAGE_LIMIT for p in pages)
    assert pages[0].endswith(CONTINUED_BELOW) and not pages[-1].endswith(CONTINUED_BELOW)
    assert pages[1].startswith(f"*(…continued, part 2/{len(pages)})*")
    # Every paragraph survives whole, on one page.
    for para in paragraphs:
        assert sum(para.strip() in p for p in pages) == 1


def test_long_paragraph_cut_between_sentences_never_inside_a_citation():
    text = " ".join(f"Sentence number {i} says something [{i}]." for i in range(400))
    pages = split_message(text)
    assert all(len(p) <= MESSAGE_LIMIT for p in pages)
    body = " ".join(re.sub(r"\*\(…?continued.*?\)\*", "", p) for p in pages)
    assert sorted(int(n) for n in re.findall(r"\[(\d+)\]", body)) == list(range(400))
    for page in pages:
        core = page.replace(CONTINUED_BELOW, "").strip()
        core = re.sub(r"^\*\(…continued, part \d+/\d+\)\*\n", "", core)
        assert core.endswith("].") and core.startswith("Sentence")


def test_giant_token_is_cut_hard_but_within_limit():
    pages = split_message("x" * 5000)
    assert all(len(p) <= MESSAGE_LIMIT for p in pages)
    assert sum(p.count("x") for p in pages) == 5000


def test_citation_lines_are_atomic():
    citations = [
        citation_block(CitationLine(f"[{i}]", "A thread", f"comment by user{i}", "text " * 40)) for i in range(60)
    ]
    pages = paginate(citations, EMBED_DESCRIPTION_LIMIT)
    for block in citations:
        assert sum(block in p for p in pages) == 1


def test_embeds_within_limits():
    blocks = ["An answer paragraph. " * 30] * 30
    embeds = embed_pages("Q: " + "long title " * 40, blocks, footer="footer " * 100)
    assert len(embeds) > 1
    for e in embeds:
        assert len(e.description) <= EMBED_DESCRIPTION_LIMIT
        assert len(e) <= EMBED_TOTAL_LIMIT
        assert len(e.title) <= 256


def test_rate_limiter_window():
    now = [0.0]
    limiter = RateLimiter(2, 60, clock=lambda: now[0])
    limiter.hit(1)
    limiter.hit(1)
    limiter.hit(2)  # another user has their own budget
    with pytest.raises(RateLimited) as info:
        limiter.hit(1)
    assert 0 < info.value.retry_after <= 60
    now[0] = 61.0
    limiter.hit(1)
