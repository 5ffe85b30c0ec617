"""WordPress WXR exports: the dev captures against expected.jsonl, made-up edge cases, and property
tests that any text or element tree gives threads or a ParseError, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from indexing.errors import ParseError
from indexing.sources import wxr
from indexing.sources.markup import read_xml
from tests.indexing.sources.dev_formats import FORMATS, assert_matches_expected, expected_for
from tests.indexing.sources.importer_checks import FUZZ_DEADLINE, assert_threads_or_parse_error

DEV_FILES = ["wordpress-timothyfitz-export.xml", "wordpress-chrisjrob-export.xml"]




@pytest.mark.parametrize("name", DEV_FILES)
def test_dev_capture_matches_expected(name):
    if not (FORMATS / name).is_file():
        pytest.skip(f"{FORMATS} is not available")
    want = expected_for(name)
    root = read_xml((FORMATS / name).read_bytes().decode("utf-8"), name)
    assert wxr.detect(root)
    threads = wxr.parse(root, name)
    assert all(t.format == "wordpress-wxr" and t.source_file == name and t.source == want["site_title"]
               for t in threads)
    assert_matches_expected(threads, want)


def comment(cid, text, *, author="Reader", approved="1", kind="", parent="0", gmt="2020-03-01 10:00:00",
            local="2020-03-01 11:00:00") -> str:
    return (f"<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author><![CDATA[{author}]]>"
            f"</wp:comment_author><wp:comment_date>{local}</wp:comment_date><wp:comment_date_gmt>{gmt}"
            f"</wp:comment_date_gmt><wp:comment_content><![CDATA[{text}]]></wp:comment_content>"
            f"<wp:comment_approved>{approved}</wp:comment_approved><wp:comment_type>{kind}</wp:comment_type>"
            f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>")


def item(title, content, *comments, post_type="post", status="publish", post_id="1") -> str:
    return (f"<item><title>{title}</title><link>https://blog.example/{post_id}/</link>"
            f"<pubDate>Sun, 01 Mar 2020 09:00:00 +0000</pubDate><dc:creator>owner</dc:creator>"
            f"<content:encoded><![CDATA[{content}]]></content:encoded>"
            f"<excerpt:encoded><![CDATA[An excerpt that is not the post]]></excerpt:encoded>"
            f"<wp:post_id>{post_id}</wp:post_id><wp:post_date_gmt>2020-03-01 09:00:00</wp:post_date_gmt>"
            f"<wp:status>{status}</wp:status><wp:post_type>{post_type}</wp:post_type>{''.join(comments)}</item>")


def export(*items, version="1.2", title="Made-up Blog") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            f'xmlns:excerpt="http://wordpress.org/export/{version}/excerpt/" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            f'xmlns:wp="http://wordpress.org/export/{version}/"><channel><title>{title}</title>'
            f'<link>https://blog.example</link><wp:wxr_version>{version}</wp:wxr_version>'
            f'<atom:link rel="hub" href="https://blog.example/hub"/>{"".join(items)}</channel></rss>')


def parse_text(text: str) -> list:
    root = read_xml(text, "export.xml")
    assert wxr.detect(root)
    return wxr.parse(root, "export.xml")


def test_published_posts_become_threads_with_approved_comments_only():
    body = ("First paragraph\nwith a line break.\n\nSecond paragraph with <a href='x'>a link</a>.\n"
            "<ul>\n<li>one</li>\n</ul>")
    text = export(
        item("Post one", body,
             comment("10", "Nice post!\n\nTwo paragraphs."),
             comment("11", "A reply &amp; more", author="Owner &amp; Co", parent="10"),
             comment("12", "waiting", approved="0"),
             comment("13", "buy pills", approved="spam"),
             comment("14", "in the bin", approved="trash"),
             comment("15", "[...] linked here [...]", kind="pingback"),
             comment("16", "tracked", kind="trackback", approved="0"),
             comment("17", "replying to a pingback", parent="15"),
             comment("10", "the same comment id again"),
             comment("18", "old comment", gmt="0000-00-00 00:00:00")),
        item("A page", "<p>About us.</p>", post_type="page", post_id="2"),
        item("A photo", "", comment("20", "on an attachment"), post_type="attachment", post_id="3"),
        item("Draft", "<p>unfinished</p>", status="draft", post_id="4"),
        item("Menu", "", post_type="nav_menu_item", post_id="5"),
        item("Empty", "", comment("30", "held", approved="0"), post_id="6"),
    )
    first, page = parse_text(text)
    assert first.title == "Post one" and first.source == "Made-up Blog" and first.url == "https://blog.example/1/"
    assert first.published == "2020-03-01T09:00:00Z"
    assert first.paragraphs == ("First paragraph\nwith a line break.", "Second paragraph with a link.", "one")
    assert [(c.id, c.author, c.parent, c.posted) for c in first.comments] == [
        ("10", "Reader", None, "2020-03-01T10:00:00Z"), ("11", "Owner & Co", "10", "2020-03-01T10:00:00Z"),
        ("17", "Reader", None, "2020-03-01T10:00:00Z"), ("18", "Reader", None, "2020-03-01T11:00:00")]
    assert first.comments[0].text == "Nice post!\n\nTwo paragraphs."
    assert first.comments[1].text == "A reply & more"
    assert first.skipped == {"unapproved comments": 1, "spam comments": 1, "trashed comments": 1, "pingbacks": 1,
                             "trackbacks": 1, "duplicate comments": 1,
                             "non-post items": 2, "unpublished posts": 1, "empty posts": 1}
    assert page.title == "A page" and page.paragraphs == ("About us.",) and page.comments == ()
    assert page.skipped == {}


def test_any_wxr_version_and_missing_titles():
    text = export(item("", "<p>Words of a post without any title at all, which goes on for a while.</p>",
                       comment("1", "hi")), version="1.0")
    [thread] = parse_text(text)
    assert thread.title == "Words of a post without any title at all, which…"
    assert [c.text for c in thread.comments] == ["hi"]


def test_shortcodes_and_reply_cycles():
    text = export(item("Captioned", '[caption id="a1" width="300"]<img src="x.jpg"> A caption[/caption]\n\n'
                                    'Text with [brackets] kept.',
                       comment("1", "a", parent="2"), comment("2", "b", parent="1"), comment("3", "c", parent="3")))
    [thread] = parse_text(text)
    assert thread.paragraphs == ("A caption", "Text with [brackets] kept.")
    parents = {c.id: c.parent for c in thread.comments}
    assert parents["3"] is None and None in (parents["1"], parents["2"])


@pytest.mark.parametrize("text", [
    "", "   ", "not xml at all", "<rss><channel></channel></rss>",
    export(item("Draft", "<p>x</p>", status="draft")),
    export(item("Nothing", "", comment("1", "spam", approved="spam"))),
    "<rss><channel><item><title>t</title></item>",
])
def test_exports_without_a_thread_raise_parse_error(text):
    with pytest.raises(ParseError):
        wxr.parse(read_xml(text, "bad.xml"), "bad.xml")


def test_truncated_export_keeps_what_was_read():
    text = export(item("Post", "<p>Body.</p>", comment("1", "First!")))
    threads = wxr.parse(read_xml(text[: text.index("</wp:comment>") + 40], "cut.xml"), "cut.xml")
    assert threads[0].title == "Post" and [c.text for c in threads[0].comments] == ["First!"]


@pytest.mark.parametrize("data", [None, "text", {"title": "x", "paragraphs": [], "comments": []}, [],
                                  etree.fromstring("<disqus xmlns='http://disqus.com'/>")])
def test_parse_refuses_what_is_not_an_export(data):
    with pytest.raises(ParseError):
        wxr.parse(data, "x")


@pytest.mark.parametrize("xml", [
    "<disqus xmlns='http://disqus.com'><thread/></disqus>",
    "<rss version='2.0'><channel><title>Plain feed</title><item><title>t</title></item></channel></rss>",
    "<feed xmlns='http://www.w3.org/2005/Atom'><title>Atom</title></feed>",
    "<html><body><p>page</p></body></html>",
])
def test_detect_refuses_other_formats(xml):
    assert not wxr.detect(etree.fromstring(xml))


@pytest.mark.parametrize("data", [{"title": "x", "paragraphs": ["p"], "comments": []}, [], None, "rss",
                                  {"post_stream": {"posts": []}}])
def test_detect_refuses_json_shapes(data):
    assert not wxr.detect(data)


WP = "{http://wordpress.org/export/1.2/}"
SAFE_TEXT = st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=20)
VALUES = st.one_of(SAFE_TEXT, st.sampled_from(["post", "page", "publish", "1", "0", "spam", "pingback", "",
                                               "<p>hi</p>", "0000-00-00 00:00:00", "2020-01-01 10:00:00", "[caption]"]))
COMMENT_TAGS = st.sampled_from([f"{WP}comment_{n}" for n in ("id", "author", "content", "approved", "type",
                                                              "parent", "date_gmt", "date")] + ["junk"])
ITEM_TAGS = st.sampled_from(["title", "link", "pubDate", f"{WP}post_type", f"{WP}status", f"{WP}post_id",
                             f"{WP}post_date_gmt", "{http://purl.org/rss/1.0/modules/content/}encoded",
                             "{http://wordpress.org/export/1.2/excerpt/}encoded", "atom:link"])
LEAF = st.tuples(COMMENT_TAGS | ITEM_TAGS, VALUES, st.just(()))
COMMENT_LEAVES = st.lists(st.tuples(COMMENT_TAGS, VALUES, st.just(())), max_size=8)
COMMENT = st.tuples(st.just(f"{WP}comment"), VALUES, st.builds(
    lambda body, rest: [(f"{WP}comment_content", body, ()), *rest], VALUES, COMMENT_LEAVES))
PUBLISHED = [(f"{WP}post_type", "post", ()), (f"{WP}status", "publish", ())]
ITEM = st.tuples(st.just("item"), VALUES, st.builds(
    lambda published, rest: (PUBLISHED if published else []) + rest, st.booleans(),
    st.lists(LEAF | COMMENT, max_size=10)))
TREE = st.tuples(st.sampled_from(["rss", "channel", "feed"]), VALUES,
                 st.lists(st.tuples(st.just("channel"), VALUES, st.lists(ITEM | LEAF, max_size=5)) | ITEM, max_size=3))


def build(node) -> etree._Element:
    tag, text, kids = node
    el = etree.Element(tag.replace("atom:", "{urn:atom}"))
    el.text = text
    for kid in kids:
        el.append(build(kid))
    return el


@settings(max_examples=300, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREE)
def test_any_element_tree_gives_threads_or_a_parse_error(tree):
    root = build(tree)
    assert_threads_or_parse_error(wxr, root, "tree.xml")


@settings(max_examples=300, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300) | st.builds(lambda a, b: a + b, st.sampled_from([export(), "<rss><channel>"]),
                                          st.text(max_size=100)))
def test_any_text_reads_as_xml_or_raises_parse_error(text):
    try:
        root = read_xml(text, "t.xml")
        wxr.detect(root)
        wxr.parse(root, "t.xml")
    except ParseError:
        pass
