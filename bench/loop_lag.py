"""The longest event-loop stall while the 1,522-comment dev thread is indexed through
ThreadLibrary.index_thread, the path the bot's uploads take (parse and embed in worker threads).

A ticker on the same loop sleeps 5 ms at a time and records how late it wakes up. The summary
line also splits the worst stall by phase (embedding, who-said-what extraction, the rest), so a
regression points at its cause.

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
from indexing.sources import parse_file

TICK = 0.005


async def ticker(stalls: list[tuple[float, float]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(TICK)
        stalls.append((started, time.perf_counter() - started - TICK))


def timed(fn, windows: list[tuple[float, float]]):
    """Wrap a function so the time windows it runs in are recorded (to attribute stalls)."""
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            windows.append((started, time.perf_counter()))
    return wrapper


def worst_in(stalls: list[tuple[float, float]], windows: list[tuple[float, float]]) -> float:
    inside = [s for at, s in stalls if any(lo <= at <= hi for lo, hi in windows)]
    return max(inside, default=0.0)


async def run(db_path: Path) -> tuple[int, float, float, dict[str, float]]:
    embedder = await asyncio.to_thread(load_embedder)
    lib = await ThreadLibrary.open(db_path, embedder)
    await lib.warm_up()  # as the bot does at start-up, before it serves
    phases: dict[str, list[tuple[float, float]]] = {"embedding": [], "who-said-what": []}
    embedder.embed = timed(embedder.embed, phases["embedding"])
    if getattr(lib, "extractor", None) is not None:
        lib.extractor = timed(lib.extractor, phases["who-said-what"])
    stalls: list[tuple[float, float]] = []
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
    by_phase = {name: worst_in(stalls, windows) for name, windows in phases.items()}
    return result.passages, max(s for _, s in stalls), seconds, by_phase


def main() -> int:
    require_dev_data()
    with tempfile.TemporaryDirectory() as tmp:
        passages, worst, seconds, by_phase = asyncio.run(run(Path(tmp) / "lag.db"))
    result = {"max_stall_ms": round(1000 * worst, 1), "passages": passages}
    phases = ", ".join(f"{name} {1000 * s:.0f} ms" for name, s in by_phase.items())
    report(result, f"indexing {passages} passages took {seconds:.1f} s; the event loop stalled at most "
                   f"{result['max_stall_ms']} ms (worst during {phases})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
