"""Comment sections of saved article pages: the dev captures against expected.jsonl, made-up pages of each
platform (WordPress, Drupal, Disqus, microdata, JSON-LD), interface text that must never become a comment,
and property tests that any element tree or text gives comments, None or a ParseError, nothing else."""

from __future__ import annotations

import json

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexing.errors import ParseError
from indexing.sources.comment_sections import article_without_comments, extract_comments, is_interface_phrase
from tests.indexing.sources.dev_formats import FORMATS, expected_for, within
from tests.indexing.sources.importer_checks import FUZZ_DEADLINE, page_of

DEV_FILES = ["blog-chriselle-productivity-apps.html", "wptavern-stackoverflow-jobs.html"]
INTERFACE = ["Reply", "Like", "LikeLiked by", "Report", "Want to add to the discussion?", "Leave a Reply",
             "Share this", "Log in to Reply", "awaiting moderation"]


def page(body: str, head: str = "") -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<html><head><title>A made-up post</title>{head}</head><body>{body}</body></html>")


def table(comments) -> list[tuple]:
    return [(c.id, c.author, c.text, c.parent) for c in comments]


def assert_well_formed(comments) -> None:
    ids = [c.id for c in comments]
    assert len(set(ids)) == len(ids)
    assert all(c.text.strip() and (c.parent is None or c.parent in ids) for c in comments)
    for c in comments:
        assert not any(c.text.rstrip(" .!").endswith(word) for word in ("Reply", "Report", "Like")), c.text


def load(name: str) -> lxml.html.HtmlElement:
    if not (FORMATS / name).is_file():
        pytest.skip(f"{FORMATS} is not available")
    return lxml.html.fromstring((FORMATS / name).read_bytes())


@pytest.mark.parametrize("name", DEV_FILES)
def test_dev_capture_matches_expected(name):
    root = load(name)
    want = expected_for(name)
    assert want["format"] == "saved-article-html-wordpress"
    comments, skipped = extract_comments(root, name)
    assert_well_formed(comments)
    by_id = {c.id: c for c in comments}
    assert within(len(comments), want["comments"])
    assert sum(1 for c in comments if c.author) >= 0.9 * want["authors_known"]
    assert within(sum(1 for c in comments if c.parent in by_id), want["replies_linked"])
    for sample in want["sample_comments"]:
        found = [c for c in comments if c.author == sample["author"]
                 and " ".join(c.text.split()).startswith(sample["text_starts_with"])]
        assert found, sample
        parent = by_id[found[0].parent].author if found[0].parent else None
        assert parent == sample["parent_author"], sample
    assert all(c.posted and c.posted[:2] in ("19", "20") for c in comments)


@pytest.mark.parametrize("name", DEV_FILES)
def test_dev_capture_article_without_comments(name):
    root = load(name)
    want = expected_for(name)
    before = lxml.html.tostring(root)
    article = article_without_comments(root, name)
    assert lxml.html.tostring(root) == before  # the page it was given is untouched
    text = " ".join(article.text_content().split())
    assert all(s["text_starts_with"] not in text for s in want["sample_comments"])
    assert extract_comments(article, name) is None
    trafilatura = pytest.importorskip("trafilatura")
    document = trafilatura.bare_extraction(article, with_metadata=True, favor_recall=True, include_comments=True)
    assert document.title == want["title"]
    assert len([line for line in (document.text or "").split("\n") if line.strip()]) >= want["article_paragraphs_min"]
    assert not any(s["text_starts_with"][:25] in " ".join((document.comments or "").split())
                   for s in want["sample_comments"])


