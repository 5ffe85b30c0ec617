"""Shared by the benchmarks: dev data, timing helpers, the printed report, and fast synthetic
population of a database with vectors shaped like real embeddings.

Synthetic vectors: real passages from ../shared/eval/dev are embedded once (cached under
~/.cache/threadbot/bench), then each synthetic passage is a normalised small perturbation of one of
them, half of them mixed with a second one. Uniform random unit vectors would be the worst case for
any approximate index and unlike any corpus; these keep the real corpus' clusters. Queries are
embeddings of real questions (qa-dev.jsonl) and of the first sentences of real comments.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from indexing.records import LOCAL_SCOPE, Passage, Thread  # noqa: E402
from indexing.sources import parse_file  # noqa: E402
from indexing.store import BulkThread, Store  # noqa: E402
from indexing.store.snapshot import snapshot_folder  # noqa: E402

# THREADBOT_SHARED: the shared folder when the checkout is not beside it (a git worktree elsewhere)
DEV = Path(os.environ.get("THREADBOT_SHARED") or REPO.parent / "shared") / "eval" / "dev"
DEV_THREADS = DEV / "threads-dev.jsonl"
DEV_QA = DEV / "qa-dev.jsonl"
DATA = REPO / "bench" / ".data"
CACHE = Path(os.environ.get("THREADBOT_CACHE") or Path.home() / ".cache" / "threadbot") / "bench"
PASSAGES_PER_THREAD = 1000


def require_dev_data() -> None:
    if not DEV_THREADS.is_file() or not DEV_QA.is_file():
        sys.exit(f"the dev data is missing: expected {DEV_THREADS} and {DEV_QA}")


def largest_dev_thread():
    return max(parse_file(DEV_THREADS, 10**9), key=lambda t: len(t.comments))


def parse_count(text: str) -> int:
    text = text.lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * scale)


def exact_top_k(matrix: np.ndarray, queries: np.ndarray, k: int = 10, block: int = 200_000) -> np.ndarray:
    """Rows of the k best inner products per query (the vectors are normalised: cosine), best first."""
    best_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(matrix), block):
        scores = queries @ np.asarray(matrix[start:start + block]).T
        scores = np.concatenate([best_scores, scores], axis=1)
        rows = np.concatenate([best_rows, np.broadcast_to(np.arange(start, start + scores.shape[1] - k),
                                                          (len(queries), scores.shape[1] - k))], axis=1)
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        best_scores = np.take_along_axis(scores, top, axis=1)
        best_rows = np.take_along_axis(rows, top, axis=1)
    order = np.argsort(-best_scores, axis=1, kind="stable")
    return np.take_along_axis(best_rows, order, axis=1)


def percentile_ms(seconds: list[float], q: float) -> float:
    return round(1000 * float(np.percentile(seconds, q)), 2)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def machine() -> dict:
    """What the figures depend on: cores, and whether the CPU has an int8 dot-product instruction.
    The int8 model runs about 1.8x slower per core without one (AVX2 only: indexing 80 passages/s
    against 145 on an AVX-512 VNNI machine), while the float32 torch baseline loses far less, so
    index_speed's ratio and ask latencies are only comparable between machines of the same kind."""
    flags: set[str] = set()
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "flags" and not flags:
                    flags = set(value.split())
                elif key.strip() == "model name" and model == "unknown":
                    model = value.strip()
    except OSError:
        pass
    dot = next((name for name in ("avx512_vnni", "avx_vnni", "amx_int8") if name in flags), None)
    return {"cpu": model, "cores": os.cpu_count(), "int8_dot_product": dot or "none"}


def report(result: dict, summary: str) -> None:
    """The JSON object (for comparing runs, with the machine it ran on), then one human line."""
    print(json.dumps({**result, "machine": machine()}))
    print(summary)


