"""Disqus XML exports: the dev captures against expected.jsonl, made-up edge cases, and property
tests that any element tree gives threads or a ParseError, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from indexing.errors import ParseError
from indexing.sources import disqus
from indexing.sources.markup import read_xml
from tests.indexing.sources.dev_formats import FORMATS, assert_matches_expected, expected_for
from tests.indexing.sources.importer_checks import FUZZ_DEADLINE, assert_threads_or_parse_error

DEV_FILES = ["disqus-yesilmavihayat-export.xml", "disqus-tanglei-export.xml"]




@pytest.mark.parametrize("name", DEV_FILES)
def test_dev_capture_matches_expected(name):
    if not (FORMATS / name).is_file():
        pytest.skip(f"{FORMATS} is not available")
    want = expected_for(name)
    root = read_xml((FORMATS / name).read_bytes().decode("utf-8"), name)
    assert disqus.detect(root)
    threads = disqus.parse(root, name)
    assert all(t.format == "disqus" and t.source_file == name and t.paragraphs == () and t.comments
               for t in threads)
    assert_matches_expected(threads, want)


def thread(tid, title="A page", link="https://site.example/page", forum="madeup") -> str:
    return (f'<thread dsq:id="{tid}"><id>key-{tid}</id><forum>{forum}</forum><link>{link}</link>'
            f'<title>{title}</title><message/><createdAt>2021-05-01T08:00:00Z</createdAt>'
            f'<author><name>Owner</name><isAnonymous>false</isAnonymous></author><isDeleted>false</isDeleted></thread>')


def post(pid, tid, message, *, name="Reader", parent=None, deleted="false", spam="false", author=True) -> str:
    who = f"<author><name>{name}</name><isAnonymous>true</isAnonymous><username>user{pid}</username></author>"
    return (f'<post dsq:id="{pid}"><id/><message><![CDATA[{message}]]></message>'
            f'<createdAt>2021-05-0{pid % 9 + 1}T09:00:00Z</createdAt><isDeleted>{deleted}</isDeleted>'
            f'<isSpam>{spam}</isSpam>{who if author else ""}<thread dsq:id="{tid}"/>'
            + (f'<parent dsq:id="{parent}"/>' if parent else "") + "</post>")


def export(*parts) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
            'xmlns:dsq="http://disqus.com/disqus-internals">'
            '<category dsq:id="1"><forum>madeup</forum><title>General</title></category>'
            + "".join(parts) + "</disqus>")


def parse_text(text: str) -> list:
    root = read_xml(text, "export.xml")
    assert disqus.detect(root)
    return disqus.parse(root, "export.xml")


def test_threads_with_kept_posts_only_and_what_is_left_out_is_counted():
    text = export(
        thread("100", title="First &amp; best page"), thread("200", title="", link="https://site.example/two"),
        thread("300", title="No comments here"),
        post(1, "100", "<p>Great page.</p><p>Second paragraph.</p>"),
        post(2, "100", "<p>I agree.</p>", name="Other", parent="1"),
        post(3, "100", "<p>gone</p>", deleted="true"),
        post(4, "100", "<p>cheap watches</p>", spam="True"),
        post(1, "100", "<p>Great page.</p>"),
        post(5, "999", "<p>lost</p>"),
        post(6, "200", "<p>Replying across threads.</p>", parent="1", name=""),
        post(7, "200", "<p>Reply to a deleted post.</p>", parent="3", author=False),
        post(8, "200", "<p> </p>"),
    )
    first, second = parse_text(text)
    assert (first.title, first.url, first.source, first.published) == (
        "First & best page", "https://site.example/page", "madeup", "2021-05-01T08:00:00Z")
    assert first.paragraphs == ()
    assert [(c.id, c.author, c.parent, c.text) for c in first.comments] == [
        ("1", "Reader", None, "Great page.\n\nSecond paragraph."), ("2", "Other", "1", "I agree.")]
    assert first.comments[0].posted == "2021-05-02T09:00:00Z"
    assert first.skipped == {"deleted posts": 1, "spam posts": 1, "duplicate posts": 1, "posts in unknown threads": 1}
    assert second.title == "Comments on https://site.example/two"
    assert [(c.id, c.author, c.parent) for c in second.comments] == [("6", "user6", None), ("7", None, None)]
    assert second.skipped == {"empty posts": 1}


@pytest.mark.parametrize("text", [
    export(), export(thread("1")), export(thread("1"), post(1, "1", "<p>x</p>", deleted="true")),
    export(post(1, "9", "<p>orphan</p>")), "<rss><channel/></rss>", "", "<disqus",
])
def test_exports_without_a_kept_post_raise_parse_error(text):
    with pytest.raises(ParseError):
        disqus.parse(read_xml(text, "bad.xml"), "bad.xml")


def test_other_namespaces_and_plain_id_attributes_still_read():
    text = ('<disqus xmlns="http://disqus.com/v2"><thread id="t1"><link>https://a.example</link><title>T</title>'
            '</thread><post id="p1"><message>&lt;p&gt;Hello&lt;/p&gt;</message><thread id="t1"/></post></disqus>')
    [only] = parse_text(text)
    assert only.title == "T" and [c.text for c in only.comments] == ["Hello"]


def test_reply_cycles_are_cut():
    text = export(thread("1"), post(1, "1", "a", parent="2"), post(2, "1", "b", parent="1"),
                  post(3, "1", "c", parent="3"))
    parents = {c.id: c.parent for c in parse_text(text)[0].comments}
    assert parents["3"] is None and None in (parents["1"], parents["2"])


@pytest.mark.parametrize("data", [None, "x", {"title": "x", "paragraphs": [], "comments": []}, [],
                                  etree.fromstring("<rss><channel/></rss>")])
def test_parse_refuses_what_is_not_an_export(data):
    with pytest.raises(ParseError):
        disqus.parse(data, "x")


@pytest.mark.parametrize("data", [
    {"title": "x", "paragraphs": ["p"], "comments": []}, {"post_stream": {"posts": []}}, None, "disqus",
    etree.fromstring("<rss xmlns:wp='http://wordpress.org/export/1.2/'><channel/></rss>"),
    etree.fromstring("<feed xmlns='http://www.w3.org/2005/Atom'/>"),
    etree.fromstring("<html><body>disqus</body></html>"),
])
def test_detect_refuses_other_formats(data):
    assert not disqus.detect(data)


D = "{http://disqus.com}"
DSQ_ID = "{http://disqus.com/disqus-internals}id"
SAFE_TEXT = st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=20)
VALUES = st.one_of(SAFE_TEXT, st.sampled_from(["true", "false", "<p>hi</p>", "", "1", "2"]))
IDS = st.one_of(st.none(), st.sampled_from(["1", "2", "3", ""]))
LEAVES = st.sampled_from(["message", "createdAt", "isDeleted", "isSpam", "link", "title", "forum", "name"])
NODE = st.recursive(
    st.tuples(LEAVES, VALUES, IDS, st.just(())),
    lambda inner: st.tuples(st.sampled_from(["thread", "post", "author", "parent"]), VALUES, IDS,
                            st.lists(inner, max_size=6)),
    max_leaves=25)
THREAD = st.tuples(st.just("thread"), VALUES, IDS, st.lists(st.tuples(LEAVES, VALUES, IDS, st.just(())), max_size=4))
POST = st.tuples(st.just("post"), VALUES, IDS, st.builds(
    lambda body, tid, rest: [("message", body, None, ()), ("thread", "", tid, ()), *rest], VALUES, IDS,
    st.lists(NODE, max_size=4)))
TREE = st.tuples(st.sampled_from(["disqus", "disqus", "other"]), VALUES, IDS,
                 st.lists(THREAD | POST | NODE, max_size=10))


def build(node) -> etree._Element:
    tag, text, dsq_id, kids = node
    el = etree.Element(D + tag)
    el.text = text
    if dsq_id is not None:
        el.set(DSQ_ID, dsq_id)
    for kid in kids:
        el.append(build(kid))
    return el


def _has_posts(thread) -> None:
    assert thread.comments, "a Disqus thread without posts"


@settings(max_examples=300, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREE)
def test_any_element_tree_gives_threads_or_a_parse_error(tree):
    root = build(tree)
    assert_threads_or_parse_error(disqus, root, "tree.xml", each=_has_posts)
