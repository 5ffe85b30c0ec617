"""The Lemmy post + comments importer: made-up documents in the v3 API's documented shape (there are
no real captures of it), edge cases, detect exclusivity, and fuzzing that only ParseError escapes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexing.errors import ParseError
from indexing.sources import discourse, hn_algolia, hn_api, lemmy, mastodon, reddit, youtube
from tests.indexing.sources.importer_checks import FUZZ_DEADLINE, assert_threads_or_parse_error

HOST = "https://links.example"


def post_view(**post) -> dict:
    base = {"id": 7, "name": "Town council approves the new cycle lanes", "body": None, "url": None,
            "published": "2024-05-01T08:00:00.123456Z", "ap_id": f"{HOST}/post/7", "deleted": False,
            "removed": False, "locked": False, "nsfw": False, "community_id": 3, "creator_id": 11, "local": True}
    base.update(post)
    return {"post": base, "creator": {"id": 11, "name": "poster", "actor_id": f"{HOST}/u/poster"},
            "community": {"id": 3, "name": "localnews", "title": "Local News", "actor_id": f"{HOST}/c/localnews"},
            "counts": {"post_id": 7, "comments": 4, "score": 25, "upvotes": 27, "downvotes": 2}}


def comment(cid: int, content: str, path: str, name: str = "someone", **extra) -> dict:
    base = {"id": cid, "creator_id": 100 + cid, "post_id": 7, "content": content, "removed": False,
            "published": "2024-05-01T09:00:00.5Z", "deleted": False, "ap_id": f"{HOST}/comment/{cid}",
            "local": True, "path": path, "distinguished": False, "language_id": 0}
    base.update(extra)
    return {"comment": base, "creator": {"id": 100 + cid, "name": name, "actor_id": f"{HOST}/u/{name}"},
            "post": {"id": 7}, "community": {"id": 3}, "counts": {"comment_id": cid, "score": cid, "child_count": 0}}


BODY = "The vote passed **easily**.\n\nWork starts in June &amp; ends in autumn.\n  \n\n\nSee the [minutes](https://x)."


def test_post_and_comments_with_reply_links_from_the_path():
    data = {"post_view": post_view(body=BODY), "community_view": {}, "moderators": [], "cross_posts": [],
            "comments": [comment(21, "Finally!", "0.21", "alice"),
                         comment(22, "Where exactly?\n\nOn which streets?", "0.21.22", "bob"),
                         comment(23, "Main Street first.", "0.21.22.23", "alice"),
                         comment(24, "Good &amp; overdue.", "0.24", "carol")]}
    assert lemmy.detect(data)
    [thread] = lemmy.parse(data, "post.json")
    assert thread.format == "lemmy" and thread.source_file == "post.json"
    assert thread.title == "Town council approves the new cycle lanes"
    assert thread.paragraphs == ("The vote passed **easily**.", "Work starts in June & ends in autumn.",
                                 "See the [minutes](https://x).")
    assert thread.url == f"{HOST}/post/7"
    assert thread.source == "links.example/c/localnews"
    assert thread.published == "2024-05-01T08:00:00.123456+00:00"
    assert [(c.id, c.author, c.parent, c.score) for c in thread.comments] == [
        ("21", "alice", None, 21), ("22", "bob", "21", 22), ("23", "alice", "22", 23), ("24", "carol", None, 24)]
    assert thread.comments[1].text == "Where exactly?\n\nOn which streets?"
    assert thread.comments[3].text == "Good & overdue."
    assert thread.comments[0].posted == "2024-05-01T09:00:00.500000+00:00"
    assert thread.skipped == {}


def test_a_link_post_has_no_paragraphs_and_its_target_as_source():
    data = {"post_view": post_view(url="https://news.example/story", published="2023-06-20T10:00:00")}
    [thread] = lemmy.parse(data, "link.json")
    assert thread.paragraphs == () and thread.comments == ()
    assert thread.source == "https://news.example/story"
    assert thread.published == "2023-06-20T10:00:00+00:00"  # Lemmy 0.18 wrote UTC without a zone


def test_deleted_removed_empty_duplicate_foreign_and_malformed_comments_are_skipped_and_counted():
    data = {"post_view": post_view(), "comments": [
        comment(21, "Kept.", "0.21"),
        comment(22, "", "0.21.22", deleted=True),
        comment(23, "", "0.23", removed=True),
        comment(24, "Under the deleted one.", "0.21.22.24"),
        comment(25, "   ", "0.25"),
        comment(21, "Kept again?", "0.21"),
        comment(26, "Another post's comment.", "0.26", post_id=8),
        {"comment": "x"}, "nope", None,
    ]}
    [thread] = lemmy.parse(data, "skips.json")
    assert [(c.id, c.parent) for c in thread.comments] == [("21", None), ("24", None)]
    assert thread.skipped == {"deleted comments": 1, "removed comments": 1, "empty comments": 1,
                              "duplicate comments": 1, "comments of other posts": 1, "malformed comments": 3}


def test_the_wrapped_comment_list_response_and_ids_from_the_path():
    views = [comment(21, "Top.", "0.21"), comment(22, "Reply.", "0.21.22", id=None)]
    [thread] = lemmy.parse({"post_view": post_view(), "comments": {"comments": views}}, "w.json")
    assert [(c.id, c.parent) for c in thread.comments] == [("21", None), ("22", "21")]


def test_a_removed_post_keeps_its_title_but_not_its_body():
    [thread] = lemmy.parse({"post_view": post_view(body="Gone text.", removed=True),
                            "comments": [comment(21, "Still here.", "0.21")]}, "r.json")
    assert thread.paragraphs == () and thread.skipped == {"removed post text": 1}
    assert thread.title and len(thread.comments) == 1


def test_wrong_typed_fields_are_tolerated():
    odd = comment(21, "Text\ud800", "0.x.21", published="yesterday")
    odd["creator"] = {"name": 5}
    odd["counts"] = {"score": "lots"}
    view = post_view(ap_id=None, published=3, body=["not text"])
    view["community"] = "nope"
    [thread] = lemmy.parse({"post_view": view, "comments": [odd]}, "odd.json")
    [c] = thread.comments
    assert (c.author, c.parent, c.posted, c.score, c.text) == (None, None, None, None, "Text\ufffd")
    assert (thread.url, thread.published, thread.source, thread.paragraphs) == (None, None, None, ())


@pytest.mark.parametrize("data", [
    None, [], "x", 5, {}, {"post_view": None}, {"post_view": {"post": "x"}},
    {"post_view": post_view(name="  ")}, {"post_view": post_view(name=None)},
    {"post_view": post_view(), "comments": "truncated"}, {"post_view": post_view(), "comments": 3},
])
def test_malformed_or_truncated_documents_raise_parse_error(data):
    with pytest.raises(ParseError):
        lemmy.parse(data, "bad.json")


OTHER_SHAPES = [
    {"title": "A thread", "paragraphs": ["p"], "comments": [{"text": "hi", "author": "a"}]},
    [{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"title": "x"}}]}},
     {"kind": "Listing", "data": {"children": []}}],
    {"id": 1, "type": "story", "title": "HN", "author": "pg", "created_at": "2020-01-01", "children": []},
    {"by": "a", "id": 1, "kids": [2], "type": "story", "time": 1},
    {"post_stream": {"posts": [{"post_number": 1, "cooked": "<p>x</p>"}]}, "title": "T"},
    {"ancestors": [], "descendants": [{"id": "1", "content": "<p>x</p>", "account": {}, "created_at": "t"}]},
    {"id": "v1", "title": "A video", "extractor": "youtube", "webpage_url": "https://www.youtube.com/watch?v=v1",
     "comments": []},
    {"post": {"name": "x"}}, {"post_view": {"post": {}}, "comments": "x"}, None,
]


@pytest.mark.parametrize("data", OTHER_SHAPES)
def test_detect_refuses_other_formats(data):
    assert not lemmy.detect(data)


def test_other_importers_refuse_the_lemmy_shape():
    data = {"post_view": post_view(body=BODY), "comments": [comment(21, "Finally!", "0.21")]}
    assert lemmy.detect(data)
    for other in (reddit, hn_algolia, hn_api, discourse, mastodon, youtube):
        assert not other.detect(data), other.FORMAT


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
COMMENT_KEYS = ["id", "content", "path", "published", "deleted", "removed", "post_id"]
VALUES = st.one_of(JSON, st.sampled_from(["0.1", "0.1.2", "0.2.1", "0", "1", "hi", "2024-01-01T00:00:00"]),
                   st.integers(min_value=0, max_value=3))
VIEWS = st.lists(st.one_of(
    JSON,
    st.fixed_dictionaries({"comment": st.dictionaries(st.sampled_from(COMMENT_KEYS), VALUES, max_size=7)},
                          optional={"creator": st.dictionaries(st.just("name"), JSON), "counts": JSON})), max_size=6)
POSTS = st.fixed_dictionaries({"post": st.dictionaries(st.sampled_from(["id", "name", "body", "url", "ap_id",
                                                                       "published", "deleted", "removed"]),
                                                       VALUES, max_size=8)},
                              optional={"community": JSON, "creator": JSON, "counts": JSON})
DOCUMENTS = st.one_of(JSON, st.builds(lambda p, c: {"post_view": p, "comments": c}, POSTS, VIEWS | JSON))


@settings(max_examples=400, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_any_json_value_gives_a_thread_or_a_parse_error(data):
    assert_threads_or_parse_error(lemmy, data, "any.json")
