"""The yt-dlp `.info.json` importer: made-up info dicts in yt-dlp's documented shape (there are no
real captures of it), edge cases, detect exclusivity, and fuzzing that only ParseError escapes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexing.errors import ParseError
from indexing.sources import discourse, hn_algolia, hn_api, lemmy, mastodon, reddit, youtube
from tests.indexing.sources.importer_checks import FUZZ_DEADLINE, assert_threads_or_parse_error


def info(comments: list | None = None, **extra) -> dict:
    """An info dict as `yt-dlp --write-info-json --write-comments` writes it (a few of its many keys)."""
    base = {"id": "abc123XYZ_0", "title": "Repairing an old bicycle hub", "fulltitle": "Repairing an old bicycle hub",
            "description": ("In this video I take apart a hub.\nParts list below.\n\n\n"
                            "Chapters:\n0:00 Intro\n1:30 Bearings"),
            "uploader": "Workshop Notes", "uploader_id": "@workshopnotes", "channel": "Workshop Notes",
            "upload_date": "20240214", "duration": 612, "view_count": 1000, "like_count": 50,
            "webpage_url": "https://www.youtube.com/watch?v=abc123XYZ_0", "original_url": "https://youtu.be/abc123XYZ_0",
            "webpage_url_domain": "youtube.com", "extractor": "youtube", "extractor_key": "Youtube",
            "_type": "video", "formats": [], "thumbnails": [], "tags": ["bicycle"], "comment_count": 4}
    if comments is not None:
        base["comments"] = comments
    base.update(extra)
    return base


def yt_comment(cid: str, text: str, author: str, parent: str = "root", **extra) -> dict:
    base = {"id": cid, "parent": parent, "text": text, "like_count": 3, "author_id": f"UC{author}",
            "author": author, "author_thumbnail": "https://yt3.example/a.jpg", "author_is_uploader": False,
            "is_favorited": False, "_time_text": "2 days ago", "timestamp": 1707955200, "is_pinned": False}
    base.update(extra)
    return base


COMMENTS = [
    yt_comment("Ugw1", "Which grease do you use?", "@rider1"),
    yt_comment("Ugw1.r1", "Lithium grease, nothing fancy.", "@workshopnotes", parent="Ugw1", author_is_uploader=True),
    yt_comment("Ugw1.r2", "@workshopnotes thanks!\n\nWorked for me.", "@rider1", parent="Ugw1"),
    yt_comment("Ugw2", "Great close-up shots.", "@viewer2", like_count=None),
]


def test_video_description_is_the_article_and_comments_link_to_their_parent():
    data = info(COMMENTS)
    assert youtube.detect(data)
    [thread] = youtube.parse(data, "video.info.json")
    assert thread.format == "youtube" and thread.source_file == "video.info.json"
    assert thread.title == "Repairing an old bicycle hub"
    assert thread.paragraphs == ("In this video I take apart a hub.\nParts list below.",
                                 "Chapters:\n0:00 Intro\n1:30 Bearings")
    assert thread.url == "https://www.youtube.com/watch?v=abc123XYZ_0"
    assert thread.source == "YouTube"
    assert thread.published == "2024-02-14"
    assert [(c.id, c.author, c.parent) for c in thread.comments] == [
        ("Ugw1", "@rider1", None), ("Ugw1.r1", "@workshopnotes", "Ugw1"), ("Ugw1.r2", "@rider1", "Ugw1"),
        ("Ugw2", "@viewer2", None)]
    assert thread.comments[2].text == "@workshopnotes thanks!\n\nWorked for me."
    assert thread.comments[0].posted == "2024-02-15T00:00:00+00:00"
    assert (thread.comments[0].score, thread.comments[3].score) == (3, None)
    assert thread.skipped == {}


def test_an_info_json_without_comments_is_still_a_thread():
    data = info(None)
    assert youtube.detect(data)
    [thread] = youtube.parse(data, "plain.info.json")
    assert thread.comments == () and len(thread.paragraphs) == 2


def test_timestamp_wins_over_upload_date_and_other_sites_keep_their_name():
    [thread] = youtube.parse(info([], timestamp=1707900000, extractor_key="Vimeo", extractor="vimeo"), "v.json")
    assert thread.published == "2024-02-14T08:40:00+00:00" and thread.source == "Vimeo"


def test_empty_duplicate_and_malformed_comments_are_skipped_and_counted():
    comments = [*COMMENTS, yt_comment("Ugw3", "   ", "@blank"), yt_comment("Ugw2", "again", "@viewer2"),
                yt_comment("Ugw4.r1", "Reply to a comment that is not here.", "@late", parent="Ugw4"),
                yt_comment("Ugw5", "", "@html", html="<p>Only <b>HTML</b> here</p>"),
                "a string", None, ["x"]]
    [thread] = youtube.parse(info(comments), "s.json")
    by_id = {c.id: c for c in thread.comments}
    assert by_id["Ugw4.r1"].parent is None
    assert by_id["Ugw5"].text == "Only HTML here"
    assert len(thread.comments) == 6
    assert thread.skipped == {"empty comments": 1, "duplicate comments": 1, "malformed comments": 3}


def test_wrong_typed_fields_are_tolerated():
    odd = {**yt_comment(5, "Text\ud800", "@x", parent=["root"], timestamp="soon", like_count=True), "author": 7}
    nameless = {"text": "No id at all", "parent": "root"}
    data = info([odd, nameless], title=None, fulltitle=None, upload_date="2024-02-14", description=3,
                webpage_url="not a url", original_url=None)
    [thread] = youtube.parse(data, "odd.json")
    assert thread.title == "Video abc123XYZ_0"
    assert (thread.url, thread.published, thread.paragraphs) == (None, None, ())
    first, second = thread.comments
    assert (first.id, first.author, first.parent, first.posted, first.score) == ("5", None, None, None, None)
    assert first.text == "Text\ufffd" and second.id == "c2"


@pytest.mark.parametrize("data", [
    None, [], "x", 4, {}, info("truncated"), info({"id": "c"}), info([], title=None, fulltitle=None, id=None),
])
def test_malformed_or_truncated_documents_raise_parse_error(data):
    with pytest.raises(ParseError):
        youtube.parse(data, "bad.json")


OTHER_SHAPES = [
    {"title": "A thread", "paragraphs": ["p"], "comments": [{"text": "hi", "author": "a"}]},
    {"title": "A thread", "url": "https://x.example", "comments": [], "source": "x"},
    [{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"title": "x"}}]}},
     {"kind": "Listing", "data": {"children": []}}],
    {"id": 1, "type": "story", "title": "HN", "author": "pg", "created_at": "2020-01-01", "children": []},
    {"by": "a", "id": 1, "kids": [2], "type": "story", "time": 1},
    {"post_stream": {"posts": [{"post_number": 1, "cooked": "<p>x</p>"}]}, "title": "T"},
    {"ancestors": [], "descendants": []},
    {"post_view": {"post": {"id": 1, "name": "A post"}}, "comments": []},
    {"_type": "playlist", "title": "A list", "extractor": "youtube:tab", "webpage_url": "https://x", "entries": []},
    {"title": "Random JSON", "comments": [], "extractor": ""}, {"webpage_url": "https://x"}, None,
]


@pytest.mark.parametrize("data", OTHER_SHAPES)
def test_detect_refuses_other_formats(data):
    assert not youtube.detect(data)


@pytest.mark.parametrize("data", [info(COMMENTS), info(None)])
def test_other_importers_refuse_the_info_json(data):
    assert youtube.detect(data)
    for other in (reddit, hn_algolia, hn_api, discourse, mastodon, lemmy):
        assert not other.detect(data), other.FORMAT


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
COMMENT_KEYS = ["id", "text", "html", "author", "parent", "timestamp", "like_count"]
VALUES = st.one_of(JSON, st.sampled_from(["root", "a", "b", "a.b", "<p>hi</p>", "20240230", "19991231"]),
                   st.integers(min_value=-10**12, max_value=10**12))
COMMENT_LISTS = st.lists(st.dictionaries(st.sampled_from(COMMENT_KEYS), VALUES, max_size=7) | JSON, max_size=6)
INFO_KEYS = ["id", "title", "fulltitle", "description", "webpage_url", "original_url", "upload_date",
             "release_date", "timestamp", "extractor", "extractor_key", "webpage_url_domain", "_type"]
DOCUMENTS = st.one_of(JSON, st.builds(lambda d, c: {**d, "comments": c},
                                      st.dictionaries(st.sampled_from(INFO_KEYS), VALUES, max_size=10),
                                      COMMENT_LISTS | JSON))


@settings(max_examples=400, deadline=FUZZ_DEADLINE, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_any_json_value_gives_a_thread_or_a_parse_error(data):
    assert_threads_or_parse_error(youtube, data, "any.json")


@pytest.mark.parametrize(("day", "want"), [("20240230", None), ("2024021", None), ("19991231", "1999-12-31")])
def test_upload_dates_must_be_real_days(day, want):
    [thread] = youtube.parse(info(None, upload_date=day), "d.json")
    assert thread.published == want
