"""Search latency at N passages against the brute-force bound, in the same run.

    .venv/bin/python bench/search_speed.py --passages 100k     (10k, 100k, 1M, or a number)

Builds (once; reused by later runs) bench/.data/search-N.db with N synthetic passages shaped like
real embeddings (see bench/common.py), opens it once so the dense index is clustered (above
[index] ann_min_passages, 50,000 by default) and saved next to the database, then measures:
in a fresh process, cold start (open the database, ready to answer: a saved index is mapped; the
model is not loaded), the first search after it, the time until the index is wholly in memory
(copied in by a background thread) and the resident memory per passage then; and p50/p95 over
200 real questions of threadbot's exact dense search, its hybrid search (dense + BM25, what users
get), a bare numpy float32 matvec + argpartition over the same vectors, and the approximate index
with its recall@10 against exact; and the bytes per passage on disk (database, WAL and saved
indexes, after a checkpoint).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import (
    DATA,
    REPO,
    base_embeddings,
    parse_count,
    percentile_ms,
    prepare,
    report,
    require_dev_data,
    rss_bytes,
    synthetic_matrix,
)

from indexing.embed import load_embedder
from indexing.library import ThreadLibrary
from indexing.store import Store
from indexing.store.lexical.side import lexical_folder
from indexing.store.ranking import RRF_K
from indexing.store.snapshot import snapshot_folder
from indexing.text.lexical import query_terms


async def cold_start(db_path: str, model_id: str, dim: int, query: np.ndarray) -> dict:
    """Run in a fresh process: time to open the database ready to search (a saved index is mapped),
    the first search after it, the time until the index is wholly in memory, and then the memory."""
    before = rss_bytes()
    started = time.perf_counter()
    store = await Store.open(db_path, model_id, dim)
    seconds = time.perf_counter() - started
    searched = time.perf_counter()
    store.vectors.search(query, 10)
    first_search = time.perf_counter() - searched
    store.vectors.wait_resident()
    resident = time.perf_counter() - started
    grown = rss_bytes() - before
    size = len(store.vectors)
    await store.close()
    return {"cold_start_s": round(seconds, 3), "cold_first_search_ms": round(first_search * 1000, 1),
            "resident_s": round(resident, 2), "bytes_per_passage": round(grown / max(1, size), 1),
            "passages": size}


async def measure(db_path: Path, embedder, queries: list[str], query_vectors: np.ndarray,
                  matrix: np.ndarray) -> dict:
    lib = await ThreadLibrary.open(db_path, embedder)
    try:
        timings: dict[str, list[float]] = {"dense": [], "hybrid": [], "numpy": [], "ann": []}
        recalls = []
        # One method at a time over all queries, so no method runs with caches another one flushed
        # (the float32 bound alone streams 1.5 GB per query at 1M).
        for warm in range(5):
            await lib.dense_search(query_vectors[warm], k=10, exact=True)
        truths = []
        for vector in query_vectors:
            started = time.perf_counter()
            exact = await lib.dense_search(vector, k=10, exact=True)
            timings["dense"].append(time.perf_counter() - started)
            truths.append({h.passage.id for h in exact})
        if lib.dense_approximate:
            for vector, truth in zip(query_vectors, truths, strict=True):
                started = time.perf_counter()
                approximate = await lib.dense_search(vector, k=10)
                timings["ann"].append(time.perf_counter() - started)
                recalls.append(len(truth & {h.passage.id for h in approximate}) / max(1, len(truth)))
        hybrid_top = []
        for text, vector in zip(queries, query_vectors, strict=True):
            started = time.perf_counter()
            hits = await lib.search(text, k=10, query_vector=vector)
            timings["hybrid"].append(time.perf_counter() - started)
            hybrid_top.append([h.passage.id for h in hits])
        timings["lexical"] = []
        for text in queries:
            started = time.perf_counter()
            await lib.store.bm25(query_terms(text), 50, None)
            timings["lexical"].append(time.perf_counter() - started)
        agreement = await top10_agreement(lib, queries, query_vectors, matrix, hybrid_top)
        for vector in query_vectors:
            started = time.perf_counter()
            scores = matrix @ vector
            top = np.argpartition(-scores, 10)[:10]
            top[np.argsort(-scores[top])]
            timings["numpy"].append(time.perf_counter() - started)
        return {
            "dense_p50_ms": percentile_ms(timings["dense"], 50),
            "dense_p95_ms": percentile_ms(timings["dense"], 95),
            "hybrid_p50_ms": percentile_ms(timings["hybrid"], 50),
            "hybrid_p95_ms": percentile_ms(timings["hybrid"], 95),
            "hybrid_top10_agreement": agreement,
            "lexical_p50_ms": percentile_ms(timings["lexical"], 50),
            "lexical_in_memory": lib.store.lexical.index is not None,
            "numpy_bound_p50_ms": percentile_ms(timings["numpy"], 50),
            "ann_p50_ms": percentile_ms(timings["ann"], 50) if timings["ann"] else None,
            "ann_recall_at_10": round(float(np.mean(recalls)), 3) if recalls else None,
        }
    finally:
        await lib.close()


async def top10_agreement(lib: ThreadLibrary, queries: list[str], query_vectors: np.ndarray, matrix: np.ndarray,
                          hybrid_top: list[list[int]]) -> float:
    """Mean over the queries of |hybrid top 10 & exhaustive fused top 10| / 10, where the exhaustive
    fusion is reciprocal rank fusion (k=60) of the full exact dense ranking (every passage) and the
    full BM25 ranking (every match)."""
    ids = np.sort(lib.store.vectors.ids)  # synthetic row i is the i-th passage written
    assert len(ids) == len(matrix), "the matrix and the database differ"
    n = len(ids)
    shares = []
    for text, vector, got in zip(queries, query_vectors, hybrid_top, strict=True):
        fused = np.zeros(n, dtype=np.float64)
        fused[np.argsort(-(matrix @ vector), kind="stable")] = 1.0 / (RRF_K + np.arange(1, n + 1))
        lexical, _ = await lib.store.bm25(query_terms(text), n, None)
        rows = np.searchsorted(ids, np.array([pid for pid, _ in lexical], dtype=np.int64))
        fused[rows] += 1.0 / (RRF_K + np.arange(1, len(rows) + 1))
        best = set(ids[np.argpartition(-fused, 10)[:10]].tolist())
        shares.append(len(best & set(got)) / 10)
    return round(float(np.mean(shares)), 3)


def disk_bytes(db_path: Path) -> int:
    """The database, its WAL and the saved dense and lexical indexes together, after a checkpoint."""
    with sqlite3.connect(db_path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    files = [Path(f"{db_path}{suffix}") for suffix in ("", "-wal")]
    for folder in (snapshot_folder(str(db_path)), lexical_folder(str(db_path))):
        if folder is not None and folder.is_dir():
            files += list(folder.iterdir())
    return sum(f.stat().st_size for f in files if f.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", default="100k", help="10k, 100k, 1M or a number (default 100k)")
    parser.add_argument("--cold-start", metavar="DB", help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--model-id", default="all-MiniLM-L6-v2", help=argparse.SUPPRESS)
    parser.add_argument("--query", help=argparse.SUPPRESS)  # the child's first search (.npy)
    args = parser.parse_args()
    if args.cold_start:
        query = np.load(args.query)
        print(json.dumps(asyncio.run(cold_start(args.cold_start, args.model_id, 384, query))))
        return 0

    require_dev_data()
    n = parse_count(args.passages)
    embedder = load_embedder()
    texts, base, queries, query_vectors = base_embeddings(embedder)
    DATA.mkdir(parents=True, exist_ok=True)
    db_path = DATA / f"search-{n}.db"
    ann_build_s = asyncio.run(prepare(db_path, n, texts, base, embedder.model_id))

    query_file = DATA / "cold-query.npy"
    np.save(query_file, query_vectors[0])
    child = subprocess.run([sys.executable, __file__, "--cold-start", str(db_path), "--model-id",
                            embedder.model_id, "--query", str(query_file)],
                           capture_output=True, text=True, check=True, cwd=REPO)
    cold = json.loads(child.stdout.strip().splitlines()[-1])

    matrix = synthetic_matrix(base, n)  # the same vectors, float32, for the brute-force bound
    figures = asyncio.run(measure(db_path, embedder, queries, query_vectors, matrix))
    result = {"passages": n, **figures,
              "ann_build_s": ann_build_s if figures["ann_p50_ms"] is not None else None,
              "bytes_per_passage": cold["bytes_per_passage"], "cold_start_s": cold["cold_start_s"],
              "cold_first_search_ms": cold["cold_first_search_ms"], "resident_s": cold["resident_s"]}
    ratio = result["dense_p50_ms"] / result["numpy_bound_p50_ms"]
    ann = (f"; approximate {result['ann_p50_ms']} ms at recall@10 {result['ann_recall_at_10']}"
           if result["ann_p50_ms"] is not None else "")
    lexical_files = lexical_folder(str(db_path))
    result["lexical_disk_bytes_per_passage"] = round(sum(
        f.stat().st_size for f in lexical_files.iterdir()) / n, 1) if lexical_files and lexical_files.is_dir() else None
    result["disk_bytes_per_passage"] = round(disk_bytes(db_path) / n, 1)
    report(result, f"search at {n:,} passages: exact dense p50 {result['dense_p50_ms']} ms = "
                   f"{ratio:.2f}x the numpy float32 bound ({result['numpy_bound_p50_ms']} ms), hybrid p50 "
                   f"{result['hybrid_p50_ms']} ms (BM25 alone {result['lexical_p50_ms']} ms; top-10 agreement with "
                   f"exhaustive fusion {result['hybrid_top10_agreement']}){ann}; "
                   f"{result['bytes_per_passage']} B/passage resident, {result['disk_bytes_per_passage']} on disk, "
                   f"cold start {result['cold_start_s']} s (first search {result['cold_first_search_ms']} ms, "
                   f"all in memory after {result['resident_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
