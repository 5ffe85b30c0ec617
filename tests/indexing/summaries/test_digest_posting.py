"""Digests a moderator would post, on small made-up threads: the first line says what the thread is
(the author's TL;DR, a link post's link), no greetings or thanks, the most upvoted and most replied
comments shown and cited, labels that read as phrases, quotes that are whole, real replies only."""

from __future__ import annotations

import re

from indexing.records import Comment, Thread
from indexing.summaries import make_digest, summarize
from indexing.summaries.labels import class_tfidf_labels
from indexing.summaries.narration import clause_cut
from indexing.text.comment_text import author_lead, is_boilerplate
from indexing.text.counts import noun

OUTAGE = Thread(
    title="Our storage outage on Tuesday",
    url="https://forum.example.org/t/77",
    paragraphs=(
        "Hey folks,",
        "On Tuesday the main storage volume filled up and uploads failed for ninety minutes. "
        "We moved old backups to a cheaper tier to free space.",
        "TL;DR: the storage volume filled up, uploads failed for ninety minutes, and alerts now fire at 75%.",
        "Edit: thanks for the gold, kind stranger!",
        "Thanks for reading!",
    ),
    comments=(
        Comment(id="a", author="rowan", score=14,
                text="Hi all. Storage alerts should fire long before the volume fills up. Who owns the alert rules?"),
        Comment(id="b", author="tess", parent="a", score=52,
                text="The alert rules are owned by the platform team, and they missed this storage volume."),
        Comment(id="c", author="ugo", parent="a", score=3,
                text="Alert rules only help when someone reads the pager at night."),
        Comment(id="d", author="vera", score=6,
                text="Ninety minutes of failed uploads is long for a photo forum like this one."),
        Comment(id="e", author="wim", parent="a", score=1,
                text="Moving old backups to a cheaper tier was a sensible fix for the storage volume."),
    ),
)

LINK_POST = Thread(
    title="City study on protected bike lanes",
    url="https://news.example.net/item/31",
    source="https://www.citypaper.example.com/2026/protected-bike-lanes",
    comments=(
        Comment(id="a", author="lia", score=9,
                text="Protected bike lanes here cut downtown car traffic within a year."),
        Comment(id="b", author="max", parent="a", score=2,
                text="Downtown car traffic moved to side streets, it did not vanish."),
    ),
)


def body_lines(text: str) -> list[str]:
    """The digest's lines after the title and link, up to its sources."""
    return [ln for ln in text.split("\n")[2:] if ln.strip()]


def test_greetings_thanks_and_sign_offs_are_boilerplate_and_tldr_is_a_lead():
    for line in ("Hey folks,", "Hello Reddit,", "Hi all", "Thanks for reading!", "Cheers,",
                 "Edit: thanks for the gold!", "EDIT: wow, thank you all"):
        assert is_boilerplate(line), line
    for line in ("Hi all, I rebuilt the router firmware from source.", "Thanks to the new cache, pages load in 1 s."):
        assert not is_boilerplate(line), line
    assert author_lead("TL;DR: the disk filled up, writes failed.") == ("TL;DR", "the disk filled up, writes failed.")
    assert author_lead("Update 2: the fix is live in every region.") == ("Update", "the fix is live in every region.")
    assert author_lead("Edit: thanks for the gold!") is None
    assert author_lead("EDIT: hi, wow, I did not expect this many replies to my post.") is None
    assert author_lead("Edit: I can't answer everyone, but thank you all for the stories.") is None
    assert author_lead("Editing this post was hard.") is None


async def test_a_post_with_a_greeting_and_a_tldr_leads_with_the_tldr(library):
    result = await library.index_thread(OUTAGE)
    digest = await make_digest(library, result.thread_id)
    first = body_lines(digest.text)[0]
    assert first.startswith("The author's TL;DR: the storage volume filled up, uploads failed for ninety minutes")
    assert "Hey folks" not in digest.text and "Thanks for reading" not in digest.text
    assert "gold" not in digest.text  # the author's thanks is no lead and no summary sentence
    article = (await summarize(library, result.thread_id)).article
    assert article is not None and article.citations[0].text.startswith("the storage volume filled up")
    assert "Hi all" not in digest.text.split("\n\nSources")[0].split("What readers say")[1]  # quotes skip greetings


