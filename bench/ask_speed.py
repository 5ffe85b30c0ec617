"""`ask` latency at 100k passages with the model warm, and a CLI user's wait on the seed.

    .venv/bin/python bench/ask_speed.py [--passages 100k]

In-process: AnswerEngine.ask over bench/.data/search-100000.db (the synthetic database that
bench/search_speed.py builds, made here if missing), 100 real questions from qa-dev.jsonl asked
across all threads, after a warm-up. CLI: `threadbot ask` on the bundled example thread, timed from
process start to exit (the answer printed), median of 3 runs; the database is indexed beforehand.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import DATA, REPO, base_embeddings, percentile_ms, prepare, report, require_dev_data

from indexing.answers.engine import AnswerEngine
from indexing.embed import load_embedder
from indexing.library import ThreadLibrary

EXAMPLE = REPO / "examples" / "putin-trump-phone-call.txt"
THREADBOT = Path(sys.executable).parent / "threadbot"
CLI_QUESTION = "What did Peskov say about the phone call?"


async def ask_latency(db_path: Path, embedder, questions: list[str]) -> list[float]:
    lib = await ThreadLibrary.open(db_path, embedder)
    try:
        engine = AnswerEngine(lib)
        for question in questions[:5]:
            await engine.ask(question)
        seconds = []
        for question in questions:
            started = time.perf_counter()
            await engine.ask(question)
            seconds.append(time.perf_counter() - started)
        return seconds
    finally:
        await lib.close()


def cli_cold_ask() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "seed.db")
        subprocess.run([str(THREADBOT), "--db", db, "index", str(EXAMPLE)], check=True, capture_output=True)
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            done = subprocess.run([str(THREADBOT), "--db", db, "ask", CLI_QUESTION], check=True,
                                  capture_output=True, text=True)
            runs.append(time.perf_counter() - started)
            if "Peskov" not in done.stdout:
                raise SystemExit(f"unexpected answer: {done.stdout[:300]}")
        return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000, help="database size (default 100000)")
    args = parser.parse_args()
    require_dev_data()
    embedder = load_embedder()
    texts, base, queries, _ = base_embeddings(embedder)
    DATA.mkdir(parents=True, exist_ok=True)
    db_path = DATA / f"search-{args.passages}.db"
    asyncio.run(prepare(db_path, args.passages, texts, base, embedder.model_id))
    questions = queries[:100]  # the real questions of qa-dev.jsonl
    seconds = asyncio.run(ask_latency(db_path, embedder, questions))
    cold = cli_cold_ask()
    result = {"passages": args.passages, "p50_ms": percentile_ms(seconds, 50),
              "p95_ms": percentile_ms(seconds, 95), "cli_cold_ask_s": round(cold, 2)}
    report(result, f"ask at {args.passages:,} passages (model warm): p50 {result['p50_ms']} ms, p95 "
                   f"{result['p95_ms']} ms; `threadbot ask` on the seed from process start: "
                   f"{result['cli_cold_ask_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
