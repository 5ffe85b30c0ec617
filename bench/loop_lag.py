"""The longest event-loop stall while the 1,522-comment dev thread is indexed through
ThreadLibrary.index_thread, the path the bot's uploads take (parse and embed in worker threads).

A ticker on the same loop sleeps 5 ms at a time and records how late it wakes up.

    .venv/bin/python bench/loop_lag.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from common import DEV_THREADS, report, require_dev_data

from indexing.embed import load_embedder
from indexing.library import ThreadLibrary
from indexing.parsers import parse_file

TICK = 0.005


async def ticker(stalls: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(TICK)
        stalls.append(time.perf_counter() - started - TICK)


async def run(db_path: Path) -> tuple[int, float, float]:
    embedder = await asyncio.to_thread(load_embedder)
    lib = await ThreadLibrary.open(db_path, embedder)
    stalls: list[float] = []
    stop = asyncio.Event()
    tick = asyncio.create_task(ticker(stalls, stop))
    try:
        started = time.perf_counter()
        threads = await asyncio.to_thread(parse_file, DEV_THREADS, 10**9)
        result = await lib.index_thread(max(threads, key=lambda t: len(t.comments)))
        seconds = time.perf_counter() - started
    finally:
        stop.set()
        await tick
        await lib.close()
    return result.passages, max(stalls), seconds


def main() -> int:
    require_dev_data()
    with tempfile.TemporaryDirectory() as tmp:
        passages, worst, seconds = asyncio.run(run(Path(tmp) / "lag.db"))
    result = {"max_stall_ms": round(1000 * worst, 1), "passages": passages}
    report(result, f"indexing {passages} passages took {seconds:.1f} s; the event loop stalled at most "
                   f"{result['max_stall_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
