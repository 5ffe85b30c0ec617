"""Indexing throughput: the 1,522-comment dev thread into a fresh database, end to end (parse,
split, embed, store) with threadbot's default embedder, against the naive baseline in the same
run: `SentenceTransformer(model).encode(texts, batch_size=32)` on the same passage texts with the
torch backend (in a child process, so torch and onnxruntime never share one).

    .venv/bin/python bench/index_speed.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import DEV_THREADS, REPO, report, require_dev_data

from indexing.embed import load_embedder
from indexing.embed.base import default_model_path
from indexing.library import ThreadLibrary
from indexing.sources import parse_file


def baseline(texts_file: str) -> None:
    """Child process: the obvious way to embed with sentence-transformers."""
    from sentence_transformers import SentenceTransformer

    texts = json.loads(Path(texts_file).read_text())
    model = SentenceTransformer(default_model_path(), device="cpu", local_files_only=True)
    model.encode(texts[:32], batch_size=32)  # warm-up, like the warm model on threadbot's side
    started = time.perf_counter()
    model.encode(texts, batch_size=32)
    print(json.dumps({"seconds": time.perf_counter() - started}))


async def threadbot_run(db_path: Path, embedder) -> tuple[int, float, list[str]]:
    embedder.embed(["warm-up"])
    lib = await ThreadLibrary.open(db_path, embedder)
    try:
        started = time.perf_counter()
        threads = await asyncio.to_thread(parse_file, DEV_THREADS, 10**9)
        thread = max(threads, key=lambda t: len(t.comments))
        result = await lib.index_thread(thread)
        seconds = time.perf_counter() - started
        texts = [p.text for p in await lib.passages_of(result.thread_id)]
        return result.passages, seconds, texts
    finally:
        await lib.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", metavar="TEXTS_JSON", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        baseline(args.baseline)
        return 0
    require_dev_data()
    with tempfile.TemporaryDirectory() as tmp:
        passages, seconds, texts = asyncio.run(threadbot_run(Path(tmp) / "index.db", load_embedder()))
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(texts))
        child = subprocess.run([sys.executable, __file__, "--baseline", str(texts_file)], capture_output=True,
                               text=True, check=True, cwd=REPO)
    base_seconds = json.loads(child.stdout.strip().splitlines()[-1])["seconds"]
    ours, theirs = passages / seconds, len(texts) / base_seconds
    result = {"passages": passages, "threadbot_passages_per_s": round(ours, 1),
              "baseline_passages_per_s": round(theirs, 1), "ratio": round(ours / theirs, 2)}
    report(result, f"indexing {passages} passages: threadbot {ours:.1f} passages/s end to end "
                   f"({seconds:.1f} s), sentence-transformers encode {theirs:.1f} passages/s "
                   f"({base_seconds:.1f} s): {result['ratio']}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