# ---- real texts and their embeddings, cached ------------------------------------------------------
def dev_texts() -> tuple[list[str], list[str]]:
    """(passages, queries): passages of the dev threads and QA articles; real questions, then the
    first sentences of comments (so there are 200 queries)."""
    from indexing.text.chunking import thread_passages

    passages: list[str] = []
    comment_openers: list[str] = []
    for thread in parse_file(DEV_THREADS, 10**9):
        words = [p.text for p in thread_passages(thread, "dev", lambda ts: [len(t.split()) for t in ts], 200)]
        passages += words
        for c in thread.comments:
            first = re.split(r"(?<=[.!?])\s", c.text.strip())[0]
            if 25 <= len(first) <= 160:
                comment_openers.append(first)
    questions: list[str] = []
    with open(DEV_QA, encoding="utf-8") as f:
        for line in f:
            article = json.loads(line)
            passages += article["paragraphs"]
            questions += [q["question"] for q in article["qas"]]
    spread = comment_openers[:: max(1, len(comment_openers) // 100)]
    queries = questions + spread[: max(0, 200 - len(questions))]
    return passages, queries


def base_embeddings(embedder) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """(texts, vectors, queries, query vectors), embedded once per model and cached."""
    passages, queries = dev_texts()
    key = hashlib.sha256(json.dumps([embedder.model_id, passages, queries]).encode()).hexdigest()[:16]
    path = CACHE / f"base-{key}.npz"
    if path.is_file():
        saved = np.load(path)
        return passages, saved["passages"], queries, saved["queries"]
    CACHE.mkdir(parents=True, exist_ok=True)
    vectors = embedder.embed(passages)
    query_vectors = embedder.embed(queries)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        np.savez(f, passages=vectors, queries=query_vectors)
    os.replace(tmp, path)
    return passages, vectors, queries, query_vectors


def synthetic_vectors(base: np.ndarray, start: int, count: int,
                      seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Rows start..start+count of the synthetic corpus (deterministic per row block) and the index
    of the real passage each perturbs (its text is reused, so BM25 sees real words)."""
    rng = np.random.default_rng([seed, start])
    anchor = rng.integers(0, len(base), count)
    partner = rng.integers(0, len(base), count)
    weight = np.where(rng.random(count) < 0.5, rng.uniform(0.1, 0.5, count), 0.0).astype(np.float32)
    noise = rng.standard_normal((count, base.shape[1]), dtype=np.float32) * np.float32(0.03)
    vectors = base[anchor] + weight[:, None] * base[partner] + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32), anchor


def synthetic_matrix(base: np.ndarray, n: int, block: int = 100_000) -> np.ndarray:
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for start in range(0, n, block):
        out[start:start + block] = synthetic_vectors(base, start, min(block, n - start))[0]
    return out


# ---- fast population: no model run per synthetic passage ----------------------------------------
async def populate(db_path: Path, n: int, texts: list[str], base: np.ndarray, model_id: str,
                   block: int = 100_000) -> float:
    """A database of n synthetic passages in threads of 1,000, written through the store's bulk
    path (one transaction per block of threads, no model run). Returns the seconds taken."""
    started = time.perf_counter()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    store = await Store.open(db_path, model_id, base.shape[1])  # schema and model binding
    await store.close()
    async with await Store.open(db_path) as store:  # no model: rows only, vectors load on the next open
        for start in range(0, n, block):
            count = min(block, n - start)
            vectors, anchor = synthetic_vectors(base, start, count)
            await store.bulk_write(_synthetic_threads(start, count, vectors, anchor, texts))
    return time.perf_counter() - started


def _synthetic_threads(start: int, count: int, vectors: np.ndarray, anchor: np.ndarray,
                       texts: list[str]) -> list[BulkThread]:
    threads: dict[int, BulkThread] = {}
    for i, a in enumerate(anchor.tolist()):
        number = start + i
        t = number // PASSAGES_PER_THREAD
        if t not in threads:
            thread_id = f"bench{t:07d}"
            thread = Thread(title=f"Synthetic thread {t}", source="bench", source_file=f"bench:{t}")
            threads[t] = BulkThread(thread_id, LOCAL_SCOPE, thread, [], {})
        bulk = threads[t]
        content_hash = f"syn{number:09d}"
        bulk.passages.append(Passage(thread_id=bulk.thread_id, kind="comment", position=number % PASSAGES_PER_THREAD,
                                     text=texts[a], author=f"reader{a % 97}", comment_id=f"c{number}",
                                     content_hash=content_hash))
        bulk.vectors[content_hash] = vectors[i]
    return list(threads.values())


async def count_passages(db_path: Path) -> int:
    if not db_path.is_file():
        return -1
    store = await Store.open(db_path)
    try:
        return (await store.counts())["passages"]
    finally:
        await store.close()


async def prepare(db_path: Path, n: int, texts, base, model_id: str) -> float | None:
    """Populate if needed and make sure the saved (clustered) index exists. Returns the clustering
    time when this run built it, else the time recorded by the run that did."""
    side = db_path.with_suffix(".json")
    if await count_passages(db_path) != n:
        seconds = await populate(db_path, n, texts, base, model_id)
        print(f"populated {n:,} passages in {seconds:.1f} s", file=sys.stderr)
        side.unlink(missing_ok=True)
    folder = snapshot_folder(str(db_path))
    if (folder / "manifest.json").is_file() and side.is_file():
        return json.loads(side.read_text()).get("ann_build_s")
    started = time.perf_counter()
    store = await Store.open(db_path, model_id, base.shape[1])
    loaded = time.perf_counter() - started
    store.vectors.wait_for_ann()
    build = store.vectors.last_build_seconds
    await store.save_vectors(force=True)
    await store.close()
    print(f"first open (vectors read from SQLite): {loaded:.1f} s; clustering: {build}", file=sys.stderr)
    side.write_text(json.dumps({"ann_build_s": None if build is None else round(build, 1),
                                "first_open_s": round(loaded, 1)}))
    return None if build is None else round(build, 1)


def run(coro):
    return asyncio.run(coro)


def median(values: list[float]) -> float:
    return statistics.median(values)
