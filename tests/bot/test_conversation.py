"""The server's own conversation, end to end on the fake Discord with the real client and model:
a digest opens a discussion thread; members' messages there are indexed, cited by jump link and
answered from; edits and deletes follow; a hidden channel is never cited; a second server never
sees the first's messages; channel summaries read history on demand and keep nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import SEED

from .fake_channels import delete_messages, edit_message, hide_channel, seed_history

pytestmark = pytest.mark.bot(embedder="real", conversation_batch_seconds=0.0)

TRAM = json.dumps({
    "title": "Council votes on the new tram line",
    "url": "https://news.example/tram",
    "paragraphs": ["The city council voted on Tuesday to fund a tram line to the harbour.",
                   "Mayor Jane Smith said the line would open in 2027 and cost 400 million."],
    "comments": [{"id": "c1", "author": "reader1", "text": "Trams are a waste of money when buses exist."},
                 {"id": "c2", "author": "reader2", "text": "Finally some public transport to the harbour."}],
}).encode()


async def upload_tram(env, guild):
    inter = await env.fake.slash(guild, "upload", {"file": env.fake.attachment("tram.json", TRAM)})
    assert inter.followups, inter.callbacks
    thread_ids = [tid for tid, t in env.fake.threads.items() if t["guild_id"] == guild.id]
    assert len(thread_ids) == 1, "the digest opened no discussion thread"
    return thread_ids[0]


async def test_a_digest_opens_a_thread_whose_messages_are_answered_from_and_cited(bot_env):
    env = bot_env
    fake = env.fake
    discussion = await upload_tram(env, env.guild_a)
    assert fake.threads[discussion]["parent_id"] == env.guild_a.channel("general")
    alice, bob = fake.user("alice"), fake.user("bob")
    first = await fake.post_message(env.guild_a, "The tram depot will flood every winter because it sits in "
                                    "the marsh by the river.", channel=discussion, user=alice)
    await fake.post_message(env.guild_a, "No, the depot is on the hill, it will never flood @everyone",
                            channel=discussion, user=bob, reply_to=first)
    await fake.slash(env.guild_a, "ask", {"question": "anything"}, channel=discussion)  # a command: not kept
    scope = str(env.guild_a.id)
    tid = (await env.library.threads(scope=scope))[0].id
    thread = await env.library.thread(tid, scope)
    server = [c for c in thread.comments if c.source == "discord"]
    assert [c.author for c in server] == ["alice", "bob"] and server[1].parent == first["id"]
    assert server[0].url.endswith(f"/{discussion}/{first['id']}")
    # /ask inside the Discord thread is about its news thread: article, site comments and server messages.
    inter = await fake.slash(env.guild_a, "ask", {"question": "why will the tram depot flood?"}, channel=discussion)
    text = inter.text()
    assert "in Council votes on the new tram line" in text and "marsh" in text
    assert f"/{discussion}/{first['id']})" in text  # cited by jump link
    summary = await fake.slash(env.guild_a, "summary", {}, channel=discussion)
    assert "2 on the site, 2 here" in summary.text()
    quotes = await fake.slash(env.guild_a, "quotes", {"speaker": "alice"})
    assert "marsh" in quotes.text()
    # Another server never sees these messages.
    other = await fake.slash(env.guild_b, "ask", {"question": "why will the tram depot flood?"})
    assert "marsh" not in other.text()
    # Edited, then deleted: gone from the answers.
    await edit_message(fake, first, "The depot is fine, zebras will guard the tram depot.")
    assert "zebras" in (await fake.slash(env.guild_a, "ask", {"question": "who will guard the tram depot?"},
                                         channel=discussion)).text()
    await delete_messages(fake, env.guild_a, [first])
    after = await fake.slash(env.guild_a, "ask", {"question": "who will guard the tram depot?"}, channel=discussion)
    assert "zebras" not in after.text() and "marsh" not in after.text()
    assert all(c.id != first["id"] for c in (await env.library.thread(tid, scope)).comments)


async def test_hidden_channels_are_never_cited_and_forget_member(bot_env):
    env = bot_env
    fake = env.fake
    discussion = await upload_tram(env, env.guild_a)
    alice, mallory = fake.user("alice"), fake.user("mallory")
    messages = [await fake.post_message(env.guild_a, f"The tram depot will flood in the marsh, point {n}.",
                                        channel=discussion, user=alice) for n in range(2)]
    await hide_channel(fake, env.guild_a, "general", mallory)  # the digest's channel, and so its thread
    seen = await fake.slash(env.guild_a, "ask", {"question": "why will the tram depot flood?"}, channel="digests",
                            user=mallory)
    assert "marsh" not in seen.text() and f"/{discussion}/" not in seen.text()
    allowed = await fake.slash(env.guild_a, "ask", {"question": "why will the tram depot flood?"},
                               channel="digests", user=alice)
    assert "marsh" in allowed.text()
    # A bulk delete, then a moderator's /forget member: removes what is left of alice's.
    await fake.post_message(env.guild_a, "Depot marsh again.", channel=discussion, user=alice)
    await delete_messages(fake, env.guild_a, messages)
    from .fake_discord import ADMIN_PERMISSIONS

    forget = await fake.slash(env.guild_a, "forget", {"member": alice}, permissions=ADMIN_PERMISSIONS)
    assert "Removed 1 kept messages" in forget.text()
    scope = str(env.guild_a.id)
    tid = (await env.library.threads(scope=scope))[0].id
    assert not [c for c in (await env.library.thread(tid, scope)).comments if c.source == "discord"]


async def test_a_channel_summary_reads_history_on_demand_and_keeps_nothing(bot_env):
    env = bot_env
    fake = env.fake
    await env.library.index_paths([SEED], scope=str(env.guild_a.id))  # a thread exists, but not in #general
    topics = ["the bus lane on Main Street is always blocked", "parking fees went up again this month",
              "the new library opening hours are too short", "the park needs more benches and shade"]
    users = [fake.user(f"member{i}") for i in range(9)]
    start = datetime.now(UTC) - timedelta(minutes=55)
    seed_history(fake, env.guild_a, "general", ["ancient news from yesterday"],
                 users, start - timedelta(days=1), timedelta(seconds=1))
    seeded = seed_history(fake, env.guild_a, "general", [f"I think {topics[n % 4]} (take {n})" for n in range(500)],
                          users, start, timedelta(seconds=5))
    before = await env.library.threads(scope=str(env.guild_a.id))
    inter = await fake.slash(env.guild_a, "summary", {"since": "1h"})
    text = inter.text().replace("\\", "")
    assert "Summary of #general" in text and "500 messages" in text and "not kept" in text
    assert "comments" in text and "bus lane" in text  # themes with counts
    assert f"/{env.guild_a.channel('general')}/" in text  # citations are jump links
    assert "ancient" not in text
    pages = [p for p in fake.history_pages if p["status"] == 200]
    assert len(pages) >= 5 and all(int(p.get("limit", 100)) <= 100 for p in pages)
    assert await env.library.threads(scope=str(env.guild_a.id)) == before  # nothing kept
    # last: N, and a member who cannot read the channel gets nothing from it.
    last = await fake.slash(env.guild_a, "summary", {"last": 40})
    assert "40 messages" in last.text()
    link = seeded[-10]["id"]
    since_link = await fake.slash(env.guild_a, "ask", {
        "question": "what about the park benches?",
        "since": f"https://discord.com/channels/{env.guild_a.id}/{env.guild_a.channel('general')}/{link}"})
    assert "10 messages" in since_link.text()
    mallory = fake.user("mallory")
    await hide_channel(fake, env.guild_a, "general", mallory)
    refused = await fake.slash(env.guild_a, "summary", {"since": "1h"}, user=mallory)
    assert "cannot read this channel" in refused.text() and "bus" not in refused.text()


@pytest.mark.bot(embedder="real", message_content=False)
async def test_without_message_content_the_feature_says_why(bot_env):
    env = bot_env
    inter = await env.fake.slash(env.guild_a, "summary", {"since": "1h"})
    assert "Message Content intent" in inter.text()
