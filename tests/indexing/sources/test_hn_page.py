"""Saved Hacker News item pages: the dev captures (2013 and 2015 markup) against expected.jsonl, made-up pages
in the 2016 and 2024 markup (Ask HN text, flagged/dead/deleted rows, reply links, a comment's own page), and
property tests that any element tree or text gives a thread or a ParseError, nothing else."""

from __future__ import annotations

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from indexing.errors import ParseError
from indexing.sources import hn_page
from tests.indexing.sources.dev_formats import FORMATS, expected_for, within
from tests.indexing.sources.importer_checks import FUZZ_DEADLINE, page_of

DEV_FILES = ["hn-larry-page-5002483-item.html", "hn-hyperv-containers-item.html"]
OTHER_DEV_FILES = ["blog-chriselle-productivity-apps.html", "wptavern-stackoverflow-jobs.html"]


def load(name: str):
    if not (FORMATS / name).is_file():
        pytest.skip(f"{FORMATS} is not available")
    return lxml.html.fromstring((FORMATS / name).read_bytes())


def table(thread) -> list[tuple]:
    return [(c.id, c.author, c.text, c.parent) for c in thread.comments]


def assert_well_formed(thread) -> None:
    ids = [c.id for c in thread.comments]
    assert len(set(ids)) == len(ids)
    assert all(c.text.strip() and (c.parent is None or c.parent in ids) for c in thread.comments)
    assert thread.title.strip() and thread.format == hn_page.FORMAT


@pytest.mark.parametrize("name", DEV_FILES)
def test_dev_capture_matches_expected(name):
    root = load(name)
    want = expected_for(name)
    assert want["format"] == hn_page.FORMAT and hn_page.detect(root)
    [thread] = hn_page.parse(root, name)
    assert_well_formed(thread)
    assert (thread.title, thread.source, thread.source_file) == (want["title"], "Hacker News", name)
    assert len(thread.paragraphs) >= want["article_paragraphs_min"]
    assert thread.url and thread.url.startswith("http")
    by_id = {c.id: c for c in thread.comments}
    assert within(len(thread.comments), want["comments"])
    assert sum(1 for c in thread.comments if c.author) >= 0.9 * want["authors_known"]
    assert within(sum(1 for c in thread.comments if c.parent in by_id), want["replies_linked"])
    for sample in want["sample_comments"]:
        found = [c for c in thread.comments if c.author == sample["author"]
                 and " ".join(c.text.split()).startswith(sample["text_starts_with"])]
        assert found, sample
        parent = by_id[found[0].parent].author if found[0].parent else None
        assert parent == sample["parent_author"], sample
    assert not any(c.text.rstrip().endswith("reply") for c in thread.comments)
    assert all(c.id.isdigit() for c in thread.comments)


def row(cid: str, indent: int, user: str | None, body: str, age: str = "", head_extra: str = "") -> str:
    who = f'<a href="user?id={user}" class="hnuser">{user}</a> ' if user else ""
    title = f' title="{age}"' if age else ""
    return f"""<tr class="athing comtr" id="{cid}"><td><table border="0"><tr>
    <td class="ind" indent="{indent}"><img src="s.gif" height="1" width="{indent * 40}"></td>
    <td valign="top" class="votelinks"><center><a id="up_{cid}" href="vote?id={cid}&amp;how=up&amp;auth=x">
    <div class="votearrow" title="upvote"></div></a></center></td><td class="default">
    <div style="margin-top:2px; margin-bottom:-10px;"><span class="comhead">{who}<span class="age"{title}>
    <a href="item?id={cid}">2 hours ago</a></span> <span id="unv_{cid}"></span>{head_extra}<span class="navs"> |
    <a href="#next" class="clicky" aria-hidden="true">next</a> <a class="togg clicky" id="{cid}" n="2"
    href="javascript:void(0)">[–]</a></span></span></div><br><div class="comment"><div class="commtext c00">{body}
    </div><div class="reply"><p><font size="1"><u><a href="reply?id={cid}&amp;goto=item">reply</a></u></font></p>
    </div></div></td></tr></table></td></tr>"""