async def test_the_most_upvoted_and_most_replied_comments_are_shown_and_cited(library):
    result = await library.index_thread(OUTAGE)
    digest = await make_digest(library, result.thread_id)
    refs = {c.ref: c for c in digest.citations}
    upvoted = next(ln for ln in digest.text.split("\n") if ln.startswith("• Most upvoted (52 points)"))
    assert '"The alert rules are owned by the platform team, and they missed this storage volume." (tess)' in upvoted
    ref = re.search(r"\[\d+\]$", upvoted).group(0)
    assert refs[ref].author == "tess"
    replied = next(ln for ln in digest.text.split("\n") if ln.startswith("• Most replied to (3 replies)"))
    assert "rowan" in replied and re.search(r"\[\d+\]$", replied)
    assert refs[re.search(r"\[\d+\]$", replied).group(0)].author == "rowan"
    for c in digest.citations:  # every marker in the text has its source, and back
        assert c.ref in digest.text
    assert len(re.findall(r"\[\d+\]", digest.text)) >= len(digest.citations)


async def test_a_link_post_says_what_it_links_to(library):
    result = await library.index_thread(LINK_POST)
    digest = await make_digest(library, result.thread_id)
    first = body_lines(digest.text)[0]
    assert first == "Link post: https://www.citypaper.example.com/2026/protected-bike-lanes (citypaper.example.com)"
    # When the link is the thread's own link line (a Hacker News story), the site is named once.
    story = Thread(title=LINK_POST.title, url=LINK_POST.source, source="Hacker News", comments=LINK_POST.comments,
                   format="hn-algolia")
    result = await library.index_thread(story)
    digest = await make_digest(library, result.thread_id)
    assert digest.text.split("\n")[1] == LINK_POST.source
    assert body_lines(digest.text)[0] == "A link post to citypaper.example.com, with no text of its own."


async def test_a_linked_article_summary_names_its_site(library):
    thread = Thread(title=LINK_POST.title, url=LINK_POST.url, source=LINK_POST.source, comments=LINK_POST.comments,
                    paragraphs=("The city measured traffic on twelve streets before and after the lanes opened.",
                                "Car trips downtown fell by a fifth, while side streets saw slightly more cars."))
    result = await library.index_thread(thread)
    digest = await make_digest(library, result.thread_id)
    assert body_lines(digest.text)[0].startswith("From the linked article on citypaper.example.com: The city")


def test_theme_labels_read_as_phrases_without_filler():
    groups = [["We use the safe zones plan, using safe zones near the border.",
               "Safe zones near the border would protect families, they've said.",
               "I think safe zones are the only option, going forward."],
              ["Food stamps help families buy groceries every month.",
               "Cutting food stamps hurts families who buy groceries.",
               "Food stamps are cheaper than emergency care."]]
    labels = class_tfidf_labels(groups)
    assert labels[0][0] == "safe zones" and labels[1][0] == "food stamps"
    for terms in labels:
        assert len(terms) <= 2
        for term in terms:
            assert not set(term.split()) & {"use", "using", "they've", "going", "think"}


def test_a_long_clause_is_cut_only_at_a_clause_boundary():
    sentence = ("The council approved the plan on Monday, after a long debate about costs that ran late into the "
                "night and left several members unhappy with the outcome")
    cut = clause_cut(sentence, 12)
    assert cut == "The council approved the plan on Monday…"
    no_boundary = "Seven members voted for the plan and six members voted against the plan in the end"
    assert clause_cut(no_boundary, 8) == no_boundary  # whole rather than cut mid-clause


async def test_quotes_are_whole_sentences_or_end_in_an_ellipsis(library):
    long = ("Storage alerts should fire long before the volume fills up. " * 3
            + "This last sentence makes the comment far too long to quote in one digest line.")
    lines_comment = ("Three things went wrong\n" + "the alert rules missed the storage volume and " * 6
                     + "nobody read the pager")
    thread = Thread(title="Storage outage", paragraphs=("The storage volume filled up on Tuesday night.",),
                    comments=(Comment(id="a", author="x", text=long),
                              Comment(id="b", author="y", text=lines_comment),
                              Comment(id="c", author="z", text="The storage volume alert rules were wrong.")))
    result = await library.index_thread(thread)
    digest = await make_digest(library, result.thread_id)
    quotes = re.findall(r': ["“](.*)["”] \([^()]*\) \[\d+\]$', digest.text, re.M)
    assert quotes
    whole = {" ".join(c.text.split()) for c in thread.comments}
    for quote in quotes:  # a whole comment, whole sentences, or sentences and then an ellipsis
        assert quote in whole or quote.endswith((".", "?", "!", "…")), quote
    assert any(q.startswith("Three things went wrong") and q.endswith("…") for q in quotes)


