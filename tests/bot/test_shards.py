"""Shards in one process, against the fake Discord: the IDENTIFY names the shard, the bot gets only
its shard's guilds, and with `background = "worker"` it polls nothing. The settings' errors are one line."""

from __future__ import annotations

import asyncio

import discord
import pytest

from bot.client import ShardedThreadBot, make_bot
from indexing.cli import main
from indexing.config import DiscordConfig, load_config
from indexing.errors import ConfigError
from indexing.library import ThreadLibrary

from .fake_discord import FakeDiscord, snowflake_on_shard


async def test_a_shard_gets_only_its_guilds_and_a_worker_config_polls_nothing(tmp_path, monkeypatch, fake_embedder):
    fake = FakeDiscord()
    mine = fake.add_guild("On shard 1", guild_id=snowflake_on_shard(1, 2))
    other = fake.add_guild("On shard 0", guild_id=snowflake_on_shard(0, 2))
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.base_url)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", fake.gateway_url)
    config = DiscordConfig(shard_ids=(1,), shard_count=2, background="worker")
    async with await ThreadLibrary.open(tmp_path / "bot.db", fake_embedder) as library:
        bot = make_bot(library, config, guild_ready_timeout=0.05)
        assert isinstance(bot, ShardedThreadBot)
        task = asyncio.create_task(bot.start("fake-token"))
        try:
            await asyncio.wait_for(bot.wait_until_ready(), 30)
            assert fake.identify is not None and fake.identify["shard"] == [1, 2]
            assert [str(g.id) for g in bot.guilds] == [mine.id]
            assert [str(g.id) for g in await bot.served_guilds()] == [mine.id]
            with pytest.raises(AssertionError, match="no bot is connected for shard 0"):
                await fake.slash(other, "threads", settle=False)  # Discord would send it to shard 0
            answered = await fake.slash(mine, "threads")
            assert answered.messages()
            assert not bot.polls
            assert not bot.get_cog("Following").loop.is_running() and not bot.get_cog("Watch").loop.is_running()
        finally:
            await bot.close()
            await asyncio.wait({task}, timeout=10)
            await fake.stop()


@pytest.mark.parametrize(("section", "message"), [
    ("shard_ids = [0]", "shard_ids needs shard_count"),
    ("shard_ids = [0, 4]\nshard_count = 4", "shard id 4 is out of range: shards are numbered 0 to 3"),
    ("shard_ids = [1, 1]\nshard_count = 2", "names a shard twice"),
    ("shard_ids = []\nshard_count = 2", "must be a list of shard numbers"),
    ("shard_count = 0", "shard_count must be a positive whole number"),
    ('background = "elsewhere"', 'background must be "here"'),
])
def test_wrong_shard_settings_are_one_clear_line(tmp_path, section, message):
    path = tmp_path / "config.toml"
    path.write_text(f"[discord]\n{section}\n")
    with pytest.raises(ConfigError, match=message):
        load_config(str(path))


def test_shard_settings_load_and_a_count_alone_means_every_shard_here(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[discord]\nshard_ids = [3, 1]\nshard_count = 4\nbackground = "worker"\n')
    config = load_config(str(path)).discord
    assert (config.shard_ids, config.shard_count, config.background) == ((1, 3), 4, "worker")
    path.write_text("[discord]\nshard_count = 2\n")
    assert (load_config(str(path)).discord.shard_ids, load_config(str(path)).discord.shard_count) == (None, 2)


@pytest.mark.parametrize(("flags", "message"), [
    (["--shard-ids", "0,x", "--shard-count", "2"], "--shard-ids takes shard numbers separated by commas"),
    (["--shard-ids", "0,5", "--shard-count", "4"], "threadbot run: shard id 5 is out of range"),
    (["--shard-ids", "1"], "threadbot run: shard_ids needs shard_count"),
])
def test_wrong_shard_flags_are_one_clear_line_before_connecting(tmp_path, monkeypatch, capsys, flags, message):
    monkeypatch.chdir(tmp_path)  # no config.toml here
    monkeypatch.delenv("THREADBOT_CONFIG", raising=False)
    code = main(["--db", str(tmp_path / "x.db"), "run", *flags])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