WORDPRESS = """
<article class="post hentry"><h1>A made-up post</h1><div class="entry-content"><p>The article itself, a few words.</p>
<div class="sharedaddy sd-sharing-enabled"><h3>Share this:</h3><ul><li><a href="#">Twitter</a></li></ul></div>
<div class="sharedaddy sd-like"><h3>Like this:</h3><div class="likes-widget-placeholder">LikeLiked by 21 people</div>
</div></div></article>
<div id="comments" class="comments-area"><h2 class="comments-title">4 thoughts on "A made-up post"</h2>
<ol class="comment-list">
 <li id="comment-11" class="comment even thread-even depth-1 parent">
  <article id="div-comment-11" class="comment-body">
   <footer class="comment-meta"><div class="comment-author vcard"><img class="avatar" src="a.png" alt="">
    <b class="fn"><a href="http://example.invalid" class="url">Ada Lovelace</a></b>
    <span class="says">says:</span></div>
    <div class="comment-metadata"><a href="#comment-11"><time datetime="2020-05-01T10:00:00+00:00">May 1, 2020 at
    10:00 am</time></a> <span class="edit-link"><a class="comment-edit-link" href="#">Edit</a></span></div>
   </footer>
   <div class="comment-content"><p>First paragraph of a thought.</p><p>Second &amp; last paragraph.</p></div>
   <div class="reply"><a class="comment-reply-link" href="?replytocom=11#respond">Reply</a></div>
  </article>
  <ol class="children">
   <li id="comment-12" class="comment odd alt depth-2">
    <article id="div-comment-12" class="comment-body">
     <footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Charles Babbage</b></div>
      <div class="comment-metadata"><time datetime="2020-05-01T11:30:00+00:00">May 1, 2020</time></div>
      <em class="comment-awaiting-moderation">Your comment is awaiting moderation.</em></footer>
     <div class="comment-content"><p>A reply, with an emoji <img class="wp-smiley" alt=":)" src="s.png"> in it.</p>
      <div class="jetpack-likes-widget-wrapper"><a href="#">Like</a> <span>LikeLiked by 3 people</span></div></div>
     <div class="reply"><a rel="nofollow" class="comment-reply-login" href="/wp-login.php">Log in to Reply</a></div>
    </article>
   </li>
  </ol>
 </li>
 <li id="comment-13" class="pingback even thread-odd depth-1"><div class="comment-body">Pingback:
  <a href="http://example.invalid/elsewhere">Someone else's post</a></div></li>
 <li id="comment-14" class="trackback"><div class="comment-body">Trackback: <a href="#">another site</a></div></li>
 <li id="comment-15" class="comment byuser bypostauthor depth-1">
  <article class="comment-body"><footer class="comment-meta"><div class="comment-author vcard">
   <b class="fn">The Author</b></div><div class="comment-metadata">June 2, 2020 at 9:15 pm</div></footer>
   <div class="comment-content"><p>Thanks for reading.</p></div></article>
 </li>
</ol>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
 <form id="commentform" class="comment-form"><p>Want to add to the discussion?</p><textarea name="comment"></textarea>
 <input type="submit" value="Post Comment"></form></div>
</div>"""


def test_wordpress_comment_list():
    comments, skipped = extract_comments(page(WORDPRESS), "post.html")
    assert table(comments) == [
        ("11", "Ada Lovelace", "First paragraph of a thought.\n\nSecond & last paragraph.", None),
        ("12", "Charles Babbage", "A reply, with an emoji :) in it.", "11"),
        ("15", "The Author", "Thanks for reading.", None),
    ]
    assert [c.posted for c in comments] == ["2020-05-01T10:00:00+00:00", "2020-05-01T11:30:00+00:00",
                                            "2020-06-02T21:15:00"]
    assert skipped == {"pingbacks": 1, "trackbacks": 1}


def test_article_without_comments_keeps_the_article_and_drops_the_section():
    root = page(WORDPRESS)
    article = article_without_comments(root)
    text = " ".join(article.text_content().split())
    assert "The article itself, a few words." in text and "A made-up post" in text
    for gone in ("First paragraph of a thought", "Thanks for reading", "Pingback", "Leave a Reply",
                 "Want to add to the discussion?"):
        assert gone not in text
    assert article.xpath("//form") == [] and article.xpath("//textarea") == []
    assert extract_comments(article) is None
    assert "Thanks for reading" in root.text_content()  # the original is left untouched