async def test_replies_only_for_comments_answering_the_previous_voice(library):
    result = await library.index_thread(OUTAGE)
    text = (await summarize(library, result.thread_id)).discussion.text
    assert "tess replies that" in text  # tess answers rowan, the voice before her
    assert "ugo replies" not in text and "vera replies" not in text  # ugo follows tess; vera replies to no one


def test_plural_forms():
    assert noun(1, "comment") == "1 comment" and noun(2, "comment") == "2 comments"
    assert noun(1, "reply") == "1 reply" and noun(3, "reply") == "3 replies"
    assert noun(1.0, "point") == "1 point" and noun(40, "point") == "40 points"


def test_quotes_leave_off_thanks_and_signature_links():
    from indexing.summaries.digest_parts import quote_of
    from indexing.summaries.parts import ThreadParts

    texts = ("Thank you so much Dana! xoxo",
             "Hi Dana, the calendar app saves me an hour a week. http://www.example-blog.test",
             "Thanks love!")
    parts = ThreadParts("t", Thread(title="Apps", comments=tuple(
        Comment(id=str(n), author="a", text=t) for n, t in enumerate(texts))), None, {}, {})
    assert quote_of(texts[0], parts, 220) is None
    assert quote_of(texts[2], parts, 220) is None
    assert quote_of(texts[1], parts, 220) == '"the calendar app saves me an hour a week."'


def test_article_sentences_leave_out_greetings_thanks_notes_and_the_title():
    from indexing.summaries.article import article_sentences

    paragraphs = ("Hello Reddit, I found an old ledger in the attic of our new house.",
                  "Our storage outage on Tuesday",
                  "It lists every sale the shop made in 1911. edit: thank you all for the kind words, wow.")
    texts = [s.text for s in article_sentences(paragraphs, "Our storage outage on Tuesday")]
    assert texts == ["I found an old ledger in the attic of our new house.",
                     "It lists every sale the shop made in 1911."]


async def test_a_digest_never_quotes_a_profanity_on_its_own(library):
    """The most upvoted comment swears: the digest names it with no quote; its other quotes are clean."""
    comments = tuple(Comment(id=c.id, author=c.author, parent=c.parent, score=c.score, text=c.text)
                     for c in OUTAGE.comments)
    swearing = Comment(id="f", author="yann", score=99,
                       text="This storage volume outage was shit, the alert rules are a fucking joke.")
    thread = Thread(title=OUTAGE.title, url=OUTAGE.url, paragraphs=OUTAGE.paragraphs, comments=(*comments, swearing))
    result = await library.index_thread(thread)
    digest = await make_digest(library, result.thread_id)
    assert "shit" not in digest.text and "fucking" not in digest.text
    assert all("yann" != c.author for c in digest.citations)


async def test_a_theme_of_one_word_reactions_is_called_so(library):
    reactions = tuple(Comment(id=f"r{i}", author=f"fan{i}", text=word)
                      for i, word in enumerate(["Nice", "Nice!", "nice", "Nice.", "lol nice", "Nice one", "Nice"]))
    thread = Thread(title=OUTAGE.title, url=OUTAGE.url, paragraphs=OUTAGE.paragraphs,
                    comments=(*OUTAGE.comments, *reactions))
    result = await library.index_thread(thread)
    summary = await summarize(library, result.thread_id)
    assert summary.discussion is not None
    labels = [t.label for t in summary.discussion.themes]
    assert any(label.startswith("short reactions") for label in labels), labels
    assert "nice" not in labels


async def test_a_delta_digest_counts_the_site_and_the_server_apart(library):
    from dataclasses import replace

    from indexing.records import SERVER_SOURCE
    from indexing.summaries import mark_digest_posted

    result = await library.index_thread(OUTAGE)
    first = await make_digest(library, result.thread_id)
    await mark_digest_posted(library, first.digest_id, channel_id=1, message_id=2)
    site = Comment(id="s1", author="zoe", text="The volume filling up again next month would not surprise me at all.")
    here = (Comment(id="d1", author="Mod Ann", source=SERVER_SOURCE,
                    text="We moved our own backups to a cheaper tier too."),
            Comment(id="d2", author="Bo", source=SERVER_SOURCE,
                    text="Ninety minutes without uploads is a long outage."))
    await library.index_thread(replace(OUTAGE, comments=(*OUTAGE.comments, site, *here)))
    delta = await make_digest(library, result.thread_id)
    assert delta.is_delta
    assert "3 new comments (1 on the site, 2 here) since the last digest" in delta.text
