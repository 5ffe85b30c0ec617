"""Login, the synced command schema, listings, admin commands."""

from __future__ import annotations

import dataclasses
import json

import discord
import pytest

from tests.helpers import SEED

from .fake_discord import ADMIN_PERMISSIONS


async def test_login_and_sync(bot_env):
    fake = bot_env.fake
    assert fake.identify is not None and fake.identify["token"].startswith("fake-token")
    synced = await bot_env.bot.tree.sync()
    assert {c.name for c in synced} == set(EXPECTED_OPTIONS)
    schema = {c["name"]: c for c in fake.commands[None]}
    for name, options in EXPECTED_OPTIONS.items():
        command = schema[name]
        assert command["description"], name
        got = {o["name"]: o for o in command.get("options", [])}
        assert set(got) == set(options), name
        for option, required in options.items():
            assert got[option].get("description"), (name, option)
            assert bool(got[option].get("required")) == required, (name, option)
    assert schema["upload"]["options"][0]["type"] == 11  # an attachment
    assert schema["ask"]["options"][1]["autocomplete"] is True
    assert {o["name"] for o in schema["summary"]["options"][1]["choices"]} == {"short", "medium", "long"}
    # Admin commands are hidden from members without Manage Server by default.
    for name in ("config", "forget"):
        assert int(schema[name]["default_member_permissions"]) == 1 << 5, name
    # Guild sync (what `threadbot sync-commands --guild ID` does): the same commands, in that guild.
    guild = discord.Object(int(bot_env.guild_a.id))
    bot_env.bot.tree.copy_global_to(guild=guild)
    await bot_env.bot.tree.sync(guild=guild)
    assert {c["name"] for c in fake.commands[bot_env.guild_a.id]} == set(EXPECTED_OPTIONS)


EXPECTED_OPTIONS = {
    "ask": {"question": True, "thread": False, "since": False, "last": False},
    "summary": {"thread": False, "length": False, "since": False, "last": False},
    "digest": {"thread": False},
    "quotes": {"speaker": True, "thread": False},
    "threads": {"page": False},
    "upload": {"file": False, "url": False},
    "config": {"digest-channel": False, "upload-channel": False, "watch-folder": False, "show": False,
               "discussion-threads": False, "listen-channel": False, "charts": False},
    "forget": {"thread": False, "member": False},
    "follow": {"url": True, "hours": False, "threshold": False},
    "unfollow": {"thread": True},
}


async def test_threads_empty(bot_env):
    inter = await bot_env.fake.slash(bot_env.guild_a, "threads")
    assert "No threads yet" in inter.text()


async def test_threads_lists_only_own_guild(bot_env):
    await bot_env.library.index_paths([SEED], scope=str(bot_env.guild_a.id))
    a = await bot_env.fake.slash(bot_env.guild_a, "threads")
    b = await bot_env.fake.slash(bot_env.guild_b, "threads")
    assert "Putin" in a.text()
    assert "Putin" not in b.text() and "No threads yet" in b.text()


async def test_config_requires_manage_server(bot_env):
    fake, guild = bot_env.fake, bot_env.guild_a
    from .fake_discord import Channel

    refused = await fake.slash(guild, "config digest-channel", {"channel": Channel("digests")})
    assert "Manage Server" in refused.text()
    assert refused.ephemeral(refused.messages()[0])
    assert (await bot_env.bot.library.guild_settings(guild.id)).digest_channel_id is None

    done = await fake.slash(
        guild, "config digest-channel", {"channel": Channel("digests")}, permissions=ADMIN_PERMISSIONS
    )
    assert "Digests will be posted" in done.text()
    assert (await bot_env.bot.library.guild_settings(guild.id)).digest_channel_id == int(guild.channel("digests"))
    other = await bot_env.bot.library.guild_settings(bot_env.guild_b.id)
    assert other.digest_channel_id is None


async def test_forget_removes_thread_and_vectors(bot_env):
    scope = str(bot_env.guild_a.id)
    results, _ = await bot_env.library.index_paths([SEED], scope=scope)
    thread_id = results[0].thread_id
    fake = bot_env.fake
    refused = await fake.slash(bot_env.guild_a, "forget", {"thread": thread_id})
    assert "Manage Server" in refused.text()
    # Guild B's admin cannot reach guild A's thread, even with its id.
    other = await fake.slash(bot_env.guild_b, "forget", {"thread": thread_id}, permissions=ADMIN_PERMISSIONS)
    assert "no thread" in other.text()
    assert len(await bot_env.library.threads(scope=scope)) == 1
    done = await fake.slash(bot_env.guild_a, "forget", {"thread": thread_id}, permissions=ADMIN_PERMISSIONS)
    assert "Forgot" in done.text()
    assert await bot_env.library.threads(scope=scope) == []
    assert len(bot_env.library.store.vectors.ids) == 0