def test_old_wordpress_wrapper_markup():
    """Twenty Ten style: li#li-comment-N wraps div#comment-N; the comment text sits in .comment-body."""
    body = """<ol class="commentlist">
    <li class="comment depth-1" id="li-comment-2"><div id="comment-2">
      <div class="comment-author vcard"><cite class="fn">Grace</cite> <span class="says">says:</span></div>
      <div class="comment-meta commentmetadata"><a href="#comment-2">March 3, 2011 at 4:05 pm</a></div>
      <div class="comment-body"><p>Old themes put the text here.</p></div>
      <div class="reply"><a class="comment-reply-link" href="#">Reply &darr;</a></div></div>
      <ul class="children"><li class="comment depth-2" id="li-comment-3"><div id="comment-3">
        <div class="comment-author vcard"><cite class="fn">Alan</cite> says:</div>
        <div class="comment-body"><p>And the reply here.</p></div></div></li></ul>
    </li></ol>"""
    comments, skipped = extract_comments(page(body))
    assert table(comments) == [("2", "Grace", "Old themes put the text here.", None),
                               ("3", "Alan", "And the reply here.", "2")]
    assert comments[0].posted == "2011-03-03T16:05:00" and skipped == {}


def test_drupal_comment_section_nests_by_indented_siblings():
    body = """<article class="node"><h1>A made-up post</h1><div class="field--name-body"><p>Body.</p></div></article>
    <section class="comments"><h2>Comments</h2>
     <a id="comment-1"></a>
     <article data-comment-user-id="0" class="comment js-comment by-anonymous">
      <span class="hidden" data-comment-timestamp="1500000000"></span>
      <footer class="comment__meta"><p class="comment__author"><span class="username">visitor (not verified)</span></p>
       <p class="comment__time">Fri, 07/14/2017 - 02:40</p></footer>
      <div class="comment__content"><h3><a href="/comment/1#comment-1" class="permalink">A subject line</a></h3>
       <div class="field field--name-comment-body"><p>The first Drupal comment.</p></div>
       <ul class="links inline"><li class="comment-delete"><a href="#">Delete</a></li>
        <li class="comment-reply"><a href="/comment/reply/node/1/comment/1">Reply</a></li></ul></div>
     </article>
     <div class="indented"><a id="comment-2"></a>
      <article data-comment-user-id="5" class="comment js-comment">
       <footer class="comment__meta"><p class="comment__author"><a class="username" href="/user/5">member</a></p>
       </footer><div class="comment__content"><div class="field--name-comment-body"><p>A nested answer.</p></div>
       </div></article>
     </div>
     <a id="comment-3"></a>
     <article class="comment js-comment"><footer><span class="username">third</span></footer>
      <div class="field--name-comment-body"><p>Back at the top level.</p></div></article>
    </section>"""
    comments, _ = extract_comments(page(body))
    assert [(c.author, c.text, c.parent is not None) for c in comments] == [
        ("visitor", "The first Drupal comment.", False), ("member", "A nested answer.", True),
        ("third", "Back at the top level.", False)]
    assert comments[1].parent == comments[0].id
    assert comments[0].posted == "2017-07-14T02:40:00+00:00"


def test_drupal_7_rdfa_markup():
    body = """<div id="comments" class="comment-wrapper">
    <div class="comment clearfix" typeof="sioc:Post sioct:Comment"><div class="submitted">
      <span class="username" typeof="sioc:UserAccount">Older Site User</span>
      <span property="dc:date dc:created" content="2013-05-01T10:00:00+00:00">Wed, 05/01/2013 - 10:00</span></div>
     <div class="content"><div class="field field-name-comment-body"><div class="field-item"><p>Seven's markup.</p>
     </div></div></div><ul class="links inline"><li class="comment-reply"><a href="#">reply</a></li></ul></div>
    </div>"""
    comments, _ = extract_comments(page(body))
    assert table(comments)[0][1:] == ("Older Site User", "Seven's markup.", None)
    assert comments[0].posted == "2013-05-01T10:00:00+00:00"


