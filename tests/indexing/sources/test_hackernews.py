"""The Hacker News importers (Algolia item JSON and official API items): a real Algolia capture (read in
place), made-up items for both APIs, detection, and fuzzing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexing.errors import ParseError
from indexing.sources import hackernews, hn_algolia, hn_api, reddit
from tests.indexing.sources.dev_formats import FORMATS, assert_matches_expected, capture
from tests.indexing.sources.importer_checks import FUZZ_DEADLINE

ALGOLIA_CAPTURE = "hn-failed-pentest-18475438-algolia.json"




def test_algolia_dev_capture_matches_expected_counts():
    want = capture(ALGOLIA_CAPTURE)
    data = json.loads((FORMATS / ALGOLIA_CAPTURE).read_text(encoding="utf-8"))
    assert hn_algolia.detect(data) and not hn_api.detect(data) and not reddit.detect(data)
    [thread] = hn_algolia.parse(data, ALGOLIA_CAPTURE)
    comments = thread.comments
    by_id = {c.id: c for c in comments}
    assert thread.format == "hn-algolia" and thread.source_file == ALGOLIA_CAPTURE
    assert_matches_expected([thread], want)
    assert len(by_id) == len(comments)
    assert thread.url and thread.url.startswith("http") and thread.published
    assert thread.skipped.get("deleted comments", 0) > 0
    assert not any("<p>" in c.text or "&#x27;" in c.text or "&gt;" in c.text for c in comments)
    for sample in want["sample_comments"]:
        found = [c for c in comments if c.author == sample["author"]
                 and " ".join(c.text.split()).startswith(sample["text_starts_with"])]
        assert found, sample
        parent = by_id.get(found[0].parent) if found[0].parent else None
        assert (parent.author if parent else None) == sample["parent_author"]


# --- Algolia: made-up items --------------------------------------------------------------------------

def node(nid: int, text: str | None, author: str | None = "someone", children: list | None = None, **extra) -> dict:
    return {"id": nid, "created_at": "2021-05-01T10:00:00.000Z", "created_at_i": 1619863200, "type": "comment",
            "author": author, "title": None, "url": None, "text": text, "points": None, "parent_id": 1,
            "story_id": 1, "children": children or [], "options": [], **extra}


def story(children: list, **extra) -> dict:
    fields = {"id": 1, "type": "story", "author": "submitter", "title": "Show HN: A tiny teapot",
              "url": None, "text": "I made a teapot.<p>It holds &quot;one&quot; cup.", "points": 50,
              "parent_id": None, "story_id": None}
    fields.update(extra)
    return {**node(0, None), **fields, "children": children}


def test_algolia_show_hn_text_nesting_and_skips():
    tree = story([
        node(2, "<p>Lovely.</p><p>Where is the <i>lid</i>?</p>", children=[
            node(3, "Under the table.", author="submitter", children=[node(4, None, author=None, children=[
                node(5, "Reply under a deleted comment")])]),
            None,
        ]),
        node(6, "[flagged]"),
        node(7, "", author="quiet"),
        "junk",
    ])
    [thread] = hn_algolia.parse(tree, "t.json")
    assert thread.title == "Show HN: A tiny teapot"
    assert thread.paragraphs == ("I made a teapot.", 'It holds "one" cup.')
    assert thread.url == "https://news.ycombinator.com/item?id=1"
    assert thread.published == "2021-05-01T10:00:00+00:00" and thread.source == "Hacker News"
    assert [(c.id, c.author, c.parent) for c in thread.comments] == [
        ("2", "someone", None), ("3", "submitter", "2"), ("5", "someone", None)]
    assert thread.comments[0].text == "Lovely.\n\nWhere is the lid?"
    assert thread.skipped == {"null nodes": 1, "deleted comments": 1, "dead comments": 1, "empty comments": 1,
                              "malformed entries": 1}


def test_algolia_link_story_has_no_paragraphs_and_url():
    tree = story([node(2, 'See <a href="https://example.com/a/long/path/here">https://example.com/a/lo...</a>')],
                 text=None, url="https://example.com/teapot")
    [thread] = hn_algolia.parse(tree, "t.json")
    assert thread.paragraphs == () and thread.url == "https://example.com/teapot"
    assert thread.comments[0].text == "See https://example.com/a/long/path/here"


def test_algolia_code_blocks_and_line_breaks():
    text = "Try this:<p><pre><code>  def brew():\n      return tea\n</code></pre>Done.<br>Really."
    [thread] = hn_algolia.parse(story([node(2, text)]), "t.json")
    assert thread.comments[0].text == "Try this:\n\n  def brew():\n      return tea\n\nDone.\nReally."


def test_algolia_comment_item_as_root_gets_a_placeholder_title():
    root = node(9, "<p>Tea is better cold, honestly, and nobody can convince me otherwise at all ever</p>",
                author="cold", children=[node(10, "No.")])
    [thread] = hn_algolia.parse(root, "c.json")
    assert thread.title.startswith("Hacker News comment by cold: Tea is better cold")
    assert thread.comments[0].parent is None


def test_algolia_poll_options_become_paragraphs():
    poll = story([], type="poll", text=None, options=[
        {"id": 20, "type": "pollopt", "text": "Green", "points": 4}, {"id": 21, "type": "pollopt", "text": "Black"}])
    [thread] = hn_algolia.parse(poll, "p.json")
    assert thread.paragraphs == ("Poll option: Green (4 points)", "Poll option: Black")
    assert thread.skipped == {"poll options": 2}


@pytest.mark.parametrize("doc", [[], "x", 5, {"id": None, "type": "story", "children": [], "author": None,
                                               "created_at": None, "title": None, "text": None},
                                 {"children": "nope", "type": "story", "author": "a", "created_at": "x"}])
def test_algolia_malformed_raises_parse_error(doc):
    with pytest.raises(ParseError):
        hn_algolia.parse(doc, "bad.json")


def test_algolia_deep_nesting_and_odd_fields():
    inner = node(5000, "bottom")
    for i in range(4999, 1, -1):
        inner = node(i, f"level {i}", children=[inner])
    tree = story([inner], created_at="yesterday", created_at_i="nope", points="many")
    [thread] = hn_algolia.parse(tree, "deep.json")
    assert len(thread.comments) == 4999 and thread.published is None
    assert sum(c.parent is not None for c in thread.comments) == 4998


# --- official API: made-up items ---------------------------------------------------------------------

def item(iid: int, **fields) -> dict:
    base = {"id": iid, "type": "comment", "by": "someone", "time": 1700000000 + iid}
    base.update(fields)
    return base


ASK = item(100, type="story", by="asker", title="Ask HN: How do you store loose tea?", kids=[102, 101],
           text="Jars fog up.<p>Tins rust.", score=21, descendants=5)


def test_api_story_with_comment_items():
    items = [ASK,
             item(101, parent=100, kids=[103, 105], text="Glass jars, in a <i>dark</i> cupboard."),
             item(102, parent=100, by="tinfan", kids=[106], text="Tins with a liner &amp; a tight lid."),
             item(103, parent=101, deleted=True, kids=[104]),
             item(104, parent=103, text="Replying to a deleted comment."),
             item(105, parent=101, dead=True, text="[dead]"),
             item(106, parent=102, text="Same here."),
             {"id": 107, "deleted": True, "parent": 102}]
    assert hn_api.detect(items) and not hn_algolia.detect(items) and not reddit.detect(items)
    [thread] = hn_api.parse(items, "api.json")
    assert thread.format == "hn-api" and thread.title == "Ask HN: How do you store loose tea?"
    assert thread.paragraphs == ("Jars fog up.", "Tins rust.")
    assert thread.url == "https://news.ycombinator.com/item?id=100"
    assert thread.published == "2023-11-14T22:15:00+00:00"
    assert [(c.id, c.author, c.parent) for c in thread.comments] == [
        ("102", "tinfan", None), ("106", "someone", "102"), ("101", "someone", None), ("104", "someone", None)]
    assert thread.comments[0].text == "Tins with a liner & a tight lid."
    assert thread.skipped == {"deleted comments": 2, "dead comments": 1}


def test_api_single_link_story_object():
    link = item(200, type="story", by="poster", title="A history of the teabag", url="https://example.com/bags",
                kids=[201, 202], score=99)
    assert hn_api.detect(link)
    [thread] = hn_api.parse(link, "one.json")
    assert thread.paragraphs == () and thread.comments == () and thread.url == "https://example.com/bags"


def test_api_kids_link_items_without_parent_and_orphans_without_story():
    items = [item(300, type="story", title="Kettles", kids=[301]), item(301, text="top", kids=[302]),
             item(302, text="reply by kids only")]
    [thread] = hn_api.parse(items, "k.json")
    assert [(c.id, c.parent) for c in thread.comments] == [("301", None), ("302", "301")]
    orphans = [item(401, parent=400, text="a comment"), item(402, parent=401, text="its reply")]
    [thread] = hn_api.parse(orphans, "o.json")
    assert "400" in thread.title and [c.parent for c in thread.comments] == [None, "401"]


def test_api_two_stories_make_two_threads_and_cycles_end():
    items = [item(1, type="story", title="One"), item(2, type="story", title="Two"),
             item(3, parent=1, text="on one"), item(4, parent=2, text="on two"),
             item(5, parent=6, text="cycle a"), item(6, parent=5, text="cycle b")]
    threads = hn_api.parse(items, "two.json")
    assert [t.title for t in threads][:2] == ["One", "Two"]
    assert [c.text for c in threads[0].comments] == ["on one"] and [c.text for c in threads[1].comments] == ["on two"]
    assert all(c.parent != c.id for t in threads for c in t.comments)


@pytest.mark.parametrize("doc", [[], {}, "x", [1, 2], [{"id": "x", "type": "story"}], {"id": 1, "type": "essay"},
                                 [item(1, type="pollopt", text="opt")]])
def test_api_malformed_raises_parse_error(doc):
    with pytest.raises(ParseError):
        hn_api.parse(doc, "bad.json")


def test_api_wrong_typed_fields_are_tolerated():
    items = [item(1, type="story", title=["not", "text"], text=5, url=3, time="soon", kids="2"),
             item(2, parent=1, by=7, text="kept", score="lots", time=10**30)]
    [thread] = hn_api.parse(items, "odd.json")
    assert thread.title == "Hacker News item 1"
    assert [(c.author, c.score, c.posted, c.parent) for c in thread.comments] == [(None, None, None, None)]


# --- detection ---------------------------------------------------------------------------------------

OTHER_SHAPES = [
    {"title": "t", "paragraphs": ["p"], "comments": [{"author": "a", "text": "b"}]},
    [{"title": "t", "paragraphs": [], "comments": [{"id": "1", "text": "x"}]}],
    [{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"title": "x"}}]}}],
    {"post_stream": {"posts": [{"id": 1, "username": "a", "cooked": "<p>x</p>"}]}, "title": "t", "id": 3},
    {"hits": [{"objectID": "1", "author": "a", "created_at": "2020-01-01"}]},
    [], {}, None, 1.5, "story",
]


@pytest.mark.parametrize("doc", OTHER_SHAPES)
def test_detect_rejects_other_shapes(doc):
    assert hn_algolia.detect(doc) is False
    assert hn_api.detect(doc) is False


def test_thin_modules_expose_the_importers():
    assert (hn_algolia.FORMAT, hn_api.FORMAT) == ("hn-algolia", "hn-api")
    assert hn_algolia.parse is hackernews.parse_algolia and hn_api.detect is hackernews.detect_api
    assert not hn_api.detect(story([])) and not hn_algolia.detect(ASK)


def test_detect_rejects_an_xml_root():
    from lxml import etree

    root = etree.fromstring(b"<disqus><thread/></disqus>")
    assert hn_algolia.detect(root) is False and hn_api.detect(root) is False


# --- fuzzing -----------------------------------------------------------------------------------------

KEYS = st.sampled_from(["id", "type", "by", "author", "text", "title", "url", "kids", "parent", "children",
                        "time", "created_at", "created_at_i", "deleted", "dead", "score", "points", "parts",
                        "options", "parent_id", "story_id"])
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
           | st.sampled_from(["story", "comment", "poll", "pollopt", "<p>a", "&amp;", "<a href='x'>x...</a>",
                              "2020-01-01T00:00:00Z", "[dead]", "<pre><code>x</code></pre>"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(KEYS | st.text(max_size=5), inner, max_size=6), max_leaves=40)
FUZZ = settings(max_examples=500, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("module", [hn_algolia, hn_api])
@FUZZ
@given(value=VALUES)
def test_parse_raises_only_parse_error(module, value):
    module.detect(value)
    try:
        threads = module.parse(value, "fuzz.json")
    except ParseError:
        return
    for thread in threads:
        assert thread.title and thread.format == module.FORMAT
        ids = [c.id for c in thread.comments]
        assert len(ids) == len(set(ids))
        assert all(c.parent is None or c.parent in ids for c in thread.comments)


@FUZZ
@given(st.text(max_size=60) | st.lists(st.sampled_from(["<p>", "</p>", "<i>", "<pre>", "<code>", "</code>", "<br>",
                                                        "&#x27;", "&", "<a href=\"u\">", "u...", "</a>", "\n",
                                                        "<!--", "-->", "<script>", "x", " "]), max_size=20
                                       ).map("".join))
def test_render_is_total_on_markup(markup):
    text = hackernews._render(markup)
    assert "\x00" not in text and "<p>" not in text


SOME = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | VALUES
TIMES = SOME | st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2020-02-30T00:00:00Z"])
ALGOLIA_NODES = st.recursive(
    st.fixed_dictionaries({"id": st.integers(0, 20) | SOME, "type": st.sampled_from(["comment", "pollopt"]) | SOME,
                           "author": st.sampled_from(["ann", None]) | SOME, "text": SCALARS | SOME,
                           "created_at": TIMES, "points": SOME}) | st.none(),
    lambda inner: st.fixed_dictionaries({"id": st.integers(0, 20), "type": st.just("comment"),
                                         "author": SCALARS, "text": SCALARS, "created_at": TIMES,
                                         "children": st.lists(inner, max_size=4)}),
    max_leaves=30)
API_ITEMS = st.fixed_dictionaries(
    {"id": st.integers(0, 12), "type": st.sampled_from(["story", "comment", "poll", "pollopt"]) | SOME},
    optional={"by": SCALARS, "text": SCALARS, "title": SCALARS, "url": SCALARS, "time": TIMES | st.integers(),
              "parent": st.integers(0, 12) | SOME, "kids": st.lists(st.integers(0, 12) | SOME, max_size=4) | SOME,
              "parts": st.lists(st.integers(0, 12), max_size=3) | SOME, "deleted": SOME, "dead": SOME,
              "score": SOME | st.just(10**400)})


@FUZZ
@given(st.lists(ALGOLIA_NODES, max_size=5), SOME, TIMES, st.sampled_from(["story", "poll", "comment"]),
       st.lists(st.fixed_dictionaries({"text": SCALARS, "points": SOME | st.just(10**400)}), max_size=3) | SOME)
def test_algolia_structured_fuzz(children, text, when, kind, options):
    doc = {**story(children), "text": text, "created_at": when, "type": kind, "options": options}
    try:
        threads = hn_algolia.parse(doc, "fuzz.json")
    except ParseError:
        return
    ids = [c.id for c in threads[0].comments]
    assert len(ids) == len(set(ids)) and threads[0].title


@FUZZ
@given(st.lists(API_ITEMS, max_size=8) | API_ITEMS)
def test_api_structured_fuzz(items):
    try:
        threads = hn_api.parse(items, "fuzz.json")
    except ParseError:
        return
    for thread in threads:
        ids = [c.id for c in thread.comments]
        assert len(ids) == len(set(ids)) and thread.title
        assert all(c.parent is None or c.parent in ids for c in thread.comments)
