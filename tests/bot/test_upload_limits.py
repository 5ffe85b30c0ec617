"""Uploads are rate limited per member and per server: each parses and embeds a whole file."""

from __future__ import annotations

import json

import pytest

from .test_uploads import set_channel


def small_thread(title: str) -> bytes:
    return json.dumps({"title": title, "paragraphs": [f"{title}: the council met."], "comments": []}).encode()


async def upload(env, title: str, user: dict):
    attachment = env.fake.attachment(f"{title}.json", small_thread(title))
    return await env.fake.slash(env.guild_a, "upload", {"file": attachment}, user=user)


async def titles(env) -> list[str]:
    return sorted(t.title for t in await env.library.threads(scope=str(env.guild_a.id)))


@pytest.mark.bot(upload_limit_count=2, server_upload_limit_count=3)
async def test_upload_limits_per_member_and_per_server(bot_env):
    env = bot_env
    alice, bob, carol = env.fake.user("alice"), env.fake.user("bob"), env.fake.user("carol")
    assert (await upload(env, "A1", alice)).deferred
    assert (await upload(env, "A2", alice)).deferred
    refused = await upload(env, "A3", alice)
    assert not refused.deferred and "upload again in" in refused.text()
    assert refused.ephemeral(refused.callbacks[0]["data"])
    assert (await upload(env, "B1", bob)).deferred  # bob has his own budget: the server's third
    full = await upload(env, "C1", carol)
    assert not full.deferred and "this server has uploaded as much as it may" in full.text()
    assert await titles(env) == ["A1", "A2", "B1"]
    # Guild B's budget is its own.
    other = env.fake.attachment("G.json", small_thread("G"))
    assert (await env.fake.slash(env.guild_b, "upload", {"file": other}, user=carol)).deferred


@pytest.mark.bot(upload_limit_count=2)
async def test_upload_channel_limit_answers_once(bot_env):
    env = bot_env
    await set_channel(env, "upload-channel", "uploads")
    files = [env.fake.attachment(f"T{n}.json", small_thread(f"T{n}")) for n in range(5)]
    await env.fake.post_message(env.guild_a, "five at once", channel="uploads", attachments=files)
    assert await titles(env) == ["T0", "T1"]
    replies = [m["content"] or "" for m in env.fake.messages_in(env.guild_a.channel("uploads"))]
    assert sum("upload again in" in r for r in replies) == 1