def test_disqus_rendered_comments():
    body = """<div id="disqus_thread"><ul id="post-list" class="post-list">
    <li class="post" id="post-900"><div class="post-content"><div class="post-body"><header>
      <span class="post-byline"><span class="author publisher-anchor-color"><a href="#" data-action="profile">Dee</a>
      </span></span><span class="post-meta"><a class="time-ago" title="Tuesday, March 1, 2016 5:04 PM" href="#">
      5 years ago</a></span></header>
      <div class="post-body-inner"><div class="post-message" data-role="message"><p>A Disqus comment.</p></div></div>
      <footer><menu><li class="voting"><a href="#" class="vote-up" data-action="upvote"><span class="count">3</span>
      </a></li><li class="reply" data-role="reply-link"><a href="#"><span class="text">Reply</span></a></li></menu>
      </footer></div></div>
     <ul class="children"><li class="post" id="post-901"><div class="post-content"><span class="author">Guest</span>
       <div class="post-message"><p>A reply to Dee.</p></div></div></li>
      <li class="post" id="post-902"><div class="post-content"><div class="post-message">This comment was deleted.</div>
      </div></li></ul>
    </li></ul></div>"""
    comments, skipped = extract_comments(page(body))
    assert table(comments) == [("900", "Dee", "A Disqus comment.", None), ("901", "Guest", "A reply to Dee.", "900")]
    assert comments[0].posted == "2016-03-01T17:04:00"
    assert skipped == {"deleted comments": 1}


def test_schema_org_microdata():
    body = """<div class="discussion">
    <div itemscope itemtype="https://schema.org/Comment" itemid="#c-a">
      <span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Mia</span></span>
      <meta itemprop="dateCreated" content="2019-09-09T09:09:09Z">
      <div itemprop="text"><p>Marked up with microdata.</p></div><button>Reply</button>
      <div itemprop="comment" itemscope itemtype="http://schema.org/Comment">
        <span itemprop="author">Noor</span><div itemprop="text">A nested microdata reply.</div></div>
    </div></div>"""
    comments, _ = extract_comments(page(body))
    assert table(comments) == [("#c-a", "Mia", "Marked up with microdata.", None),
                               ("c1", "Noor", "A nested microdata reply.", "#c-a")]
    assert comments[0].posted == "2019-09-09T09:09:09+00:00"


def test_json_ld_comments():
    data = {"@context": "https://schema.org", "@type": "BlogPosting", "headline": "A made-up post",
            "author": {"@type": "Person", "name": "Post Author"},
            "comment": [{"@type": "Comment", "@id": "#j1", "author": {"@type": "Person", "name": "Oli"},
                         "text": "Plain &amp; simple JSON-LD text.", "dateCreated": "2021-02-03T04:05:06Z",
                         "upvoteCount": 4,
                         "comment": [{"@type": "Comment", "author": "Pat", "text": "<p>Nested</p><p>reply.</p>"}]},
                        {"@type": "Comment", "author": [{"name": "Quinn"}], "text": "[deleted]"},
                        {"@type": "Comment", "author": "Rae", "text": "Linked by parentItem.",
                         "parentItem": {"@id": "#j1"}},
                        {"@type": "Comment", "author": "Oli", "text": "   "}]}
    head = f'<script type="application/ld+json">{json.dumps(data)}</script><script type="application/ld+json">{{'
    comments, skipped = extract_comments(page("<p>No comment markup here.</p>", head))
    assert table(comments) == [("#j1", "Oli", "Plain & simple JSON-LD text.", None),
                               ("ld2", "Pat", "Nested\n\nreply.", "#j1"),
                               ("ld3", "Rae", "Linked by parentItem.", "#j1")]
    assert comments[0].posted == "2021-02-03T04:05:06+00:00" and comments[0].score == 4
    assert skipped == {"deleted comments": 1}


@pytest.mark.parametrize("body", [
    """<article><h1>Only an article</h1><p>No one has commented.</p></article>""",
    """<div id="comments"><h3>Leave a comment</h3><p>Want to add to the discussion?</p>
       <p class="must-log-in">You must be <a href="/login">logged in</a> to post a comment.</p>
       <form><textarea></textarea><button>Post Comment</button></form>
       <div class="sharedaddy"><a href="#">Share on Facebook</a></div><div class="likes">LikeLiked by 21 people</div>
       </div>""",
    """<ol class="commentlist"></ol><div class="comment-respond"><a class="comment-reply-link">Reply</a></div>""",
    """<ol class="commentlist"><li class="comment"><div class="reply"><a href="#">Reply</a></div>
       <span>Like</span> <span>3 likes</span></li></ol>""",
    """<table><tr><td><span class="comment">A Hacker News style cell is not a blog comment.</span></td></tr></table>""",
])
def test_pages_without_a_comment_section_give_none(body):
    assert extract_comments(page(body), "page.html") is None


