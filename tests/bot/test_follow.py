"""/follow, the loop's checks and /unfollow, against a local site whose thread grows.

The loop's passes are run by calling the cog's `check_due(now=...)` with the time they would run
at: nothing waits for an interval."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from indexing.config import FetchConfig
from tests.thread_server import ThreadServer

from .test_uploads import digest_messages, set_channel

LOCAL_SITES = FetchConfig(allow_private=("127.0.0.1",))


@pytest.mark.bot(fetch=LOCAL_SITES)
async def test_follow_posts_one_digest_update_and_unfollow_stops_it(bot_env, thread_server):
    env, fake = bot_env, bot_env.fake
    scope = str(env.guild_a.id)
    cog = env.bot.get_cog("Following")
    assert cog.loop.is_running()  # started on_ready
    await set_channel(env, "digest-channel", "digests")
    inter = await fake.slash(env.guild_a, "follow", {"url": thread_server.url, "threshold": 2})
    assert inter.deferred and all(inter.ephemeral(m) for m in inter.followups)
    assert "Following **Harbour fees rise** until <t:" in inter.text() and "2 new comments" in inter.text()
    posted = digest_messages(env)
    assert [m["embeds"][0]["title"] for m in posted] == ["Digest: Harbour fees rise"]
    [follow] = await env.library.follows(scope)
    assert (follow.threshold, follow.hours, follow.last_comment_count) == (2, 24, 2)
    assert follow.channel_id == int(env.guild_a.channel("general"))

    thread_server.grow(3)
    assert await cog.check_due(now=follow.created_at + timedelta(minutes=10)) == 0  # not due yet: not fetched
    assert thread_server.fetches == 1
    assert await cog.check_due(now=follow.next_check_at) == 1
    await fake.settle()
    posted = digest_messages(env)
    assert [m["embeds"][0]["title"] for m in posted][1:] == ["Digest update: Harbour fees rise"]
    assert "3 new comments since the last digest" in json.dumps(posted[1]["embeds"])
    [checked] = await env.library.follows(scope)
    assert await cog.check_due(now=checked.next_check_at) == 0  # nothing new: nothing posted
    assert len(digest_messages(env)) == 2 and thread_server.fetches == 3
    [quiet] = await env.library.follows(scope)
    assert quiet.interval_seconds == 2 * checked.interval_seconds

    listing = await fake.slash(env.guild_a, "threads")
    assert f"followed until <t:{int(follow.expires_at.timestamp())}:f>" in listing.text()
    choices = await fake.autocomplete(env.guild_a, "unfollow", "thread", "harb")
    assert [c["value"] for c in choices] == [follow.thread_id] and "Harbour fees rise" in choices[0]["name"]
    assert await fake.autocomplete(env.guild_b, "unfollow", "thread", "") == []
    refused = await fake.slash(env.guild_b, "unfollow", {"thread": follow.thread_id})
    assert "not following" in refused.text() and "Harbour" not in refused.text()
    assert "followed" not in (await fake.slash(env.guild_b, "threads")).text()

    done = await fake.slash(env.guild_a, "unfollow", {"thread": follow.thread_id})
    assert "Stopped following **Harbour fees rise**" in done.text() and done.ephemeral(done.callbacks[0]["data"])
    assert await env.library.follows(scope) == []
    thread_server.grow(3)
    assert await cog.check_due(now=quiet.next_check_at + timedelta(hours=6)) == 0
    assert len(digest_messages(env)) == 2 and thread_server.fetches == 3


@pytest.mark.bot(fetch=LOCAL_SITES)
async def test_a_failing_follow_never_stops_the_others_and_follows_end(bot_env, thread_server):
    env, fake = bot_env, bot_env.fake
    cog = env.bot.get_cog("Following")
    other = ThreadServer(title="Bridge tolls")
    try:
        await fake.slash(env.guild_a, "follow", {"url": thread_server.url, "threshold": 1, "hours": 2})
        await fake.slash(env.guild_b, "follow", {"url": other.url, "threshold": 1}, channel="uploads")
        # No digest channel set: each digest goes where /follow was typed.
        assert len(fake.messages_in(env.guild_a.channel("general"))) == 1
        assert len(fake.messages_in(env.guild_b.channel("uploads"))) == 1
        [a] = await env.library.follows(str(env.guild_a.id))
        thread_server.status = 500
        other.grow(1)
        at = a.next_check_at + timedelta(seconds=5)  # B's was followed a moment later (times are to the second)
        assert await cog.check_due(now=at) == 1  # A's site fails; B's update is posted
        await fake.settle()
        updates = fake.messages_in(env.guild_b.channel("uploads"))
        assert len(updates) == 2 and updates[1]["embeds"][0]["title"] == "Digest update: Bridge tolls"
        assert len(fake.messages_in(env.guild_a.channel("general"))) == 1
        assert "checking followed" in env.logs.text() and "500" in env.logs.text()
        [retried] = await env.library.follows(str(env.guild_a.id))
        assert retried.next_check_at == at + timedelta(seconds=a.interval_seconds)  # the same interval again
        # After its 2 hours A's follow is removed without another fetch; B's goes on.
        fetches = thread_server.fetches
        await cog.check_due(now=a.expires_at)
        assert await env.library.follows(str(env.guild_a.id)) == [] and thread_server.fetches == fetches
        assert len(await env.library.follows(str(env.guild_b.id))) == 1
    finally:
        other.close()
