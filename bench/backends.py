"""Both store backends in one run: SQLite (+ the in-process dense index) and PostgreSQL (+ pgvector).

    .venv/bin/python bench/backends.py --passages 100k     (10k, 100k, 1M, or a number)

Each backend gets the same N synthetic passages shaped like real embeddings (bench/common.py),
written fresh through the store's bulk path, and then, over 200 real questions:
- build_s: writing the rows and building the dense index (SQLite: rows, then loading, clustering
  (from [index] ann_min_passages) and saving the index beside the database; PostgreSQL: rows by
  COPY, then the HNSW index, built once);
- dense_p50_ms and recall_at_10: the library's dense search (approximate where the backend is),
  recall against the exact top 10 (numpy over the same vectors);
- hybrid_p50_ms: the library's hybrid search (dense + lexical, fused), what users get;
- concurrent_ask_p50_ms: hybrid searches from --askers processes at once while another process
  indexes threads of 200 passages through the ordinary write path (one every 2 s, the pace of
  embedding them).
PostgreSQL is a private server from the pgserver wheel (PostgreSQL 16, pgvector 0.6) in a temporary
folder; `--m`, `--ef-construction`, `--ef-search` tune HNSW. Prints one JSON object and one line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import (
    DATA,
    _synthetic_threads,
    base_embeddings,
    exact_top_k,
    parse_count,
    percentile_ms,
    populate,
    report,
    require_dev_data,
    synthetic_matrix,
    synthetic_vectors,
)

from indexing.library import ThreadLibrary
from indexing.records import LOCAL_SCOPE, Passage, Thread
from indexing.store import Store
from indexing.store.postgres import PostgresStore, connection, schema

BLOCK = 100_000
WRITE_THREAD = 200  # passages per thread the indexing process writes during the concurrent asks
# Between two threads the indexing process waits as long as embedding 200 passages takes on a laptop
# CPU: a writer without the pause is no indexing process, and grows the database by gigabytes.
WRITE_PAUSE_S = 2.0


@dataclass(frozen=True)
class QueryOnly:
    """What opening a library with vectors needs of a model: questions come with their vectors."""

    model_id: str
    dim: int


def tune(args: argparse.Namespace) -> None:
    schema.HNSW_M, schema.HNSW_EF_CONSTRUCTION = args.m, args.ef_construction
    schema.MAINTENANCE_WORK_MEM = args.maintenance_work_mem
    connection.EF_SEARCH = args.ef_search


# ---- building -----------------------------------------------------------------------------------
def bulk_blocks(n: int, texts: list[str], base: np.ndarray):
    for start in range(0, n, BLOCK):
        vectors, anchor = synthetic_vectors(base, start, min(BLOCK, n - start))
        yield from _synthetic_threads(start, len(vectors), vectors, anchor, texts)


async def build_sqlite(path: Path, n: int, texts: list[str], base: np.ndarray, model_id: str) -> float:
    started = time.perf_counter()
    await populate(path, n, texts, base, model_id)
    store = await Store.open(path, model_id, base.shape[1])
    await asyncio.to_thread(store.vectors.wait_for_ann)
    await store.save_vectors(force=True)
    await store.close()
    return time.perf_counter() - started


async def build_postgres(url: str, n: int, texts: list[str], base: np.ndarray, model_id: str) -> float:
    started = time.perf_counter()
    async with await PostgresStore.open(url, model_id, base.shape[1]) as store:
        await store.bulk_write(bulk_blocks(n, texts, base))
        async with store._pool.acquire() as conn:  # fresh planner statistics, as autovacuum would give
            await conn.execute("VACUUM ANALYZE passages")
    return time.perf_counter() - started


# ---- measuring ------------------------------------------------------------------------------------
def exact_top10(matrix: np.ndarray, query_vectors: np.ndarray) -> list[set[int]]:
    """The exact top 10 passage ids per query (synthetic row i is passage id i + 1 on both backends)."""
    return [{int(row) + 1 for row in rows} for rows in exact_top_k(matrix, query_vectors)]


async def measure(location: str, model: QueryOnly, queries: list[str], query_vectors: np.ndarray,
                  truths: list[set[int]], dense_only: bool = False) -> dict:
    lib = await ThreadLibrary.open(location, model)
    try:
        first = await lib.passage_vectors([1])
        assert 1 in first, "passage ids do not start at 1: not a fresh database"
        for vector in query_vectors[:5]:
            await lib.search(queries[0], k=10, query_vector=vector)
        dense, recalls = [], []
        for vector, truth in zip(query_vectors, truths, strict=True):
            started = time.perf_counter()
            hits = await lib.dense_search(vector, k=10)
            dense.append(time.perf_counter() - started)
            recalls.append(len(truth & {h.passage.id for h in hits}) / 10)
        if dense_only:
            return {"dense_p50_ms": percentile_ms(dense, 50), "recall_at_10": round(float(np.mean(recalls)), 3)}
        hybrid = []
        for text, vector in zip(queries, query_vectors, strict=True):
            started = time.perf_counter()
            await lib.search(text, k=10, query_vector=vector)
            hybrid.append(time.perf_counter() - started)
        return {"dense_p50_ms": percentile_ms(dense, 50), "dense_p95_ms": percentile_ms(dense, 95),
                "recall_at_10": round(float(np.mean(recalls)), 3), "hybrid_p50_ms": percentile_ms(hybrid, 50),
                "hybrid_p95_ms": percentile_ms(hybrid, 95), "dense_approximate": lib.dense_approximate}
    finally:
        await lib.close()


async def ask_worker(location: str, model: QueryOnly, queries_file: Path) -> list[float]:
    """A process asking: every question once, hybrid, timing each."""
    saved = np.load(queries_file, allow_pickle=False)
    texts = json.loads(queries_file.with_suffix(".json").read_text())
    lib = await ThreadLibrary.open(location, model, long_running=False)
    try:
        seconds = []
        for text, vector in zip(texts, saved, strict=True):
            started = time.perf_counter()
            await lib.search(text, k=10, query_vector=vector)
            seconds.append(time.perf_counter() - started)
        return seconds
    finally:
        await lib.close()


async def index_worker(location: str, model: QueryOnly, base_file: Path, first: int, stop: Path) -> int:
    """A process indexing threads of WRITE_THREAD passages through the ordinary write path until told to stop."""
    base = np.load(base_file)
    written = 0
    lib = await ThreadLibrary.open(location, model)
    try:
        while not stop.exists():
            start = first + written
            vectors, _ = synthetic_vectors(base, start, WRITE_THREAD)
            thread = Thread(title=f"Written during the asks {start}", source="bench")
            thread_id = f"live{start:09d}"
            passages = [Passage(thread_id=thread_id, kind="comment", position=i, text=f"live comment {start + i}",
                                comment_id=f"l{start + i}", content_hash=f"live{start + i:09d}")
                        for i in range(WRITE_THREAD)]
            await lib.store.write_thread(thread_id, LOCAL_SCOPE, thread, passages,
                                         {p.content_hash: v for p, v in zip(passages, vectors, strict=True)})
            written += WRITE_THREAD
            await asyncio.sleep(WRITE_PAUSE_S)
        return written
    finally:
        await lib.close()


def child(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)


def concurrent_asks(backend: str, location: str, model: QueryOnly, askers: int, first_free: int,
                    work: Path, passthrough: list[str]) -> tuple[float, int]:
    stop = work / f"stop-{backend}"
    stop.unlink(missing_ok=True)
    common = ["--location", location, "--model-id", model.model_id, "--dim", str(model.dim), *passthrough]
    writer = child(["--index-worker", str(first_free), "--work", str(work), *common])
    time.sleep(3)  # the writer is open and writing
    asking = [child(["--ask-worker", "--work", str(work), *common]) for _ in range(askers)]
    seconds: list[float] = []
    for process in asking:
        out, _ = process.communicate()
        seconds += json.loads(out.strip().splitlines()[-1])
    stop.touch()
    out, _ = writer.communicate()
    return percentile_ms(seconds, 50), int(out.strip().splitlines()[-1])


RECALL_TARGET = 0.95  # issue 17's bar for the approximate dense search


def start_postgres(folder: Path):
    import pgserver

    folder.chmod(0o755)  # run as root, pgserver's server user must reach its data folder
    return pgserver.get_server(folder / "data", cleanup_mode="stop")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", default="100k", help="10k, 100k, 1M or a number (default 100k)")
    parser.add_argument("--askers", type=int, default=3, help="processes asking at once (default 3)")
    parser.add_argument("--m", type=int, default=schema.HNSW_M, help="HNSW links per node")
    parser.add_argument("--ef-construction", type=int, default=schema.HNSW_EF_CONSTRUCTION)
    parser.add_argument("--ef-search", type=int, default=connection.EF_SEARCH)
    parser.add_argument("--maintenance-work-mem", default="2GB", help="memory for the HNSW build")
    parser.add_argument("--only", choices=("sqlite", "postgres"), help="one backend only")
    parser.add_argument("--ef-sweep", type=lambda text: [int(w) for w in text.split(",")], default=[],
                        help="PostgreSQL: HNSW search widths to try (e.g. 200,400,800); the first to reach "
                             f"recall@10 {RECALL_TARGET} is the one measured (default: --ef-search only)")
    for hidden in ("--location", "--model-id", "--work", "--index-worker"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    parser.add_argument("--dim", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ask-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    tune(args)
    if args.ask_worker or args.index_worker:
        model = QueryOnly(args.model_id, args.dim)
        work = Path(args.work)
        if args.ask_worker:
            print(json.dumps(asyncio.run(ask_worker(args.location, model, work / "queries.npy"))))
        else:
            print(asyncio.run(index_worker(args.location, model, work / "base.npy", int(args.index_worker),
                                           work / f"stop-{'postgres' if '://' in args.location else 'sqlite'}")))
        return 0

    require_dev_data()
    from indexing.embed import load_embedder

    n = parse_count(args.passages)
    embedder = load_embedder()
    texts, base, queries, query_vectors = base_embeddings(embedder)
    model = QueryOnly(embedder.model_id, base.shape[1])
    truths = exact_top10(synthetic_matrix(base, n), query_vectors)
    work = Path(tempfile.mkdtemp(prefix="threadbot-backends-"))
    np.save(work / "queries.npy", query_vectors)
    (work / "queries.json").write_text(json.dumps(queries))
    np.save(work / "base.npy", base)
    passthrough = ["--ef-search", str(args.ef_search)]
    result: dict = {"passages": n}
    try:
        if args.only != "postgres":
            DATA.mkdir(parents=True, exist_ok=True)
            db_path = DATA / f"backends-{n}.db"
            shutil.rmtree(f"{db_path}.vectors", ignore_errors=True)
            shutil.rmtree(f"{db_path}.lexical", ignore_errors=True)
            build = asyncio.run(build_sqlite(db_path, n, texts, base, model.model_id))
            sqlite = {"build_s": round(build, 1), **asyncio.run(measure(str(db_path), model, queries, query_vectors,
                                                                          truths))}
            sqlite["concurrent_ask_p50_ms"], sqlite["written_during_asks"] = concurrent_asks(
                "sqlite", str(db_path), model, args.askers, n, work, passthrough)
            result["sqlite"] = sqlite
        if args.only != "sqlite":
            server = start_postgres(work)
            try:
                server.psql("DROP DATABASE IF EXISTS bench; CREATE DATABASE bench;")
                url = f"postgresql://postgres@/bench?host={server.get_uri().rpartition('host=')[2]}"
                build = asyncio.run(build_postgres(url, n, texts, base, model.model_id))
                sweep = {}
                for width in sorted(args.ef_sweep):  # the narrowest HNSW search that reaches the recall target
                    connection.EF_SEARCH = width
                    sweep[width] = asyncio.run(measure(url, model, queries, query_vectors, truths, dense_only=True))
                    if sweep[width]["recall_at_10"] >= RECALL_TARGET:
                        break
                if sweep:
                    chosen = next((w for w, r in sweep.items() if r["recall_at_10"] >= RECALL_TARGET), max(sweep))
                    connection.EF_SEARCH = args.ef_search = chosen
                    passthrough = ["--ef-search", str(chosen)]
                postgres = {"build_s": round(build, 1), **asyncio.run(measure(url, model, queries, query_vectors,
                                                                               truths))}
                if sweep:
                    postgres["ef_sweep"] = {str(w): r for w, r in sweep.items()}
                postgres["concurrent_ask_p50_ms"], postgres["written_during_asks"] = concurrent_asks(
                    "postgres", url, model, args.askers, n, work, passthrough)
                postgres["hnsw"] = {"m": args.m, "ef_construction": args.ef_construction, "ef_search": args.ef_search}
                result["postgres"] = postgres
            finally:
                server.cleanup()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    parts = [f"{name}: build {r['build_s']} s, dense p50 {r['dense_p50_ms']} ms (recall@10 {r['recall_at_10']}), "
             f"hybrid p50 {r['hybrid_p50_ms']} ms, {args.askers} asking while indexing p50 "
             f"{r['concurrent_ask_p50_ms']} ms" for name, r in result.items() if isinstance(r, dict)]
    report(result, f"{n:,} passages; " + "; ".join(parts))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
