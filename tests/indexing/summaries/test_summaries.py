"""Summaries and digests on a real SQLite file with the fake embedder: themes of a synthetic thread
with known topics, off-topic comments, article-only and comments-only threads, the cache, digests."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

import pytest

from indexing.records import Comment, Thread
from indexing.summaries import summarize
from indexing.summaries.digest import _themes_block, make_digest, mark_digest_posted
from indexing.summaries.overview import render_clause
from indexing.summaries.parts import ThreadParts
from indexing.summaries.records import Representative, Theme
from tests.helpers import table_rows

ARTICLE = (
    "The city council approved a new budget for public transport on Monday. The plan adds buses and trams.",
    "Critics said the budget ignores road repairs. The mayor said road repairs will follow next year.",
    "The vote was close, with seven members for and six against.",
)
TOPICS = {
    "buses": ["more buses and trams will finally help commuters get to work",
              "buses and trams every ten minutes would help commuters",
              "commuters need buses and trams late at night too",
              "trams are faster than buses for commuters downtown",
              "the new buses help commuters in the suburbs",
              "commuters will love buses that run on time"],
    "roads": ["road repairs matter more, the potholes ruin cars",
              "potholes on every road, repairs should come first",
              "my car hit a pothole, road repairs now please",
              "road repairs were promised for years and potholes remain",
              "fix the potholes before any road gets more traffic",
              "pothole repairs on the ring road are overdue"],
    "vote": ["seven to six is a close vote for the council members",
             "the council members who voted against should explain the close vote",
             "a close vote shows the council members are split",
             "council members split seven to six in the vote",
             "the vote of the council members was too close to call",
             "six council members voted against it, a close vote"],
}
# No word in common with the article or the topics (the fake embedder hashes every word, "the" too).
OFF_TOPIC = ["anyone watching football tonight lol",
             "grandmother knits purple socks",
             "quantum chess engines dream electric sheep"]


def transit_thread(extra_comments: int = 0, with_article: bool = True) -> Thread:
    texts = [t for topic in TOPICS.values() for t in topic]
    order = [texts[i::6] for i in range(6)]  # interleave topics the way a real thread mixes them
    flat = [t for row in order for t in row] + OFF_TOPIC
    comments = [Comment(id=f"c{i}", author=f"user{i % 7}", text=text) for i, text in enumerate(flat)]
    late = "late thought {}: buses and trams help commuters"
    comments += [Comment(id=f"n{i}", author="latecomer", text=late.format(i)) for i in range(extra_comments)]
    return Thread(title="Council approves transport budget", paragraphs=ARTICLE if with_article else (),
                  comments=tuple(comments), url="https://example.org/transport")


async def test_themes_recover_the_planted_topics_and_set_off_topic_comments_aside(library):
    result = await library.index_thread(transit_thread())
    summary = await summarize(library, result.thread_id)
    d = summary.discussion
    assert d.comment_count == 21 and d.author_count == 7
    assert len(d.themes) == 3
    by_text = {t: name for name, texts in TOPICS.items() for t in texts}
    for theme in d.themes:
        assert theme.comment_count == 6
        topics = {by_text.get(r.text) for r in theme.representative}
        assert len(topics) == 1 and None not in topics  # representatives come from one planted topic
    labels = " | ".join(t.label for t in d.themes)
    assert "commuters" in labels or "buses" in labels
    assert "potholes" in labels or "repairs" in labels or "road" in labels
    assert "council" in labels or "vote" in labels
    assert d.off_topic_count == 3
    assert "21 comments from 7 authors" in d.text
    assert "3 comments were off-topic" in d.text


async def test_overview_clauses_are_cited_to_the_comments_they_quote(library):
    result = await library.index_thread(transit_thread())
    d = (await summarize(library, result.thread_id)).discussion
    passages = await library.passages_by_id([c.passage_id for c in d.citations])
    assert d.citations
    for n, c in enumerate(d.citations, start=1):
        assert c.ref == f"[{n}]" and c.ref in d.text
        assert c.kind == "comment" and c.thread_id == result.thread_id
        assert c.text in passages[c.passage_id].text  # verbatim
        assert f"{c.author} " in d.text


async def test_article_summary_is_verbatim_in_order_and_cited_to_paragraphs(library):
    result = await library.index_thread(transit_thread())
    for length, (low, high) in {"short": (1, 2), "medium": (3, 5), "long": (3, 10)}.items():
        article = (await summarize(library, result.thread_id, length=length)).article
        assert low <= len(article.citations) <= high
        passages = await library.passages_by_id([c.passage_id for c in article.citations])
        positions = []
        for c in article.citations:
            p = passages[c.passage_id]
            assert p.kind == "paragraph" and c.text in p.text and c.text in article.text
            positions.append((p.position, p.text.index(c.text)))
        assert positions == sorted(positions)  # article order


async def test_article_only_thread_has_no_discussion(library):
    thread = replace(transit_thread(), comments=())
    result = await library.index_thread(thread)
    summary = await summarize(library, result.thread_id)
    assert summary.article is not None and summary.discussion is None
    digest = await make_digest(library, result.thread_id)
    assert "No comments yet." in digest.text and not digest.is_delta


async def test_comments_only_thread_has_no_article(library):
    result = await library.index_thread(transit_thread(with_article=False))
    summary = await summarize(library, result.thread_id)
    assert summary.article is None
    assert summary.discussion.comment_count == 21 and summary.discussion.themes


async def test_small_discussion_is_narrated_turn_by_turn(library):
    comments = (Comment("m0", "Kay, Michael", "The function should move into the appendix as an example."),
                Comment("m1", "David Carlisle", "I agree that the appendix is the right place for it.", "m0"),
                Comment("m2", "Kay, Michael", "Then the editors will draft the appendix text this week."))
    result = await library.index_thread(Thread(title="deep-equal in the appendix", comments=comments))
    d = (await summarize(library, result.thread_id)).discussion
    assert d.text.startswith("Michael Kay says that")  # "Last, First" shown as a name
    assert "David Carlisle agrees that they agree" in d.text  # reported speech, not "I"
    assert d.text.count("[") == 3 and d.comment_count == 3 and d.author_count == 2


def _db_rows(db_path, sql: str, args=()) -> list[tuple]:
    with sqlite3.connect(db_path) as db:
        return db.execute(sql, args).fetchall()


async def test_summaries_are_cached_per_version_and_invalidated_on_change(library, db_path):
    result = await library.index_thread(transit_thread())
    first = await summarize(library, result.thread_id)
    rows = _db_rows(db_path, "SELECT content_hash, body_json FROM summary_cache WHERE thread_id = ?",
                    (result.thread_id,))
    assert len(rows) == 1 and json.loads(rows[0][1]) == first.to_json()

    # The cache is what is served: mark the stored copy and read it back.
    marked = first.to_json()
    marked["discussion"]["text"] = "served from the cache"
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE summary_cache SET body_json = ?", (json.dumps(marked),))
    assert (await summarize(library, result.thread_id)).discussion.text == "served from the cache"

    # A new comment changes the thread's content hash: the old summary is not served and is dropped.
    changed = await library.index_thread(transit_thread(extra_comments=1))
    assert changed.status == "updated"
    fresh = await summarize(library, result.thread_id)
    assert fresh.discussion.comment_count == 22 and fresh.discussion.text != "served from the cache"
    hashes = {h for h, _ in _db_rows(db_path, "SELECT content_hash, body_json FROM summary_cache")}
    assert hashes == {(await library.thread_info(result.thread_id)).content_hash}


async def test_digest_then_delta_with_only_new_comments_and_nothing_posted_twice(any_library, store_location):
    library = any_library  # on both backends: digests are rows every shard process shares on PostgreSQL
    result = await library.index_thread(transit_thread())
    first = await make_digest(library, result.thread_id)
    assert not first.is_delta and first.new_comment_count == 21 and not first.already_posted
    assert first.text.startswith("Council approves transport budget\nhttps://example.org/transport")
    assert "What readers say (21 comments, 7 authors, 3 off-topic):" in first.text
    assert first.text.count("• ") == 3
    assert first.article and first.article in first.text and len(first.themes) == 3
    # Made again before posting: the same digest, not a second one.
    assert (await make_digest(library, result.thread_id)).digest_id == first.digest_id

    posted = await mark_digest_posted(library, first.digest_id, channel_id=42, message_id=7,
                                      message_url="https://discord.com/channels/1/42/7")
    assert posted.posted_at and posted.message_url.endswith("/42/7")
    again = await make_digest(library, result.thread_id)
    assert again.already_posted and again.digest_id == first.digest_id

    await library.index_thread(transit_thread(extra_comments=4))
    delta = await make_digest(library, result.thread_id)
    assert delta.is_delta and delta.new_comment_count == 4 and not delta.already_posted
    assert "4 new comments since the last digest" in delta.text
    assert "What readers say in the new comments (4 comments, 1 author)" in delta.text
    assert "latecomer" in delta.text and "potholes" not in delta.text  # only what is new
    assert delta.previous_digest_at == posted.posted_at
    assert delta.article is None and sum(t.comment_count for t in delta.themes) <= 4
    await mark_digest_posted(library, delta.digest_id, channel_id=42, message_id=8)
    assert (await make_digest(library, result.thread_id)).already_posted

    rows = table_rows(store_location,
                      "SELECT is_delta, new_comment_count, created_at, posted_at FROM digests ORDER BY id")
    assert [(r[0], r[1]) for r in rows] == [(0, 21), (1, 4)] and all(r[2] and r[3] for r in rows)


async def test_digest_of_unknown_thread_is_a_clear_error(library):
    from indexing.errors import NotFoundError

    with pytest.raises(NotFoundError):
        await make_digest(library, "nope")


async def test_single_comment_and_debris_only_discussions(library):
    one = await library.index_thread(Thread(title="Lone voice", comments=(
        Comment("c1", "ann", "The tram line should reach the hospital before the stadium."),)))
    d = (await summarize(library, one.thread_id)).discussion
    assert d.comment_count == 1 and len(d.themes) == 1 and d.off_topic_count == 0
    assert d.text.startswith("ann says that the tram line") and d.citations[0].author == "ann"

    debris = await library.index_thread(Thread(title="Links only", comments=(
        Comment("c1", "bob", "https://example.org/a"), Comment("c2", "cy", "Thanks!"))))
    d = (await summarize(library, debris.thread_id)).discussion
    assert d.text == "2 comments from 2 authors." and d.citations == []


def test_commands_and_interjections_are_quoted_not_reported():
    assert render_clause("Michael Rys", "replies", "Move this function into an appendix.") == (
        'Michael Rys replies: "Move this function into an appendix."')
    assert render_clause("Ann", "says", "Yes, the vote was fair.") == 'Ann says: "Yes, the vote was fair."'
    assert render_clause("Ann", "says", "I think the vote was fair.") == "Ann says that they think the vote was fair."


def test_a_representative_quote_that_opens_with_a_quotation_gets_curly_outer_marks():
    def theme(text):
        rep = Representative(passage_id=1, author="Bumpo", text=text)
        return Theme(label="fake news", comment_count=2, authors=["Bumpo"], representative=[rep])

    texts = ('"Russia Hacked the Elections" - when fake news went too far', "Plain words here.")
    parts = ThreadParts("t", Thread(title="Fake news", comments=tuple(
        Comment(id=f"c{n}", author="Bumpo", text=t) for n, t in enumerate(texts))), None, {}, {})
    [line], _ = _themes_block([theme(texts[0])], 1, parts)
    assert ': “"Russia Hacked the Elections" - when fake news went too far” (Bumpo) [1]' in line
    [line], _ = _themes_block([theme(texts[1])], 1, parts)
    assert ': "Plain words here." (Bumpo) [1]' in line