CODE_ANSWER = "Top answer.<p>Its second paragraph.</p><pre><code>  code stays\n    indented</code></pre>"
MODERN = f"""<html lang="en" op="item"><head><title>Ask HN: A made-up question? | Hacker News</title></head>
<body><center><table id="hnmain" border="0" width="85%"><tr><td bgcolor="#ff6600"><table><tr><td>
<span class="pagetop"><b class="hnname"><a href="news">Hacker News</a></b> <a href="newest">new</a> |
<a href="submit">submit</a></span></td><td><span class="pagetop"><a id="me" href="user?id=reader">reader</a> |
<a id="logout" href="logout?auth=x">logout</a></span></td></tr></table></td></tr>
<tr><td><table class="fatitem" border="0">
<tr class="athing submission" id="1000"><td align="right" valign="top" class="title"><span class="rank"></span></td>
<td valign="top" class="votelinks"><center><a id="up_1000" href="vote?id=1000&amp;how=up">
<div class="votearrow" title="upvote"></div></a></center></td>
<td class="title"><span class="titleline"><a href="item?id=1000">Ask HN: A made-up question?</a></span></td></tr>
<tr><td colspan="2"></td><td class="subtext"><span class="subline"><span class="score" id="score_1000">12 points</span>
by <a href="user?id=asker" class="hnuser">asker</a> <span class="age" title="2024-03-01T12:00:00 1709294400">
<a href="item?id=1000">3 hours ago</a></span> | <a href="hide?id=1000">hide</a> | <a href="item?id=1000">8 comments</a>
</span></td></tr>
<tr><td colspan="2"></td><td><div class="toptext">First paragraph of the question.
<p>Second one, with <a href="https://example.invalid/x" rel="nofollow">a link</a> &amp; an entity.</p></div></td></tr>
<tr><td colspan="2"></td><td><form action="comment" method="post"><textarea name="text"></textarea>
<input type="submit" value="add comment"></form></td></tr></table><br><br>
<table border="0" class="comment-tree">
{row("1001", 0, "alice", CODE_ANSWER, "2024-03-01T12:30:00 1709296200")}
{row("1002", 1, "bob", "Answering alice.", "2024-03-01T12:40:00")}
{row("1003", 2, "mallory", "Flagged but shown.", "2024-03-01T12:41:00", " [flagged] ")}
{row("1004", 3, "trent", "Under a flagged comment.")}
{row("1005", 0, None, "[dead]")}
{row("1006", 0, None, "[deleted]")}
{row("1007", 1, "carol", "Answering a deleted comment.")}
{row("1008", 0, "dave", "Back at the top.")}
</table><a href="item?id=1000&amp;p=2" class="morelink" rel="next">More</a></td></tr></table></center></body></html>"""


def test_modern_markup_ask_hn():
    root = lxml.html.fromstring(MODERN)
    assert hn_page.detect(root)
    [thread] = hn_page.parse(root, "ask.html")
    assert_well_formed(thread)
    assert (thread.title, thread.url, thread.published) == (
        "Ask HN: A made-up question?", "https://news.ycombinator.com/item?id=1000", "2024-03-01T12:00:00Z")
    assert thread.paragraphs == ("First paragraph of the question.", "Second one, with a link & an entity.")
    assert table(thread) == [
        ("1001", "alice", "Top answer.\n\nIts second paragraph.\n\n  code stays\n    indented", None),
        ("1002", "bob", "Answering alice.", "1001"),
        ("1004", "trent", "Under a flagged comment.", None),
        ("1007", "carol", "Answering a deleted comment.", None),
        ("1008", "dave", "Back at the top.", None),
    ]
    assert [c.posted for c in thread.comments[:2]] == ["2024-03-01T12:30:00Z", "2024-03-01T12:40:00Z"]
    assert thread.skipped == {"flagged comments": 1, "dead comments": 1, "deleted comments": 1}
    assert thread.source_file == "ask.html" and thread.source == "Hacker News"
    everything = " ".join(c.text for c in thread.comments)
    assert "reply" not in everything and "next" not in everything and "[–]" not in everything


