"""Median `ask` latency over the seed's golden questions, model and parser warm.

    .venv/bin/python bench/ask_seed_latency.py [--rounds 5]

Indexes the bundled example into a temporary database, asks each golden question once to warm up
(spaCy is not needed at ask time), then times `AnswerEngine.ask` for every question, `--rounds`
times with a fresh engine (cold sentence cache) each round, and prints the median and 90th percentile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexing.answers.engine import AnswerEngine  # noqa: E402
from indexing.answers.questions import classify  # noqa: E402
from indexing.embed import load_embedder  # noqa: E402
from indexing.library import ThreadLibrary  # noqa: E402
from indexing.sources import parse_file  # noqa: E402

EXAMPLE = REPO / "examples" / "putin-trump-phone-call.txt"
GOLDEN = REPO.parent / "shared" / "eval" / "seed-golden.json"


async def main(rounds: int) -> None:
    if not GOLDEN.exists():
        sys.exit(f"{GOLDEN} not found")
    questions = [q["q"] for q in json.loads(GOLDEN.read_text())["questions"]]
    with tempfile.TemporaryDirectory() as folder:
        async with await ThreadLibrary.open(Path(folder) / "seed.db", load_embedder()) as lib:
            thread_id = (await lib.index_thread(parse_file(EXAMPLE)[0])).thread_id
            for q in questions:  # warm the model and the database pages
                await AnswerEngine(lib).ask(q, thread_id)
            timings: dict[str, list[float]] = {q: [] for q in questions}
            for _ in range(rounds):
                engine = AnswerEngine(lib)  # a cold sentence cache each round: no answer is reused
                for q in questions:
                    start = time.perf_counter()
                    await engine.ask(q, thread_id)
                    timings[q].append(time.perf_counter() - start)
    everything = sorted(t for ts in timings.values() for t in ts)
    print(f"ask latency over {len(questions)} seed questions x {rounds} rounds (model warm)")
    for q, ts in timings.items():
        print(f"  {statistics.median(ts) * 1000:7.1f} ms  {classify(q).type:10} {q}")
    print(f"median {statistics.median(everything) * 1000:.1f} ms, "
          f"p90 {everything[int(0.9 * (len(everything) - 1))] * 1000:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds over all questions")
    asyncio.run(main(parser.parse_args().rounds))
