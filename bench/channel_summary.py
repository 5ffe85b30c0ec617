"""A channel summary on demand: `/summary since:1d` over 2,000 messages read through the real client.

The real bot (real embedding model) against the local fake Discord from tests/bot, which serves the
channel's history at Discord's page size of 100 with rate-limit headers (5 requests a second, the
bucket discord.py waits out). Measures the time from the command to the reply, and the event loop's
worst stall meanwhile (how late a 10 ms ticker wakes up). Prints one JSON object:

    .venv/bin/python bench/channel_summary.py
    {"messages": 2000, "reply_s": ..., "max_stall_ms": ...}

Goal (issue 14): a reply in under 15 s, no stall over 100 ms.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import discord  # noqa: E402

from bot.client import ThreadBot  # noqa: E402
from indexing.config import DiscordConfig  # noqa: E402
from indexing.embed import load_embedder  # noqa: E402
from indexing.library import ThreadLibrary  # noqa: E402
from tests.bot.fake_channels import seed_history  # noqa: E402
from tests.bot.fake_discord import FakeDiscord  # noqa: E402

MESSAGES = 2000
TICK = 0.01
SUBJECTS = ["the bus lane on Main Street", "parking fees", "the library's opening hours", "the park benches",
            "the new tram line", "rent in the old town", "the school run traffic", "the harbour festival"]
VIEWS = ["is a disgrace", "is fine honestly", "needs fixing before winter", "got worse this year",
         "was better before", "is the council's fault", "could be solved cheaply", "nobody talks about"]


def chat(n: int, rng: random.Random) -> list[str]:
    return [f"I think {rng.choice(SUBJECTS)} {rng.choice(VIEWS)}, {rng.choice(['tbh', 'imo', 'really', ''])}"
            for _ in range(n)]


async def ticker(stalls: list[float], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        start = loop.time()
        await asyncio.sleep(TICK)
        stalls.append(loop.time() - start - TICK)


async def main() -> None:
    embedder = load_embedder()
    fake = FakeDiscord()
    guild = fake.add_guild("Bench")
    await fake.start()
    discord.http.Route.BASE = fake.base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = fake.gateway_url
    users = [fake.user(f"member{i}") for i in range(40)]
    start = datetime.now(UTC) - timedelta(hours=20)
    seed_history(fake, guild, "general", chat(MESSAGES, random.Random(0)), users, start, timedelta(seconds=30))
    with tempfile.TemporaryDirectory() as tmp:
        async with await ThreadLibrary.open(Path(tmp) / "bench.db", embedder) as library:
            await library.warm_up()
            config = DiscordConfig(rate_limit_count=100, channel_summary_max_messages=3000)
            bot = ThreadBot(library, config, guild_ready_timeout=0.05)
            task = asyncio.create_task(bot.start("bench-token"))
            await asyncio.sleep(0)
            await bot.wait_until_ready()
            await fake.settle()
            stalls: list[float] = []
            stop = asyncio.Event()
            tick = asyncio.create_task(ticker(stalls, stop))
            t0 = time.perf_counter()
            record = await fake.slash(guild, "summary", {"since": "1d"})
            reply_s = time.perf_counter() - t0
            stop.set()
            await tick
            text = record.text()
            if f"{MESSAGES} messages" not in text:
                sys.exit(f"unexpected reply: {text[:300]!r}")
            await bot.close()
            await task
    await fake.stop()
    pages = sum(1 for p in fake.history_pages if p["status"] == 200)
    print(json.dumps({"messages": MESSAGES, "reply_s": round(reply_s, 2), "max_stall_ms": round(max(stalls) * 1000, 1),
                      "pages": pages, "rate_limited": sum(1 for p in fake.history_pages if p["status"] == 429)}))


if __name__ == "__main__":
    asyncio.run(main())