MARKUP_2016 = """<html><head><title>A made-up link | Hacker News</title></head><body><center><table id="hnmain">
<tr><td><table class="fatitem" border="0"><tr class="athing" id="2000"><td class="title"><span class="rank"></span></td>
<td class="title"><a href="https://example.invalid/story" class="storylink">A made-up link</a>
<span class="sitebit comhead"> (<a href="from?site=example.invalid"><span class="sitestr">example.invalid</span></a>)
</span></td></tr>
<tr><td colspan="2"></td><td class="subtext"><span class="score">5 points</span> by <a href="user?id=poster"
class="hnuser">poster</a> <span class="age"><a href="item?id=2000">on June 1, 2016</a></span></td></tr>
<tr style="height:10px"></tr><tr><td colspan="2"></td><td><form method="post" action="comment"><textarea></textarea>
</form></td></tr></table><br><br><table border="0" class="comment-tree">
<tr class="athing comtr " id="2001"><td><table border="0"><tr><td class="ind"><img src="s.gif" height="1" width="0">
</td><td class="default"><div><span class="comhead"><a href="user?id=dana" class="hnuser">dana</a> <span class="age">
<a href="item?id=2001">on June 1, 2016</a></span> <a class="togg" n="2" href="javascript:void(0)">[-]</a></span></div>
<br><div class="comment"><span class="commtext c00">An older comment.<p>Second paragraph.</p><div class='reply'><p>
<font size="1"><u><a href="reply?id=2001">reply</a></u></font></div></span></div></td></tr></table></td></tr>
<tr class="athing comtr " id="2002"><td><table border="0"><tr><td class="ind"><img src="s.gif" height="1" width="40">
</td><td class="default"><div><span class="comhead"><a href="user?id=erin" class="hnuser">erin</a></span></div><br>
<div class="comment"><span class="commtext c5a">A greyed reply.<div class='reply'><p><font size="1"><u>
<a href="reply?id=2002">reply</a></u></font></div></span></div></td></tr></table></td></tr>
</table></td></tr></table></center></body></html>"""


def test_2016_markup_spacer_widths_and_reply_inside_text():
    [thread] = hn_page.parse(MARKUP_2016, "old.html")
    assert (thread.title, thread.url, thread.published) == ("A made-up link", "https://example.invalid/story", None)
    assert thread.paragraphs == ()
    assert table(thread) == [("2001", "dana", "An older comment.\n\nSecond paragraph.", None),
                             ("2002", "erin", "A greyed reply.", "2001")]


def test_ask_hn_text_in_old_rows_and_a_link_post_without_comments():
    page = """<html><head><title>Ask HN: Old? | Hacker News</title></head><body><center><table>
    <tr><td><table border="0"><tr><td><center><a id="up_3000" href="vote?for=3000&amp;dir=up">
    <img src="grayarrow.gif"></a></center></td><td class="title"><a href="item?id=3000">Ask HN: Old?</a></td></tr>
    <tr><td colspan="1"></td><td class="subtext"><span id="score_3000">3 points</span> by <a href="user?id=x">x</a>
    1 hour ago | <a href="item?id=3000">discuss</a></td></tr><tr style="height:2px"></tr>
    <tr><td></td><td>The question, in 2013 rows.<p>And more of it.</p></td></tr><tr style="height:10px"></tr>
    <tr><td></td><td><form method="post" action="/r"><textarea name="text"></textarea></form></td></tr>
    </table></td></tr></table></center></body></html>"""
    [thread] = hn_page.parse(page.encode("utf-8"), "old-ask.html")
    assert hn_page.parse(bytearray(page.encode("utf-8")), "old-ask.html") == [thread]
    assert thread.title == "Ask HN: Old?" and thread.comments == ()
    assert thread.paragraphs == ("The question, in 2013 rows.", "And more of it.")
    assert thread.url == "https://news.ycombinator.com/item?id=3000"


def test_the_page_of_a_single_comment():
    page = """<html><head><title>Its text | Hacker News</title></head><body><table id="hnmain"><tr><td>
    <table class="fatitem"><tr class="athing" id="4001"><td class="ind"></td><td class="default"><span class="comhead">
    <a href="user?id=root" class="hnuser">root</a> <span class="age" title="2022-02-02T02:02:02"><a href="item?id=4001">
    1 day ago</a></span> <span class="navs"> | <a href="item?id=4000">parent</a> <span class="onstory"> | on:
    <a href="item?id=3999">The story it belongs to</a></span></span></span><div class="comment">
    <div class="commtext c00">The comment the page is about.</div></div></td></tr></table><br><br>
    <table class="comment-tree">
    <tr class="athing comtr" id="4002"><td><table><tr><td class="ind" indent="0"></td><td class="default">
    <span class="comhead"><a href="user?id=kid" class="hnuser">kid</a></span><div class="comment">
    <div class="commtext c00">An answer to it.</div></div></td></tr></table></td></tr></table></td></tr></table>
    </body></html>"""
    [thread] = hn_page.parse(page, "comment.html")
    assert thread.title == "The story it belongs to"
    assert thread.paragraphs == ("The comment the page is about.",)
    assert table(thread) == [("4002", "kid", "An answer to it.", None)]
    assert thread.url == "https://news.ycombinator.com/item?id=4001"