def test_pingbacks_only_are_counted():
    body = """<ol class="commentlist"><li class="pingback" id="comment-1"><p>Pingback: <a href="#">A</a></p></li>
    <li class="pingback" id="comment-2"><p>Pingback: <a href="#">B</a></p></li></ol>"""
    assert extract_comments(page(body)) == ([], {"pingbacks": 2})


def test_duplicate_ids_are_made_unique():
    body = """<ul><li class="comment" id="comment-7"><p class="comment-author">One</p>
    <div class="comment-content">Top.</div></li>
    <li class="comment" id="comment-7"><div class="comment-content">Same id again.</div></li>
    <li class="comment"><div class="comment-content">No id at all.</div></li></ul>"""
    comments, _ = extract_comments(page(body))
    assert table(comments) == [("7", "One", "Top.", None), ("7+", None, "Same id again.", None),
                               ("c2", None, "No id at all.", None)]


def test_genesis_microdata_inside_wordpress_list_items():
    """The li#comment-N only wraps an article[itemtype=Comment]: one comment each, replies still linked."""
    body = """<div class="entry-comments" id="comments"><ol class="comment-list">
    <li class="comment depth-1" id="comment-12"><article itemprop="comment" itemscope itemtype="https://schema.org/Comment">
     <header class="comment-header"><p class="comment-author" itemprop="author" itemscope
      itemtype="https://schema.org/Person"><img class="avatar" alt="" src="a.png"><span class="comment-author-name"
      itemprop="name">Gen Esis</span> <span class="says">says</span></p><p class="comment-meta"><time
      class="comment-time" datetime="2017-01-01T10:00:00+00:00" itemprop="datePublished">January 1, 2017</time></p>
     </header><div class="comment-content" itemprop="text"><p>Framework text.</p></div>
     <div class="comment-reply"><a class="comment-reply-link" href="#">Reply</a></div></article>
     <ul class="children"><li class="comment depth-2" id="comment-13"><article itemprop="comment" itemscope
      itemtype="https://schema.org/Comment"><p class="comment-author" itemprop="author" itemscope><span
      itemprop="name">Re Ply</span></p><div class="comment-content" itemprop="text"><p>An answer.</p></div>
     </article></li></ul></li></ol></div>"""
    comments, _ = extract_comments(page(body))
    assert table(comments) == [("12", "Gen Esis", "Framework text.", None), ("13", "Re Ply", "An answer.", "12")]
    assert comments[0].posted == "2017-01-01T10:00:00+00:00"


def test_old_default_theme_with_cite_and_says():
    body = """<h3 id="comments">2 Responses</h3><ol class="commentlist">
    <li class="alt" id="comment-21"><cite><a href="#" rel="external nofollow">Old Timer</a></cite> Says:<br>
     <small class="commentmetadata"><a href="#comment-21">January 5th, 2008 at 3:04 pm</a></small>
     <p>Text one.</p><p>Text two.</p></li>
    <li id="comment-22"><cite>Another</cite> Says:<br><small class="commentmetadata">January 22nd, 2008 at 11:00 am
     </small><p>Second.</p></li></ol>"""
    comments, _ = extract_comments(page(body))
    assert table(comments) == [("21", "Old Timer", "Text one.\n\nText two.", None), ("22", "Another", "Second.", None)]
    assert [c.posted for c in comments] == ["2008-01-05T15:04:00", "2008-01-22T11:00:00"]


def test_plain_comment_divs_inside_a_comments_section():
    body = """<article><h1>A made-up post</h1><p>Body.</p></article><div class="comments">
    <div class="comment"><p>No author shown here.</p></div>
    <div class="comment"><span class="author">Ann</span><p>Second.</p><a class="reply" href="#">Reply</a></div></div>"""
    comments, _ = extract_comments(page(body))
    assert table(comments) == [("c0", None, "No author shown here.", None), ("c1", "Ann", "Second.", None)]


@pytest.mark.parametrize("text", ["Reply", "reply ↓", "LikeLiked by 21 people", "Like", "12 likes",
                                  "Want to add to the discussion?", "Leave a Reply", "Be the first to like this."])
def test_interface_phrases(text):
    assert is_interface_phrase(text)


