"""Every importer that knows who submitted the post fills `Thread.author` (and the post's score where
the site shows one), so the post author can be a speaker of the thread. Made-up inputs only."""

from __future__ import annotations

import lxml.html

from indexing.records import Thread
from indexing.sources import discourse, hn_algolia, hn_api, hn_page, lemmy, mastodon, reddit, youtube
from tests.indexing.sources.test_discourse import post, topic
from tests.indexing.sources.test_hackernews import ASK, item, node, story
from tests.indexing.sources.test_hn_page import MODERN
from tests.indexing.sources.test_lemmy import comment as lemmy_comment
from tests.indexing.sources.test_lemmy import post_view
from tests.indexing.sources.test_mastodon import status
from tests.indexing.sources.test_reddit import page, t1
from tests.indexing.sources.test_wxr import comment as wp_comment
from tests.indexing.sources.test_wxr import export, parse_text
from tests.indexing.sources.test_wxr import item as wp_item
from tests.indexing.sources.test_youtube import info, yt_comment


def test_reddit_post_author_and_score():
    [thread] = reddit.parse(page([t1("c1", "Nice kettle.")], author="KettleFan42", score=88,
                                 selftext="It whistles in C."), "k.json")
    assert (thread.author, thread.score) == ("KettleFan42", 88)
    [gone] = reddit.parse(page([], author="[deleted]", selftext="Still here."), "k.json")
    assert gone.author is None


def test_hacker_news_story_by_and_author():
    [algolia] = hn_algolia.parse(story([node(2, "A comment.")]), "t.json")
    assert (algolia.author, algolia.score) == ("submitter", 50)
    [api] = hn_api.parse([ASK, item(101, parent=100, text="Glass jars.")], "api.json")
    assert (api.author, api.score) == ("asker", 21)
    [orphans] = hn_api.parse([item(101, parent=100, text="The story is not in the file.")], "api.json")
    assert orphans.author is None


def test_hacker_news_page_hnuser_of_the_story():
    [thread] = hn_page.parse(lxml.html.fromstring(MODERN), "ask.html")
    assert (thread.author, thread.score) == ("asker", 12)
    assert "asker" not in {c.author for c in thread.comments}


def test_discourse_post_one_username():
    data = topic([post(1, "<p>The opening post.</p>", username="opener"), post(2, "<p>A reply.</p>")])
    [thread] = discourse.parse(data, "t.json")
    assert thread.author == "opener"
    [mid_topic] = discourse.parse(topic([post(5, "<p>Later on.</p>")]), "page.json")
    assert mid_topic.author is None


def test_wordpress_dc_creator():
    [thread] = parse_text(export(wp_item("A post", "<p>Body.</p>", wp_comment("1", "Nice."))))
    assert thread.author == "owner"


def test_mastodon_root_account_and_never_a_private_root():
    root = status("100", "<p>The ferry runs again.</p>", acct="harbour@social.example", favourites_count=7)
    reply = status("101", "<p>Good news.</p>", acct="reader", reply_to="100")
    [thread] = mastodon.parse([root, reply], "l.json")
    assert (thread.author, thread.score) == ("harbour@social.example", 7)
    hidden = status("100", "<p>Only for followers.</p>", acct="harbour", visibility="private")
    [private] = mastodon.parse([hidden, reply], "l.json")
    assert private.author is None


def test_lemmy_creator():
    data = {"post_view": post_view(body="The vote passed."), "comments": [lemmy_comment(1, "Good.", "0.1")]}
    [thread] = lemmy.parse(data, "post.json")
    assert (thread.author, thread.score) == ("poster", 25)


def test_youtube_uploader_as_their_comments_name_them():
    [plain] = youtube.parse(info([yt_comment("c1", "Great video", "@viewer")]), "v.info.json")
    assert (plain.author, plain.score) == ("Workshop Notes", 50)
    own = yt_comment("c2", "Thanks!", "@workshopnotes", author_is_uploader=True)
    [thread] = youtube.parse(info([yt_comment("c1", "Great video", "@viewer"), own]), "v.info.json")
    assert thread.author == "@workshopnotes"


def test_the_author_is_metadata_while_unknown_and_round_trips():
    thread = Thread(title="t", paragraphs=("p",))
    with_author = Thread(title="t", paragraphs=("p",), author="jane_doe", score=3)
    assert thread.content_hash() == Thread(title="t", paragraphs=("p",), format="markdown").content_hash()
    assert with_author.content_hash() != thread.content_hash()
    assert Thread.from_json(with_author.to_json()) == with_author
    assert Thread.from_json({"title": "t", "paragraphs": ["p"]}).author is None