def test_truncated_and_broken_pages_still_parse():
    half = MODERN[: MODERN.index('id="1005"')]
    [thread] = hn_page.parse(half, "half.html")
    assert [c.id for c in thread.comments] == ["1001", "1002", "1004"]
    assert thread.skipped == {"flagged comments": 1}


@pytest.mark.parametrize("data", [
    "", b"  ", None, 7, {"title": "x", "paragraphs": [], "comments": []}, [1, 2],
    "<html><head><title>Nothing | Hacker News</title></head><body><table id='hnmain'></table></body></html>",
    "<html><body><p>Just a page.</p></body></html>",
])
def test_pages_without_a_story_or_comments_raise_parse_error(data):
    with pytest.raises(ParseError) as info:
        hn_page.parse(data, "nothing.html")
    assert str(info.value).startswith("nothing.html: ") and "\n" not in str(info.value)


@pytest.mark.parametrize("data", [
    None, "x", b"<html></html>", {"title": "x", "paragraphs": ["p"], "comments": [{"text": "c"}]},
    [{"kind": "Listing", "data": {"children": []}}], {"hits": [], "children": []},
    etree.fromstring(b"<rss><channel><item><title>t</title></item></channel></rss>"),
    etree.fromstring(b'<disqus xmlns="http://disqus.com"><thread/></disqus>'),
    lxml.html.fromstring("<html><body><ol class='commentlist'><li class='comment'>Hi</li></ol></body></html>"),
])
def test_detect_refuses_other_formats(data):
    assert not hn_page.detect(data)


@pytest.mark.parametrize("name", OTHER_DEV_FILES)
def test_detect_refuses_saved_blog_pages(name):
    assert not hn_page.detect(load(name))


TAGS = st.sampled_from(["tr", "td", "table", "span", "div", "a", "p", "img", "pre", "title", "form", "font"])
CLASSES = st.sampled_from(["", "athing comtr", "comtr", "ind", "default", "comhead", "hnuser", "age", "commtext c00",
                           "comment", "reply", "titleline", "title", "subtext", "toptext", "fatitem", "comment-tree",
                           "onstory", "storylink"])
ATTRS = st.dictionaries(st.sampled_from(["id", "indent", "width", "title", "href", "src"]),
                        st.sampled_from(["", "1", "-3", "40", "x", "up_12", "2024-01-01T00:00:00 1", "item?id=5",
                                         "user?id=a", "reply?id=9", "s.gif", "99999999999999999999"]), max_size=3)
SAFE_TEXT = st.one_of(st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=15),
                      st.sampled_from(["[flagged]", "[dead]", "[deleted]", "reply", "| Hacker News", ""]))
# (tag, class, id, attributes, text, tail, children); an id, when any, comes from ATTRS
NODE = st.recursive(st.tuples(TAGS, CLASSES, st.none(), ATTRS, SAFE_TEXT, SAFE_TEXT, st.just(())),
                    lambda inner: st.tuples(TAGS, CLASSES, st.none(), ATTRS, SAFE_TEXT, SAFE_TEXT,
                                            st.lists(inner, max_size=5)), max_leaves=30)


@settings(max_examples=300, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NODE, max_size=5), st.booleans())
def test_any_element_tree_gives_a_thread_or_a_parse_error(nodes, as_html):
    root = page_of(nodes, as_html)
    hn_page.detect(root)
    try:
        [thread] = hn_page.parse(root, "tree.html")
    except ParseError as exc:
        assert exc.reason and "\n" not in str(exc)
        return
    assert_well_formed(thread)


@settings(max_examples=200, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200),
                 st.text(st.sampled_from('<>/="\' trdspancomhedfaulind&;#x0[]'), max_size=200)))
def test_any_text_gives_a_thread_or_a_parse_error(data):
    try:
        [thread] = hn_page.parse(data, "text.html")
    except ParseError as exc:
        assert exc.reason and "\n" not in str(exc)
        return
    assert_well_formed(thread)
