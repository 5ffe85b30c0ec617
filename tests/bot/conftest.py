"""The bot end to end: the real discord.py client against the local fake Discord server.

`bot_env` starts a fake Discord with two guilds, a fresh database, and a `ThreadBot` connected to it.
It fails the test loudly when the bot task died, when the bot called a route the fake does not
serve, when anything logged an error the test did not expect, when any payload the bot sent could
ping someone or is over Discord's size limits, or when the token shows up in the logs.

Options per test: `@pytest.mark.bot(embedder="real", rate_limit_count=2, message_content=False,
watch_interval=3600, ...)` (keys of BotSettings, plus `embedder` and `message_content`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re

import discord
import pytest

from bot.client import ThreadBot
from indexing.config import DiscordConfig
from indexing.library import ThreadLibrary

from .fake_discord import FakeDiscord, Guild
from .limits import assert_no_pings, assert_within_limits

TOKEN = "fake-token-ABCDEF.0123456789.secret"


class LogCatcher(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def errors(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.levelno >= logging.ERROR]

    def text(self) -> str:
        out = []
        for r in self.records:
            out.append(r.getMessage())
            if r.exc_info and r.exc_info[1] is not None:
                out.append(repr(r.exc_info[1]))
        return "\n".join(out)


@dataclasses.dataclass
class BotEnv:
    fake: FakeDiscord
    bot: ThreadBot
    library: ThreadLibrary
    db_path: str
    guild_a: Guild
    guild_b: Guild
    logs: LogCatcher
    task: asyncio.Task
    expected_errors: list[str] = dataclasses.field(default_factory=list)

    def expect_error(self, pattern: str) -> None:
        """This test provokes an error log matching `pattern` on purpose."""
        self.expected_errors.append(pattern)


@pytest.fixture
async def bot_env(request, tmp_path, monkeypatch, fake_embedder):
    marker = request.node.get_closest_marker("bot")
    options = dict(marker.kwargs) if marker else {}
    embedder = request.getfixturevalue("real_embedder") if options.pop("embedder", "fake") == "real" else fake_embedder
    fake = FakeDiscord(
        message_content=options.pop("message_content", True), heartbeat_ms=options.pop("heartbeat_ms", 41_250)
    )
    guild_a = fake.add_guild("Guild A")
    guild_b = fake.add_guild("Guild B")
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.base_url)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", fake.gateway_url)

    logs = LogCatcher()
    root = logging.getLogger()
    root.addHandler(logs)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    # discord.py's own DEBUG logs stay on: the token check below must see what they would print.
    quiet = {name: logging.getLogger(name).level for name in ("aiosqlite", "asyncio")}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.INFO)

    max_upload_bytes = options.pop("max_upload_bytes", 8 * 1024 * 1024)
    fetch = options.pop("fetch", None)
    # The background loops run their first pass at start-up, then wait: tests drive them directly.
    config = DiscordConfig(**{"watch_interval": 3600.0, "follow_check_interval": 3600.0, **options})
    db_path = str(tmp_path / "bot.db")
    library = await ThreadLibrary.open(db_path, embedder, max_upload_bytes)
    bot = ThreadBot(library, config, fetch=fetch, guild_ready_timeout=0.05)
    task = asyncio.create_task(bot.start(TOKEN), name="bot under test")
    env = BotEnv(fake, bot, library, db_path, guild_a, guild_b, logs, task)
    try:
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            raise AssertionError(f"the bot stopped during start-up: {task.exception()!r}")
        assert ready in done, "the bot did not become ready within 30 s"
        await fake.settle()
        yield env
        await fake.settle()
        if task.done():
            raise AssertionError(f"the bot task died: {task.exception()!r}")
    finally:
        await bot.close()
        if not task.done():
            await asyncio.wait({task}, timeout=10)
        await library.close()
        await fake.stop()
        root.removeHandler(logs)
        root.setLevel(old_level)
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
    assert not fake.unserved, f"the bot called routes the fake does not serve: {fake.unserved}"
    unexpected = [r for r in logs.errors() if not any(re.search(p, r.getMessage()) for p in env.expected_errors)]
    assert not unexpected, "errors were logged: " + "; ".join(
        f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else f"{r.name}: {r.getMessage()}"
        for r in unexpected
    )
    assert_no_pings(fake.sent_messages())
    assert_within_limits(fake.sent_messages())
    assert TOKEN not in logs.text(), "the Discord token appeared in the logs"
