"""Event-loop lag while the bot ingests the 1,522-comment dev thread through /upload.

Runs the real bot (real embedding model) against the local fake Discord from tests/bot, uploads
the largest thread of ../shared/eval/dev/threads-dev.jsonl, and meanwhile measures how late a 50 ms
ticker wakes up on the bot's event loop, and the gaps between gateway heartbeats (sent every
second here). If CPU work ran on the loop, both would show multi-second stalls.

    .venv/bin/python bench/bot_loop_lag.py
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
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
from tests.bot.fake_discord import FakeDiscord  # noqa: E402

DEV_THREADS = REPO.parent / "shared" / "eval" / "dev" / "threads-dev.jsonl"
TICK = 0.05


def largest_thread() -> bytes:
    lines = DEV_THREADS.read_text(encoding="utf-8").splitlines()
    return max(lines, key=lambda line: len(json.loads(line)["comments"])).encode()


async def ticker(lags: list[float], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        start = loop.time()
        await asyncio.sleep(TICK)
        lags.append(loop.time() - start - TICK)


def describe(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(0.99 * len(values)))]
    return (f"n={len(values)} median={statistics.median(values) * 1000:.1f} ms p99={p99 * 1000:.1f} ms "
            f"max={values[-1] * 1000:.1f} ms")


async def main() -> None:
    if not DEV_THREADS.is_file():
        sys.exit(f"{DEV_THREADS} not found")
    data = largest_thread()
    print(f"thread file: {len(data) / 1e6:.2f} MB, {len(json.loads(data)['comments'])} comments")
    t0 = time.perf_counter()
    embedder = load_embedder()  # what `threadbot run` uses (ONNX when installed)
    print(f"model ({type(embedder).__name__}) loaded in {time.perf_counter() - t0:.1f} s")
    fake = FakeDiscord(heartbeat_ms=1000)
    guild = fake.add_guild("Bench")
    await fake.start()
    discord.http.Route.BASE = fake.base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = fake.gateway_url
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        async with await ThreadLibrary.open(db, embedder) as library:
            await library.warm_up()  # as `threadbot run` does before connecting
            bot = ThreadBot(library, DiscordConfig(), guild_ready_timeout=0.05)
            task = asyncio.create_task(bot.start("bench-token"))
            await asyncio.sleep(0)  # let start() initialise the client before waiting on it
            await bot.wait_until_ready()
            await fake.settle()
            lags: list[float] = []
            stop = asyncio.Event()
            tick = asyncio.create_task(ticker(lags, stop))
            first_beat = len(fake.heartbeats)
            start = time.perf_counter()
            record = await fake.slash(guild, "upload", {"file": fake.attachment("clinton.jsonl", data)})
            elapsed = time.perf_counter() - start
            stop.set()
            await tick
            beats = fake.heartbeats[first_beat:]
            gaps = [b - a for a, b in zip(beats, beats[1:], strict=False)]
            print(f"/upload answered: {record.text()[:160]!r}")
            print(f"upload + index + digest: {elapsed:.1f} s")
            print(f"event-loop lag (50 ms ticker): {describe(lags)}")
            if gaps:
                print(f"gateway heartbeat gaps (1 s interval): {len(gaps)} beats, max gap {max(gaps):.2f} s")
            await bot.close()
            await task
    await fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
