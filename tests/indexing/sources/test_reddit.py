"""The Reddit comments-page JSON importer: real captures (read in place), made-up edge cases, fuzzing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexing.errors import ParseError
from indexing.sources import reddit
from tests.indexing.sources.dev_formats import FORMATS, assert_matches_expected, capture
from tests.indexing.sources.importer_checks import FUZZ_DEADLINE

CAPTURES = ["reddit-self-postit-note-1cebxh.json", "reddit-pics-giftcard-psa-fjn0j9.json"]




@pytest.mark.parametrize("name", CAPTURES)
def test_dev_capture_matches_expected_counts(name):
    want = capture(name)
    data = json.loads((FORMATS / name).read_text(encoding="utf-8"))
    assert reddit.detect(data)
    [thread] = reddit.parse(data, name)
    comments = thread.comments
    by_id = {c.id: c for c in comments}
    assert thread.format == "reddit" and thread.source_file == name
    assert_matches_expected([thread], want)
    assert len({c.id for c in comments}) == len(comments)
    assert all(c.parent is None or c.parent in by_id for c in comments)
    assert thread.url and thread.url.startswith("https://www.reddit.com/r/")
    assert thread.published and thread.published.startswith("20")
    for sample in want["sample_comments"]:
        found = [c for c in comments if c.author == sample["author"]
                 and " ".join(c.text.split()).startswith(sample["text_starts_with"])]
        assert found, sample
        parent = by_id.get(found[0].parent) if found[0].parent else None
        assert (parent.author if parent else None) == sample["parent_author"]


def test_dev_capture_without_raw_json_is_unescaped():
    capture(CAPTURES[0])
    [thread] = reddit.parse(json.loads((FORMATS / CAPTURES[0]).read_text(encoding="utf-8")), CAPTURES[0])
    assert not any("&gt;" in c.text or "&amp;" in c.text or "&lt;" in c.text for c in thread.comments)
    assert thread.skipped == {"more stubs": 125, "removed comments": 5}


# --- made-up documents -------------------------------------------------------------------------------

def t1(cid: str, body: str, author: str = "someone", parent: str = "t3_abc", replies: object = "", **extra) -> dict:
    data = {"id": cid, "name": f"t1_{cid}", "author": author, "body": body, "parent_id": parent,
            "created_utc": 1600000000.0, "score": 3, "replies": replies, **extra}
    return {"kind": "t1", "data": data}


def listing(*children) -> dict:
    return {"kind": "Listing", "data": {"children": list(children), "after": None, "before": None}}


def page(comments: list, **post) -> list:
    fields = {"id": "abc", "name": "t3_abc", "title": "A kettle that sings", "selftext": "", "is_self": True,
              "author": "op", "score": 10, "created_utc": 1600000000.0, "subreddit": "kettles",
              "permalink": "/r/kettles/comments/abc/a_kettle_that_sings/",
              "url": "https://www.reddit.com/r/kettles/comments/abc/a_kettle_that_sings/"}
    fields.update(post)
    return [listing({"kind": "t3", "data": fields}), listing(*comments)]


def test_self_post_paragraphs_and_metadata():
    doc = page([], selftext="First line of the post.\n\nSecond &amp; last paragraph.\n\n\n")
    [thread] = reddit.parse(doc, "k.json")
    assert thread.paragraphs == ("First line of the post.", "Second & last paragraph.")
    assert thread.comments == ()
    assert thread.url == "https://www.reddit.com/r/kettles/comments/abc/a_kettle_that_sings/"
    assert thread.source == "reddit.com/r/kettles"
    assert thread.published == "2020-09-13T12:26:40+00:00"
    assert thread.skipped == {}


def test_link_post_keeps_target_in_source_and_has_no_paragraphs():
    doc = page([t1("c1", "nice")], is_self=False, url="https://example.org/a?x=1&amp;y=2", domain="example.org")
    [thread] = reddit.parse(doc, "k.json")
    assert thread.paragraphs == ()
    assert thread.source == "https://example.org/a?x=1&y=2"
    assert thread.url.startswith("https://www.reddit.com/r/kettles/")


def test_nesting_parents_more_stubs_and_placeholders():
    deep = t1("c4", "a reply to a removed comment", parent="t1_c3")
    removed = t1("c3", "[removed]", author="[deleted]", parent="t1_c1", replies=listing(deep))
    more = {"kind": "more", "data": {"count": 7, "children": ["x1", "x2"], "parent_id": "t1_c1"}}
    reply = t1("c2", "I agree &gt; quoting you", author="[deleted]", parent="t1_c1")
    top = t1("c1", "Top level words", replies=listing(reply, removed, more))
    gone = t1("c5", "[deleted]", author="[deleted]")
    tail = {"kind": "more", "data": {"count": 40, "children": ["y"], "parent_id": "t3_abc"}}
    [thread] = reddit.parse(page([top, gone, tail]), "k.json")
    assert [(c.id, c.author, c.parent) for c in thread.comments] == [
        ("c1", "someone", None), ("c2", None, "c1"), ("c4", "someone", None)]
    assert thread.comments[1].text == "I agree > quoting you"
    assert thread.skipped == {"more stubs": 2, "removed comments": 2}
    assert thread.comments[0].score == 3 and thread.comments[0].posted == "2020-09-13T12:26:40+00:00"


def test_parent_from_nesting_when_parent_id_is_missing_and_duplicate_ids_renamed():
    child = t1("c2", "child", parent=None)
    doc = page([t1("c1", "root", replies=listing(child)), t1("c1", "same id again")])
    [thread] = reddit.parse(doc, "k.json")
    assert [(c.id, c.parent) for c in thread.comments][:2] == [("c1", None), ("c2", "c1")]
    assert len({c.id for c in thread.comments}) == 3


def test_wrong_typed_fields_are_tolerated_or_skipped():
    odd = t1("c1", "fine text", author=42, score="high", created_utc="not a time")
    doc = page([odd, "not a thing", {"kind": "t1", "data": []}, {"kind": "t5", "data": {}},
                t1("c2", "", author="x"), t1("c3", 7)])
    [thread] = reddit.parse(doc, "k.json")
    assert [(c.id, c.author, c.score, c.posted) for c in thread.comments] == [("c1", None, None, None)]
    assert thread.skipped == {"malformed entries": 3, "empty comments": 2}


def test_only_the_post_listing_and_removed_self_text():
    doc = page([], selftext="[removed]")[:1]
    [thread] = reddit.parse(doc, "k.json")
    assert thread.paragraphs == () and thread.comments == ()
    assert thread.skipped == {"removed post text": 1}


@pytest.mark.parametrize("doc", [
    [], {}, "text", [listing()], [{"kind": "Listing", "data": {"children": "nope"}}],
    [listing({"kind": "t3", "data": {"title": ""}})], [listing({"kind": "t3", "data": {"title": 5}})],
    page([])[:1] + ["not a listing"], [listing({"kind": "t1", "data": {}})],
])
def test_malformed_documents_raise_parse_error(doc):
    with pytest.raises(ParseError):
        reddit.parse(doc, "bad.json")


def test_deep_nesting_does_not_recurse():
    node = t1("c0", "bottom", parent=None)
    for i in range(1, 3000):
        node = t1(f"c{i}", f"level {i}", parent=None, replies=listing(node))
    [thread] = reddit.parse(page([node]), "deep.json")
    assert len(thread.comments) == 3000
    assert sum(c.parent is not None for c in thread.comments) == 2999


# --- detection ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("doc", [
    {"title": "t", "paragraphs": ["p"], "comments": [{"author": "a", "text": "b"}]},
    [{"title": "t", "paragraphs": [], "comments": []}],
    {"id": 1, "type": "story", "author": "a", "created_at": "2020-01-01T00:00:00Z", "children": []},
    {"by": "a", "id": 1, "type": "story", "time": 1, "kids": [2]},
    [{"by": "a", "id": 1, "type": "story", "time": 1}],
    {"post_stream": {"posts": [{"id": 1, "username": "a", "cooked": "<p>x</p>"}]}, "title": "t"},
    [listing(t1("c1", "a comment listing only"))],
    [], None, 3, "Listing",
])
def test_detect_rejects_other_shapes(doc):
    assert reddit.detect(doc) is False


def test_detect_accepts_the_page_shape():
    assert reddit.detect(page([]))
    assert reddit.detect(page([])[:1])


def test_detect_rejects_an_xml_root():
    from lxml import etree

    assert reddit.detect(etree.fromstring(b"<rss><channel/></rss>")) is False


# --- fuzzing -----------------------------------------------------------------------------------------

KEYS = st.sampled_from(["kind", "data", "children", "replies", "body", "author", "parent_id", "id", "name",
                        "title", "selftext", "permalink", "url", "is_self", "created_utc", "score", "subreddit"])
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
           | st.sampled_from(["Listing", "t1", "t3", "more", "t1_a", "t3_b", "[deleted]", "&amp;", "/r/x/"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(KEYS | st.text(max_size=5), inner, max_size=5), max_leaves=40)


@settings(max_examples=600, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES)
def test_parse_raises_only_parse_error(value):
    reddit.detect(value)
    try:
        threads = reddit.parse(value, "fuzz.json")
    except ParseError:
        return
    for thread in threads:
        assert thread.title and thread.format == "reddit"
        ids = [c.id for c in thread.comments]
        assert len(ids) == len(set(ids))


@settings(max_examples=300, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(VALUES, max_size=4), VALUES)
def test_parse_of_page_like_documents_raises_only_parse_error(comments, post_field):
    doc = page(comments, selftext=post_field, created_utc=post_field, url=post_field, is_self=post_field)
    try:
        reddit.parse(doc, "fuzz.json")
    except ParseError:
        pass
