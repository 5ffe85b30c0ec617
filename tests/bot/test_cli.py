"""`threadbot sync-commands` and `threadbot run` against the fake Discord: token handling, sync."""

from __future__ import annotations

import asyncio
import logging
import socket

import discord
import pytest

from bot.runner import run_bot, sync_commands
from indexing.cli import build_parser
from indexing.config import Config, load_config
from indexing.errors import ConfigError, ThreadbotError

from .fake_discord import FakeDiscord
from .limits import assert_no_pings

TOKEN = "cli-token-0123456789abcdef"


@pytest.fixture
async def fake(monkeypatch):
    fake = FakeDiscord()
    fake.add_guild("Guild A")
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.base_url)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", fake.gateway_url)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    yield fake
    await fake.stop()
    assert not fake.unserved
    assert_no_pings(fake.sent_messages())


def settings_for(tmp_path, **discord_section) -> Config:
    """The config the CLI would read: a config file with this [discord] section, and the environment."""
    path = tmp_path / "config.toml"
    path.write_text("[discord]\n" + "".join(f"{key} = {value!r}\n".replace("'", '"') for key, value in
                                              discord_section.items()))
    return load_config(str(path), str(tmp_path / "cli.db"))


async def test_sync_commands_to_one_guild(fake, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    fake.valid_token = TOKEN
    guild_id = next(iter(fake.guilds))
    with caplog.at_level(logging.DEBUG):
        names = await sync_commands(settings_for(tmp_path), int(guild_id))
    assert set(names) == {"ask", "summary", "digest", "quotes", "threads", "upload", "config", "forget", "follow",
                          "unfollow"}
    assert {c["name"] for c in fake.commands[guild_id]} == set(names)
    assert None not in fake.commands  # nothing synced globally
    assert TOKEN not in caplog.text
    assert fake.identify is None  # syncing never connects to the gateway


async def test_missing_token_is_a_clear_error(fake, tmp_path):
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        await sync_commands(settings_for(tmp_path))
    assert fake.requests == []


async def test_rejected_token_is_a_clear_error_without_the_token(fake, tmp_path, caplog):
    fake.valid_token = "the-right-one"
    bad = "wrong-token-ABCDEF"
    with caplog.at_level(logging.DEBUG), pytest.raises(ThreadbotError) as info:
        await run_bot(settings_for(tmp_path, token=bad))
    assert "refused the bot token" in str(info.value)
    assert bad not in str(info.value) and bad not in caplog.text


def test_cli_has_run_and_sync_commands():
    parser = build_parser()
    assert parser.parse_args(["run"]).func.__name__ == "cmd_run"
    args = parser.parse_args(["sync-commands", "--guild", "42"])
    assert args.guild == 42


async def test_run_connects_and_serves_until_stopped(fake, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    fake.valid_token = TOKEN
    with caplog.at_level(logging.DEBUG):
        task = asyncio.create_task(run_bot(settings_for(tmp_path)))
        await asyncio.wait_for(fake.wait_identified(), timeout=60)
        await fake.settle()
        inter = await fake.slash(next(iter(fake.guilds.values())), "threads")
        assert "No threads yet" in inter.text()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert fake.identify["token"] == TOKEN
    assert TOKEN not in caplog.text


async def test_unreachable_discord_is_one_clear_line(tmp_path, monkeypatch, fake_embedder):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    config = settings_for(tmp_path, token=TOKEN)
    with pytest.raises(ThreadbotError, match="cannot reach Discord") as info:
        await run_bot(config, make_embedder=lambda c: fake_embedder)
    assert "\n" not in str(info.value) and TOKEN not in str(info.value)
    with pytest.raises(ThreadbotError, match="cannot reach Discord"):
        await sync_commands(config)


def _commands(parser) -> set[str]:
    return set(next(a for a in parser._actions if a.dest == "command").choices)


def test_the_bots_commands_load_only_when_asked_for():
    """A built-in command (a CLI question) skips the entry-point scan; anything else sees every command."""
    for argv in (["ask", "What did Peskov say?"], ["--db", "x.db", "-v", "ask", "q"], ["--config=c.toml", "threads"]):
        commands = _commands(build_parser(argv))
        assert "ask" in commands and "run" not in commands, argv
        assert build_parser(argv).parse_args(argv).command in ("ask", "threads")
    for argv in ([], ["--help"], ["run"], ["--db", "ask", "run"], ["--conf", "c.toml", "run"], ["--", "run"]):
        assert {"ask", "run", "sync-commands"} <= _commands(build_parser(argv)), argv
    assert build_parser(["--db", "ask", "run"]).parse_args(["--db", "ask", "run"]).func.__name__ == "cmd_run"
