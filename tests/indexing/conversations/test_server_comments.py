"""Members' messages kept as comments of a news thread: added, edited and deleted one at a time,
with the passages, vectors, statements and summary cache following; one scope never sees another's."""

from __future__ import annotations

import pytest

from indexing.records import Comment, ServerMessage, Thread
from indexing.summaries.summarize import summarize

ARTICLE = Thread(
    title="Council votes on the new tram line",
    paragraphs=("The city council voted on Tuesday to fund a tram line to the harbour.",
                "Mayor Jane Smith said the line would open in 2027."),
    comments=(Comment("c1", "reader1", "Trams are a waste of money when buses exist."),
              Comment("c2", "reader2", "Finally some public transport to the harbour.", parent="c1")),
    url="https://news.example/tram",
)


@pytest.fixture
def library(any_library):
    """Every test here on both backends (tests/conftest.py: any_library)."""
    return any_library


def message(scope: str, mid: str, text: str, author: str = "Alice", parent: str | None = None,
            channel: str = "900") -> ServerMessage:
    return ServerMessage(scope=scope, channel_id=channel, message_id=mid, author_id="77" if author == "Alice" else "88",
                         author=author, text=text, posted="2025-01-01T10:00:00+00:00",
                         url=f"https://discord.com/channels/{scope}/{channel}/{mid}", parent_id=parent)


async def indexed(library, scope="1"):
    result = await library.index_thread(ARTICLE, scope)
    await library.conversations.attach(scope, "900", result.thread_id)
    return result.thread_id


async def test_messages_become_comments_and_search_finds_them(library):
    tid = await indexed(library)
    touched = await library.conversations.apply("1", [
        message("1", "5001", "The tram depot will flood every winter, mark my words."),
        message("1", "5002", "It will not flood, the depot is on the hill.", author="Bob", parent="5001"),
        message("1", "5003", "not attached channel", channel="901"),
    ])
    assert touched == {tid}
    thread = await library.thread(tid, "1")
    server = [c for c in thread.comments if c.source == "discord"]
    assert [c.id for c in server] == ["5001", "5002"]
    assert server[1].parent == "5001" and server[0].url.endswith("/900/5001") and server[1].author == "Bob"
    hits = await library.search("depot flood winter", scope="1", thread_id=tid)
    assert hits and hits[0].passage.comment_id == "5001" and hits[0].passage.author == "Alice"
    assert await library.statements("1", tid, "Bob")  # /quotes finds members by name
    # A re-upload of the site's thread (as the site has it) keeps the server's comments.
    again = await library.index_thread(ARTICLE, "1")
    assert again.status == "unchanged" and again.comments == 4


async def test_edit_and_delete_follow_through_to_search_and_summaries(library):
    tid = await indexed(library)
    await library.conversations.apply("1", [message("1", "5001", "The harbour tram depot will flood.")])
    await summarize(library, tid, "1", "short")
    await library.conversations.apply("1", [message("1", "5001", "Actually the depot is fine; zebras ride it.")])
    hits = await library.search("zebras", scope="1")
    assert hits and "zebras" in hits[0].passage.text
    assert not [h for h in await library.search("flood", scope="1") if "flood" in h.passage.text]
    before = await library.dense_size()
    await library.conversations.apply("1", deletes=["5001"])
    assert await library.dense_size() == before - 1
    assert not [h for h in await library.search("zebras", scope="1") if "zebras" in h.passage.text]
    thread = await library.thread(tid, "1")
    assert [c.id for c in thread.comments] == ["c1", "c2"]
    info = await library.thread_info(tid, "1")
    assert info.content_hash == ARTICLE.content_hash()  # back to the site's thread exactly
    for length in ("short", "medium"):
        for mode in ("extractive-2", "llm+extractive-2"):
            assert await library.cached_summary(tid, info.content_hash, length, mode) is None


async def test_forget_member_and_scopes(library):
    tid_a = await indexed(library, "1")
    tid_b = await indexed(library, "2")
    await library.conversations.apply("1", [message("1", "5001", "Alice wrote about zebras."),
                                            message("1", "5002", "Bob wrote about giraffes.", author="Bob")])
    await library.conversations.apply("2", [message("2", "6001", "Second server zebras.")])
    assert {h.passage.thread_id for h in await library.search("zebras", scope="2")} == {tid_b}
    assert await library.conversations.messages("2", ["5001"]) == {}  # scope 2 never reaches scope 1's rows
    assert await library.conversations.forget_member("1", "77") == 1
    texts = [c.text for c in (await library.thread(tid_a, "1")).comments]
    assert "Alice wrote about zebras." not in texts and "Bob wrote about giraffes." in texts
    assert (await library.thread(tid_b, "2")).comments[-1].text == "Second server zebras."


async def test_old_threads_keep_their_content_hash():
    # Comments gained `source` and `url`; a thread without them hashes as it did before.
    assert ARTICLE.content_hash() == Thread.from_json(ARTICLE.to_json()).content_hash()
    legacy = ARTICLE.to_json()
    for c in legacy["comments"]:
        del c["source"], c["url"]
    assert Thread.from_json(legacy).content_hash() == ARTICLE.content_hash()


async def test_a_channel_summary_is_read_on_demand_and_kept_nowhere(library, tmp_path):
    from indexing.conversation_summary import summarize_conversation

    topics = ["the tram depot floods", "ticket prices are too high", "the harbour stop is far"]
    messages = [message("1", str(7000 + i), f"I think {topics[i % 3]} — point {i}.", author=f"m{i % 7}")
                for i in range(60)]
    result = await summarize_conversation(library, "#general", messages, "medium")
    assert result.summary is not None and result.summary.discussion is not None
    d = result.summary.discussion
    assert d.comment_count == 60 and d.themes and sum(t.comment_count for t in d.themes) <= 60
    assert d.citations and all(result.message_of(c) is not None for c in d.citations)
    assert all(result.message_of(c).url.startswith("https://discord.com/channels/") for c in d.citations)
    assert await library.threads(scope=None) == []  # nothing kept in the real database
    assert await library.dense_size() == 0