async def test_autocomplete_is_per_guild(bot_env):
    await bot_env.library.index_paths([SEED], scope=str(bot_env.guild_a.id))
    fake = bot_env.fake
    choices_a = await fake.autocomplete(bot_env.guild_a, "forget", "thread", "put")
    choices_b = await fake.autocomplete(bot_env.guild_b, "forget", "thread", "")
    assert len(choices_a) == 1 and "Putin" in choices_a[0]["name"]
    assert choices_b == []


@pytest.mark.bot(message_content=False)
async def test_missing_message_content_intent_is_logged(bot_env):
    assert not bot_env.bot.message_content_enabled
    assert "Message Content intent is not enabled" in bot_env.logs.text()
    # Discord would refuse the connection if the bot asked for the intent anyway.
    assert not bot_env.fake.identify["intents"] & (1 << 15)


async def test_watch_folder_needs_a_root(bot_env):
    inter = await bot_env.fake.slash(
        bot_env.guild_a, "config watch-folder", {"folder": "inbox"}, permissions=ADMIN_PERMISSIONS
    )
    assert "watch_root" in inter.text()
    assert (await bot_env.bot.library.guild_settings(bot_env.guild_a.id)).watch_dir is None


@pytest.fixture
def watch_root(tmp_path, bot_env):
    root = tmp_path / "servers"
    (root / bot_env.guild_a.id).mkdir(parents=True)
    (tmp_path / "secret").mkdir()
    return root


async def test_watch_folder_stays_inside_the_root(bot_env, watch_root):
    bot_env.bot.config = dataclasses.replace(bot_env.bot.config, watch_root=watch_root)
    fake, guild = bot_env.fake, bot_env.guild_a
    for escape in ("../secret", "/etc", f"{guild.id}/../../secret"):
        refused = await fake.slash(guild, "config watch-folder", {"folder": escape}, permissions=ADMIN_PERMISSIONS)
        assert "inside the bot's watch root" in refused.text(), escape
    ok = await fake.slash(guild, "config watch-folder", {"folder": guild.id}, permissions=ADMIN_PERMISSIONS)
    assert "Watching" in ok.text()
    assert (await bot_env.bot.library.guild_settings(guild.id)).watch_dir == str((watch_root / guild.id).resolve())
    shown = await fake.slash(guild, "config show", permissions=ADMIN_PERMISSIONS)
    assert guild.id in shown.text() and str(watch_root) not in shown.text()


@pytest.mark.bot(message_content=False)
async def test_mention_without_the_intent_explains_it(bot_env):
    await bot_env.fake.post_message(bot_env.guild_a, "", mention_bot=True)
    replies = bot_env.fake.messages_in(bot_env.guild_a.channel("general"))
    assert len(replies) == 1 and "Message Content intent" in replies[0]["content"]


async def test_empty_mention_gets_usage(bot_env):
    await bot_env.fake.post_message(bot_env.guild_a, "", mention_bot=True)
    replies = bot_env.fake.messages_in(bot_env.guild_a.channel("general"))
    assert len(replies) == 1 and "Ask me something" in replies[0]["content"]


@pytest.mark.bot(threads_per_page=2)
async def test_threads_paginated(bot_env):
    scope = str(bot_env.guild_a.id)
    for title in ("Alpha vote", "Beta vote", "Gamma vote"):
        data = json.dumps({"title": title, "paragraphs": [f"{title} happened."], "comments": []}).encode()
        await bot_env.library.index_bytes(data, f"{title}.json", scope=scope)
    first = await bot_env.fake.slash(bot_env.guild_a, "threads")
    second = await bot_env.fake.slash(bot_env.guild_a, "threads", {"page": 2})
    assert "page 1/2" in first.text() and "/threads page:2" in first.text()
    assert first.text().count(" vote**") == 2 and second.text().count(" vote**") == 1
    assert "page 2/2" in second.text()
