"""/ask and questions by mention, on the real model, end to end."""

from __future__ import annotations

import re

import pytest

from tests.helpers import SEED

from .limits import assert_within_limits

pytestmark = pytest.mark.bot(embedder="real")


async def index_seed(env, guild):
    results, failures = await env.library.index_paths([SEED], scope=str(guild.id))
    assert not failures
    return results[0]


async def test_ask_defers_then_answers_with_citations(bot_env):
    env = bot_env
    await index_seed(env, env.guild_a)
    inter = await env.fake.slash(env.guild_a, "ask", {"question": "what did Peskov say?"})
    assert inter.callbacks[0]["type"] == 5  # deferred at once, public ("thinking…")
    assert inter.followups, "no follow-up answer"
    embed = inter.followups[0]["embeds"][0]
    assert embed["title"] == "what did Peskov say?"
    text = inter.text()
    assert "Peskov" in text and "[1]" in text
    assert "**Sources**" in text and "Putin" in text  # each citation names its thread
    assert re.search(r"paragraph \d+", text)  # and where in the thread
    assert_within_limits(inter.messages())


async def test_guild_b_cannot_see_guild_a_thread(bot_env):
    env = bot_env
    info = await index_seed(env, env.guild_a)
    inter = await env.fake.slash(env.guild_b, "ask", {"question": "what did Peskov say?"})
    assert "Putin" not in inter.text() and "Peskov" not in inter.text().replace("what did Peskov say?", "")
    # Naming A's thread by id from guild B is "not found", never an answer from it.
    other = await env.fake.slash(env.guild_b, "ask", {"question": "what did Peskov say?", "thread": info.thread_id})
    assert "no thread" in other.text() and other.ephemeral(other.messages()[-1])
    assert other.deleted_original  # the public "thinking…" placeholder was removed
    assert await env.fake.autocomplete(env.guild_b, "ask", "thread", "") == []
    quotes = await env.fake.slash(env.guild_b, "quotes", {"speaker": "Peskov"})
    assert "No statements by Peskov" in quotes.text()


async def test_mention_question(bot_env):
    env = bot_env
    await index_seed(env, env.guild_a)
    message = await env.fake.post_message(env.guild_a, "what did Peskov say?", mention_bot=True)
    replies = env.fake.messages_in(env.guild_a.channel("general"))
    assert replies, "no reply to the mention"
    reply = env.fake.requests[-1].json
    assert str(reply["message_reference"]["message_id"]) == message["id"]
    assert "Peskov" in replies[0]["embeds"][0]["description"]


async def test_quotes(bot_env):
    env = bot_env
    await index_seed(env, env.guild_a)
    inter = await env.fake.slash(env.guild_a, "quotes", {"speaker": "Peskov"})
    assert "What Dmitry Peskov said" in inter.text() or "What Peskov said" in inter.text()
    assert "[1]" in inter.text()


async def test_summary(bot_env):
    env = bot_env
    await index_seed(env, env.guild_a)
    inter = await env.fake.slash(env.guild_a, "summary", {"length": "short"})
    assert inter.deferred
    text = inter.text()
    assert "What the article says" in text and "What readers say" in text
    assert "[1]" in text and "**Sources**" in text
    assert_within_limits(inter.messages())
    # Guild B has no threads: its channel's own (empty) conversation, never guild A's summary.
    other = await env.fake.slash(env.guild_b, "summary")
    assert "No members' messages" in other.text() and "Putin" not in other.text()


async def test_ask_in_a_channel_of_one_threads_digests_defaults_to_that_thread(bot_env):
    from indexing.records import Thread
    from indexing.summaries import make_digest, mark_digest_posted

    env = bot_env
    scope = str(env.guild_a.id)
    seed = await index_seed(env, env.guild_a)
    other = Thread(title="Harbour fees", paragraphs=("The council raised harbour fees on Monday.",),
                   source_file="harbour.json")
    await env.library.index_thread(other, scope)
    digest = await make_digest(env.library, seed.thread_id, scope)
    await mark_digest_posted(env.library, digest.digest_id, env.guild_a.channel("general"), "1", None)
    inter = await env.fake.slash(env.guild_a, "ask", {"question": "what did the council do?"})
    assert f"in {seed.title[:60]}" in inter.text()  # the footer names the thread it answered from
    assert "Harbour fees" not in inter.text()
