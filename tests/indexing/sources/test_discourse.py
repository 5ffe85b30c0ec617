"""Discourse topic JSON and posts JSON: the dev captures against expected.jsonl, made-up edge cases,
and a property test that any JSON-like value gives threads or a ParseError, nothing else."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexing.errors import ParseError
from indexing.sources import discourse
from tests.indexing.sources.dev_formats import FORMATS, expected_for, within
from tests.indexing.sources.importer_checks import FUZZ_DEADLINE

DEV_FILES = ["discourse-cf-2108-page452.json", "discourse-cf-2144-posts.json"]


@pytest.mark.parametrize("name", DEV_FILES)
def test_dev_capture_matches_expected(name):
    if not (FORMATS / name).is_file():
        pytest.skip(f"{FORMATS} is not available")
    want = expected_for(name)
    data = json.loads((FORMATS / name).read_text(encoding="utf-8"))
    assert discourse.detect(data)
    [thread] = discourse.parse(data, name)
    assert thread.format == "discourse" and thread.source_file == name
    assert thread.title == want["title"]
    assert len(thread.paragraphs) >= want["article_paragraphs_min"]
    comments = thread.comments
    by_id = {c.id: c for c in comments}
    assert len(by_id) == len(comments)
    assert within(len(comments), want["comments"])
    assert sum(1 for c in comments if c.author) >= 0.9 * want["authors_known"]
    assert within(sum(1 for c in comments if c.parent in by_id), want["replies_linked"])
    for sample in want["sample_comments"]:
        found = [c for c in comments if c.author == sample["author"]
                 and " ".join(c.text.split()).startswith(sample["text_starts_with"])]
        assert found, sample
        assert any((by_id[c.parent].author if c.parent else None) == sample["parent_author"] for c in found), sample


def post(number: int, cooked: str, **extra) -> dict:
    base = {"id": 1000 + number, "post_number": number, "post_type": 1, "username": f"user{number}",
            "name": "", "cooked": cooked, "created_at": f"2024-01-0{min(number, 9)}T10:00:00.000Z",
            "reply_to_post_number": None, "hidden": False, "deleted_at": None, "user_deleted": False,
            "topic_slug": "a-made-up-topic", "topic_id": 77}
    base.update(extra)
    return base


def topic(posts: list, **extra) -> dict:
    base = {"post_stream": {"posts": posts, "stream": [p.get("id") for p in posts if isinstance(p, dict)]},
            "id": 77, "title": "A made-up topic", "slug": "a-made-up-topic", "created_at": "2024-01-01T09:00:00Z"}
    base.update(extra)
    return base


def test_opening_post_is_the_article_and_replies_link_by_post_number():
    data = topic([
        post(1, "<p>First paragraph of the opening post.</p><p>Second one &amp; more.</p>"),
        post(2, "<p>A reply to the article.</p>", reply_to_post_number=1,
             actions_summary=[{"id": 2, "count": 3}]),
        post(3, "<p>Answering post two.</p>", reply_to_post_number=2),
        post(4, "<p>closed</p>", post_type=3, action_code="closed.enabled"),
        post(5, "<p>staff only</p>", post_type=4),
        post(6, "<p>moderator note</p>", post_type=2),
        post(7, "<p>flagged</p>", hidden=True),
        post(8, "<p>(post deleted by author)</p>", user_deleted=True),
        post(9, "<p>removed</p>", deleted_at="2024-01-09T00:00:00Z"),
        post(3, "<p>the same post again</p>"),
        {"post_number": "x", "cooked": "<p>bad number</p>"},
        "not a post",
        post(10, "<p>Replying to a hidden post.</p>", reply_to_post_number=7),
    ])
    [thread] = discourse.parse(data, "t.json")
    assert thread.title == "A made-up topic"
    assert thread.paragraphs == ("First paragraph of the opening post.", "Second one & more.")
    assert thread.published == "2024-01-01T09:00:00Z"
    assert [(c.id, c.author, c.parent) for c in thread.comments] == [
        ("2", "user2", None), ("3", "user3", "2"), ("10", "user10", None)]
    assert thread.comments[0].score == 3
    assert thread.comments[0].posted == "2024-01-02T10:00:00.000Z"
    assert thread.skipped == {"small action posts": 1, "whispers": 1, "moderator action posts": 1,
                              "hidden posts": 1, "deleted posts": 2, "duplicate posts": 1, "malformed posts": 2}


def test_a_page_from_mid_topic_has_no_article_and_outside_parents_are_none():
    data = topic([post(41, "<p>Replying to something earlier.</p>", reply_to_post_number=12),
                  post(42, "<p>Replying inside the page.</p>", reply_to_post_number=41)])
    [thread] = discourse.parse(data, "page.json")
    assert thread.paragraphs == ()
    assert [(c.id, c.parent) for c in thread.comments] == [("41", None), ("42", "41")]


QUOTED = ('<aside class="quote no-group" data-username="user1" data-post="1"><div class="title">'
          '<div class="quote-controls"></div><img class="avatar" src="x.png"> user1:</div>'
          '<blockquote><p>the quoted words</p></blockquote></aside><p>My own answer <img class="emoji" alt=":smile:"'
          ' src="s.png"></p>')


def test_quotes_stay_as_the_forum_shows_them_unless_dropped():
    data = topic([post(2, QUOTED, reply_to_post_number=None)])
    [kept] = discourse.parse(data, "q.json")
    assert kept.comments[0].text == "user1:\n\nthe quoted words\n\nMy own answer :smile:"
    [dropped] = discourse.parse(data, "q.json", drop_quotes=True)
    assert dropped.comments[0].text == "My own answer :smile:"


def test_link_previews_become_urls_and_image_only_posts_keep_a_placeholder():
    onebox = ('<aside class="onebox" data-onebox-src="https://example.org/page"><header>example.org</header>'
              '<article><h3>Preview title</h3><p>Preview text</p></article></aside><p>Look at this.</p>')
    lightbox = ('<div class="lightbox-wrapper"><a class="lightbox" href="big.png"><img src="small.png">'
                '<div class="meta"><span class="filename">shot.png</span> 800×600 90 KB</div></a></div>')
    video = ('<div class="video-onebox lazy-video-container" data-video-title="A clip">'
             '<a href="https://video.example/1"><img src="thumb.jpg"></a></div>')
    [thread] = discourse.parse(topic([post(2, onebox), post(3, lightbox), post(4, video)]), "o.json")
    assert [c.text for c in thread.comments] == ["https://example.org/page\n\nLook at this.", "[image]",
                                                  "https://video.example/1"]


def test_posts_file_titles_come_from_what_the_file_holds():
    posts = [post(2, "<p>Hello there.</p>")]
    assert discourse.parse({"post_stream": {"posts": posts}, "id": 77}, "p.json")[0].title == "A made up topic"
    linked = post(1, "<p>See <a href='https://blog.example/a-made-up-topic'>it</a></p>",
                  link_counts=[{"url": "https://blog.example/x", "title": "A Made-Up Topic"}])
    assert discourse.parse({"post_stream": {"posts": [linked, *posts]}}, "p.json")[0].title == "A Made-Up Topic"
    titled = [post(2, "<p>Hi.</p>", topic_title="The Real Title")]
    assert discourse.parse({"post_stream": {"posts": titled}}, "p.json")[0].title == "The Real Title"
    no_slug = [post(2, "<p>Hi.</p>", topic_slug="topic")]
    assert discourse.parse({"post_stream": {"posts": no_slug}, "id": 5}, "p.json")[0].title == "Discourse topic 5"
    fancy = topic(posts, title=None, fancy_title="Cats &amp; dogs")
    assert discourse.parse(fancy, "p.json")[0].title == "Cats & dogs"


def test_reply_cycles_are_cut_and_lone_surrogates_replaced():
    data = topic([post(2, "<p>a\ud800</p>", reply_to_post_number=3, username="x\udfff"),
                  post(3, "<p>b</p>", reply_to_post_number=2), post(4, "<p>c</p>", reply_to_post_number=4)])
    [thread] = discourse.parse(data, "c.json")
    parents = {c.id: c.parent for c in thread.comments}
    assert parents["4"] is None and None in (parents["2"], parents["3"])
    for c in thread.comments:
        c.text.encode("utf-8")
        (c.author or "").encode("utf-8")


@pytest.mark.parametrize("data", [
    None, [], "text", 3, {}, {"post_stream": []}, {"post_stream": {"posts": {}}},
    {"post_stream": {"posts": []}}, {"post_stream": {"posts": [None, 1, "x", []]}},
    {"post_stream": {"posts": [{"post_number": 2, "cooked": 5}]}},
    {"post_stream": {"posts": [{"post_number": True, "cooked": "<p>x</p>"}]}},
    topic([post(2, "<p>small</p>", post_type=3)]),
    topic([post(2, "   ")]),
])
def test_malformed_or_empty_input_raises_parse_error(data):
    with pytest.raises(ParseError):
        discourse.parse(data, "bad.json")


def test_wrong_typed_fields_are_tolerated():
    data = topic([post(2, "<p>ok</p>", username=5, name=["n"], created_at=7, reply_to_post_number="x",
                       actions_summary="nope", post_type="1")], title=9, slug=None)
    [thread] = discourse.parse(data, "w.json")
    assert thread.title == "A made up topic"  # the posts' topic_slug
    [c] = thread.comments
    assert (c.author, c.posted, c.parent, c.score) == (None, None, None, None)


@pytest.mark.parametrize("data", [
    {"title": "A thread", "paragraphs": ["p"], "comments": [{"text": "hi"}]},
    [{"kind": "Listing", "data": {"children": []}}, {"kind": "Listing", "data": {"children": []}}],
    {"id": 1, "type": "story", "title": "HN", "children": []},
    {"by": "a", "id": 1, "kids": [2], "type": "story"},
    {"post_stream": None}, {"post_stream": {"posts": [{"kind": "t1"}]}}, None, "x",
])
def test_detect_refuses_other_shapes(data):
    assert not discourse.detect(data)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
POST_KEYS = ["post_number", "post_type", "cooked", "raw", "username", "name", "reply_to_post_number", "hidden",
             "deleted_at", "user_deleted", "created_at", "topic_title", "topic_slug", "link_counts", "actions_summary",
             "like_count", "topic_id"]
POST_VALUES = st.one_of(JSON, st.integers(min_value=-2, max_value=6),
                        st.sampled_from(["<p>hi</p>", "<aside class='quote'><p>q</p></aside>", "<img src=x>", "1"]))
LIKELY_POST = st.fixed_dictionaries(
    {"post_number": st.integers(min_value=0, max_value=5), "cooked": st.sampled_from(["<p>hi</p>", "", "<img src=x>"])},
    optional={key: POST_VALUES for key in POST_KEYS if key not in ("post_number", "cooked")})
POSTS = st.lists(LIKELY_POST | st.dictionaries(st.sampled_from(POST_KEYS), POST_VALUES, max_size=8) | JSON, max_size=6)
TOPICS = st.one_of(
    JSON,
    st.builds(lambda posts, extra: {**extra, "post_stream": {"posts": posts}}, POSTS,
              st.dictionaries(st.sampled_from(["title", "fancy_title", "slug", "id", "created_at"]), JSON, max_size=4)))


@settings(max_examples=400, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(TOPICS, st.booleans())
def test_any_json_value_gives_threads_or_a_parse_error(data, drop_quotes):
    discourse.detect(data)
    try:
        threads = discourse.parse(data, "any.json", drop_quotes=drop_quotes)
    except ParseError as exc:
        assert exc.reason and "\n" not in str(exc)
        return
    for thread in threads:
        assert thread.title.strip() and thread.format == "discourse"
        assert len({c.id for c in thread.comments}) == len(thread.comments)
        ids = {c.id for c in thread.comments}
        for c in thread.comments:
            assert c.text.strip() and (c.parent is None or c.parent in ids)
            for text in (c.text, c.author or "", c.id, thread.title, *thread.paragraphs):
                text.encode("utf-8")