@pytest.mark.parametrize("text", ["I like this a lot", "Reply all is a menace", "21 people", "Thanks!"])
def test_not_interface_phrases(text):
    assert not is_interface_phrase(text)


def test_bytes_str_and_broken_markup():
    markup = ('<?xml version="1.0" encoding="utf-8"?><html><body><ol class="commentlist">'
              '<li class="comment" id="comment-1"><cite class="fn">Zoë</cite><div class="comment-content"><p>'
              'Unclosed <b>tags and a truncated')
    for data in (markup, markup.encode("utf-8"), bytearray(markup.encode("utf-8"))):
        comments, _ = extract_comments(data, "broken.html")
        assert table(comments) == [("1", "Zoë", "Unclosed tags and a truncated", None)]


@pytest.mark.parametrize("data", ["", b"   ", None, 42, {"title": "x", "comments": []}, ["<p>"]])
def test_not_a_page_raises_parse_error(data):
    with pytest.raises(ParseError) as info:
        extract_comments(data, "odd.html")
    assert str(info.value).startswith("odd.html: ")
    with pytest.raises(ParseError):
        article_without_comments(data, "odd.html")


@pytest.mark.parametrize("name", ["hn-larry-page-5002483-item.html", "hn-hyperv-containers-item.html"])
def test_hacker_news_pages_are_not_comment_sections(name):
    assert extract_comments(load(name), name) is None


TAGS = st.sampled_from(["li", "div", "article", "section", "ol", "ul", "p", "span", "a", "time", "script", "meta",
                        "form", "cite", "b", "pre", "br", "img"])
CLASSES = st.sampled_from(["", "comment", "children", "fn", "comment-author", "comment-content", "reply", "pingback",
                           "indented", "js-comment", "post", "post-message", "author", "username", "depth-2",
                           "comments", "field--name-comment-body", "likes", "comment depth-1"])
IDS = st.one_of(st.none(), st.sampled_from(["comment-1", "comment-2", "post-3", "comments", "respond", "x"]))
SAFE_TEXT = st.one_of(st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=20),
                      st.sampled_from(["Reply", "Like", "[deleted]", "May 1, 2020", "2020-01-01T00:00:00", ""]))
ATTRS = st.dictionaries(st.sampled_from(["datetime", "content", "itemprop", "itemscope", "itemtype", "title",
                                         "data-comment-id", "href", "alt", "type"]),
                        st.sampled_from(["", "author", "text", "dateCreated", "https://schema.org/Comment", "x",
                                         "1500000000", "javascript:void(0)", "application/ld+json"]), max_size=3)
NODE = st.recursive(st.tuples(TAGS, CLASSES, IDS, ATTRS, SAFE_TEXT, SAFE_TEXT, st.just(())),
                    lambda inner: st.tuples(TAGS, CLASSES, IDS, ATTRS, SAFE_TEXT, SAFE_TEXT,
                                            st.lists(inner, max_size=5)), max_leaves=30)


@settings(max_examples=300, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NODE, max_size=5), st.booleans())
def test_any_element_tree_gives_comments_none_or_a_parse_error(nodes, as_html):
    root = page_of(nodes, as_html)
    try:
        result = extract_comments(root, "tree.html")
        article_without_comments(root, "tree.html")
    except ParseError as exc:
        assert exc.reason and "\n" not in str(exc)
        return
    if result is not None:
        comments, skipped = result
        assert_well_formed_ids(comments)
        assert all(isinstance(v, int) and v > 0 for v in skipped.values())


def assert_well_formed_ids(comments) -> None:
    ids = [c.id for c in comments]
    assert len(set(ids)) == len(ids)
    assert all(c.text.strip() and (c.parent is None or c.parent in ids) for c in comments)
    assert all(c.parent != c.id for c in comments)


@settings(max_examples=200, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200),
                 st.text(st.sampled_from('<>/="\' lio-commentfnpdivclasd&;#x0'), max_size=200)))
def test_any_text_gives_comments_none_or_a_parse_error(data):
    try:
        result = extract_comments(data, "text.html")
    except ParseError as exc:
        assert exc.reason and "\n" not in str(exc)
        return
    if result is not None:
        assert_well_formed_ids(result[0])
