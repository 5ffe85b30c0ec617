"""The Mastodon status-context importer: made-up documents in the API's documented shapes (there are
no real captures of it), edge cases, detect exclusivity, and fuzzing that only ParseError escapes."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexing.errors import ParseError
from indexing.sources import discourse, hn_algolia, hn_api, lemmy, mastodon, reddit, youtube
from tests.indexing.sources.importer_checks import FUZZ_DEADLINE, assert_threads_or_parse_error

HOST = "https://social.example"


def status(sid: str, content: str, acct: str = "someone", reply_to: str | None = None, **extra) -> dict:
    """A Status entity as the API returns it (only the fields the importer may read, plus a few)."""
    base = {"id": sid, "uri": f"{HOST}/users/{acct}/statuses/{sid}", "url": f"{HOST}/@{acct}/{sid}",
            "created_at": f"2024-03-0{min(int(sid) % 9 + 1, 9)}T12:00:00.000Z",
            "account": {"id": f"a-{acct}", "username": acct.split("@")[0], "acct": acct,
                        "display_name": acct.title(), "url": f"{HOST}/@{acct}"},
            "content": content, "in_reply_to_id": reply_to, "in_reply_to_account_id": None,
            "spoiler_text": "", "sensitive": False, "visibility": "public", "reblog": None,
            "media_attachments": [], "mentions": [], "tags": [], "emojis": [], "reblogs_count": 0,
            "favourites_count": 2, "replies_count": 0, "language": "en"}
    base.update(extra)
    return base


ROOT = status("100", "<p>The harbour ferry is back in service from Monday. Tickets cost less too.</p>"
                     "<p>More details at the pier office.</p>", acct="harbourwatch")
A = status("101", '<p><span class="h-card"><a href="x" class="u-url mention">@<span>harbourwatch</span></a></span>'
                  " Great news &amp; about time.</p>", acct="reader1@other.example", reply_to="100")
B = status("102", "<p>Agreed!</p><p>Second line<br>with a break</p>", acct="reader2", reply_to="101")
C = status("103", "<p>Is the night service back as well?</p>", acct="reader3", reply_to="100",
           spoiler_text="off topic")


def test_context_with_the_status_the_root_is_the_article_and_replies_link():
    data = {"ancestors": [ROOT], "descendants": [A, B, C]}
    assert mastodon.detect(data)
    [thread] = mastodon.parse(data, "ctx.json")
    assert thread.format == "mastodon" and thread.source_file == "ctx.json"
    assert thread.title == "The harbour ferry is back in service from Monday."
    assert thread.paragraphs == ("The harbour ferry is back in service from Monday. Tickets cost less too.",
                                 "More details at the pier office.")
    assert thread.url == f"{HOST}/@harbourwatch/100"
    assert thread.source == "social.example"
    assert thread.published == ROOT["created_at"]
    assert [(c.id, c.author, c.parent) for c in thread.comments] == [
        ("101", "reader1@other.example", None), ("102", "reader2", "101"), ("103", "reader3", None)]
    assert thread.comments[0].text == "@harbourwatch Great news & about time."
    assert thread.comments[1].text == "Agreed!\n\nSecond line\nwith a break"
    assert thread.comments[2].text == "Content warning: off topic\n\nIs the night service back as well?"
    assert thread.comments[0].posted == A["created_at"] and thread.comments[0].score == 2
    assert thread.skipped == {}


def test_status_and_context_together_and_a_plain_list_give_the_same_thread():
    [saved] = mastodon.parse({"status": ROOT, "context": {"ancestors": [], "descendants": [A, B, C]}}, "s.json")
    [listed] = mastodon.parse([B, ROOT, A, C], "l.json")
    [merged] = mastodon.parse({"status": ROOT, "ancestors": [], "descendants": [A, B, C]}, "m.json")
    assert saved.title == listed.title == merged.title
    assert {(c.id, c.parent) for c in saved.comments} == {(c.id, c.parent) for c in listed.comments}
    assert saved.comments == merged.comments and saved.paragraphs == listed.paragraphs


def test_the_first_ancestor_is_the_root_even_when_it_replies_to_something_missing():
    first = status("90", "<p>Earlier post in a longer chain.</p>", acct="op", reply_to="1")
    [thread] = mastodon.parse({"status": A, "context": {"ancestors": [first, ROOT], "descendants": [B]}}, "c.json")
    assert thread.title == "Earlier post in a longer chain."
    assert [(c.id, c.parent) for c in thread.comments] == [("100", None), ("101", "100"), ("102", "101")]


def test_a_context_without_its_root_keeps_the_replies_under_a_placeholder_title():
    [thread] = mastodon.parse({"ancestors": [], "descendants": [A, B]}, "d.json")
    assert thread.paragraphs == () and thread.title == "Replies to a Mastodon post"
    assert [(c.id, c.parent) for c in thread.comments] == [("101", None), ("102", "101")]


def test_boosts_private_direct_empty_duplicate_and_malformed_statuses_are_skipped_and_counted():
    boost = status("104", "", acct="booster", reblog=copy.deepcopy(A))
    private = status("105", "<p>followers only</p>", acct="quiet", reply_to="100", visibility="private")
    direct = status("106", "<p>a direct message</p>", acct="dm", reply_to="100", visibility="direct")
    empty = status("107", "<p> </p>", acct="blank", reply_to="100")
    under_private = status("108", "<p>Replying to the hidden one.</p>", acct="r5", reply_to="105")
    picture = status("109", "", acct="pics", reply_to="100",
                     media_attachments=[{"type": "image", "description": "a ferry at dawn"}, {"type": "video"}])
    data = {"ancestors": [ROOT], "descendants": [A, boost, private, direct, empty, under_private, picture, A,
                                                 "not a status", {"content": "<p>no id</p>"}]}
    [thread] = mastodon.parse(data, "skips.json")
    assert [(c.id, c.parent) for c in thread.comments] == [("101", None), ("108", None), ("109", None)]
    assert thread.comments[2].text == "[image: a ferry at dawn]\n[video]"
    assert thread.skipped == {"boosts": 1, "followers-only statuses": 1, "direct messages": 1,
                              "empty statuses": 1, "duplicate statuses": 1, "malformed statuses": 2}
    assert "followers only" not in " ".join(c.text for c in thread.comments)


def test_a_private_root_is_left_out_of_the_article_and_the_title():
    secret = status("100", "<p>Only for my followers.</p>", acct="op", visibility="private")
    [thread] = mastodon.parse({"ancestors": [secret], "descendants": [A]}, "p.json")
    assert thread.paragraphs == () and thread.title == "Mastodon post by op"
    assert thread.skipped == {"followers-only statuses": 1}
    assert [c.id for c in thread.comments] == ["101"]


def test_long_first_sentence_titles_are_cut_at_eighty_characters():
    long = status("100", "<p>" + "word " * 40 + "</p>")
    [thread] = mastodon.parse(long, "one.json")
    assert len(thread.title) <= 80 and thread.title.endswith("…") and thread.comments == ()


def test_wrong_typed_fields_are_tolerated_and_reply_cycles_cut():
    odd = status("101", "<p>x\ud800</p>", reply_to="102", account={"acct": 5, "display_name": "Shown Name"},
                 created_at=7, favourites_count="many", url=None, uri=None, spoiler_text=["no"])
    loop = status("102", "<p>y</p>", reply_to="101")
    [thread] = mastodon.parse([ROOT, odd, loop], "w.json")
    first = thread.comments[0]
    assert (first.author, first.posted, first.score) == ("Shown Name", None, None)
    assert first.text == "x\ufffd"
    assert None in {c.parent for c in thread.comments}
    assert thread.url == f"{HOST}/@harbourwatch/100"


@pytest.mark.parametrize("data", [
    None, 3, "text", {}, {"ancestors": []}, {"ancestors": {}, "descendants": []},
    {"status": ROOT, "context": {"ancestors": None}}, {"ancestors": [], "descendants": []},
    {"context": "nope"},
])
def test_malformed_or_empty_documents_raise_parse_error(data):
    with pytest.raises(ParseError):
        mastodon.parse(data, "bad.json")


def test_truncated_statuses_do_not_break_the_thread():
    truncated = [{"id": "100", "content": "<p>Cut off here"}, {"id": "101", "in_reply_to_id": "100"},
                 {"id": "102", "content": "<p>A reply</p>", "in_reply_to_id": "100", "account": None}]
    [thread] = mastodon.parse(truncated, "t.json")
    assert thread.title == "Cut off here" and thread.url is None
    assert [(c.id, c.author, c.parent) for c in thread.comments] == [("102", None, None)]
    assert thread.skipped == {"empty statuses": 1}


OTHER_SHAPES = [
    {"title": "A thread", "paragraphs": ["p"], "comments": [{"text": "hi", "author": "a"}]},
    [{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"title": "x"}}]}},
     {"kind": "Listing", "data": {"children": []}}],
    {"id": 1, "type": "story", "title": "HN", "author": "pg", "created_at": "2020-01-01", "children": []},
    {"by": "a", "id": 1, "kids": [2], "type": "story", "time": 1},
    {"post_stream": {"posts": [{"post_number": 1, "cooked": "<p>x</p>"}]}, "title": "T"},
    {"post_view": {"post": {"id": 1, "name": "A post"}}, "comments": []},
    {"id": "v1", "title": "A video", "extractor": "youtube", "webpage_url": "https://www.youtube.com/watch?v=v1",
     "comments": [{"id": "c1", "text": "hi", "parent": "root"}]},
    [], [1, 2], {"content": "x"},
]


@pytest.mark.parametrize("data", OTHER_SHAPES)
def test_detect_refuses_other_formats(data):
    assert not mastodon.detect(data)


@pytest.mark.parametrize("data", [{"ancestors": [ROOT], "descendants": [A]}, [ROOT, A], ROOT,
                                  {"status": ROOT, "context": {"ancestors": [], "descendants": [A]}}])
def test_other_importers_refuse_mastodon_shapes(data):
    assert mastodon.detect(data)
    for other in (reddit, hn_algolia, hn_api, discourse, lemmy, youtube):
        assert not other.detect(data), other.FORMAT


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
STATUS_KEYS = ["id", "content", "account", "in_reply_to_id", "url", "uri", "created_at", "spoiler_text", "reblog",
               "visibility", "favourites_count", "media_attachments"]
VALUES = st.one_of(JSON, st.sampled_from(["100", "101", "102", "<p>hi</p>", "<img src=x>", "public", "direct"]),
                   st.fixed_dictionaries({}, optional={"acct": JSON, "display_name": JSON, "username": JSON}))
STATUSES = st.lists(st.dictionaries(st.sampled_from(STATUS_KEYS), VALUES, max_size=8) | JSON, max_size=6)
DOCUMENTS = st.one_of(
    JSON, STATUSES,
    st.builds(lambda a, d: {"ancestors": a, "descendants": d}, STATUSES, STATUSES),
    st.builds(lambda s, a, d: {"status": s, "context": {"ancestors": a, "descendants": d}}, VALUES, STATUSES,
              STATUSES | JSON))


@settings(max_examples=400, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_any_json_value_gives_a_thread_or_a_parse_error(data):
    assert_threads_or_parse_error(mastodon, data, "any.json")
