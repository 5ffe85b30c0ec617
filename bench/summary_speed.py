"""Summary time on the dev threads (up to 1,522 comments) once indexed, and the ROUGE of the
discussion summaries on the dev email discussions next to the lead and LexRank baselines.

    .venv/bin/python bench/summary_speed.py [--skip-rouge]

Speed: each dev thread is indexed into a fresh database, then summarised three times without the
cache (median reported) and once from the cache. The model is loaded and warm beforehand. ROUGE:
the same computation as ../shared/tools/evalkit.py summaries (its lead/LexRank baselines, rouge-score
with stemming), in process instead of through the CLI.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import statistics
import tempfile
import time
from pathlib import Path

from common import DEV, DEV_THREADS, REPO, report, require_dev_data

from indexing.embed import load_embedder
from indexing.library import ThreadLibrary
from indexing.records import Comment, Thread
from indexing.sources import parse_file
from indexing.summaries.summarize import summarize

EVALKIT = REPO.parent / "shared" / "tools" / "evalkit.py"
SUMMARIES = DEV / "summaries-dev.jsonl"


async def speed(embedder, db_path: Path) -> list[dict]:
    rows = []
    async with await ThreadLibrary.open(db_path, embedder) as lib:
        for thread in parse_file(DEV_THREADS, 10**9):
            thread_id = (await lib.index_thread(thread)).thread_id
            times = []
            for _ in range(3):
                start = time.perf_counter()
                summary = await summarize(lib, thread_id, use_cache=False)
                times.append(time.perf_counter() - start)
            start = time.perf_counter()
            await summarize(lib, thread_id)
            cached = time.perf_counter() - start
            d = summary.discussion
            rows.append({"title": thread.title[:40], "comments": len(thread.comments),
                         "themes": len(d.themes) if d else 0, "off_topic": d.off_topic_count if d else 0,
                         "seconds": round(statistics.median(times), 3), "cached_seconds": round(cached, 4)})
    return rows


async def rouge(embedder, db_path: Path) -> dict:
    from rouge_score import rouge_scorer

    spec = importlib.util.spec_from_file_location("evalkit", EVALKIT)
    evalkit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(evalkit)
    scorer = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)
    items = [json.loads(line) for line in SUMMARIES.open()]
    scores: dict[str, list[float]] = {"threadbot": [], "lead": [], "lexrank": [], "words": []}
    async with await ThreadLibrary.open(db_path, embedder) as lib:
        for item in items:
            messages = item["messages"]
            thread = Thread(title=item["title"], comments=tuple(
                Comment(id=f"m{i}", author=m["author"], text=m["text"]) for i, m in enumerate(messages)))
            thread_id = (await lib.index_thread(thread)).thread_id
            text = (await summarize(lib, thread_id)).discussion.text
            reference = item["reference_summaries"][0]
            source = [s for m in item["messages"] for s in evalkit.sentences(m["text"])]
            n = len(reference.split())
            for name, candidate in (("threadbot", text), ("lead", evalkit.lead(source, n)),
                                    ("lexrank", evalkit.lexrank(source, n))):
                scores[name].append(scorer.score(reference, candidate)["rouge2"].fmeasure)
            scores["words"].append(len(text.split()))
    return {name: round(statistics.mean(values), 4) for name, values in scores.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-rouge", action="store_true", help="only the speed part")
    args = parser.parse_args()
    require_dev_data()
    embedder = load_embedder()
    embedder.embed(["warm up the model"])
    with tempfile.TemporaryDirectory() as tmp:
        rows = asyncio.run(speed(embedder, Path(tmp) / "speed.db"))
        result: dict = {"threads": rows}
        largest = max(rows, key=lambda r: r["comments"])
        line = (f"summary of the {largest['comments']}-comment thread: {largest['seconds']} s "
                f"({largest['themes']} themes, {largest['off_topic']} off-topic), "
                f"{largest['cached_seconds']} s cached")
        if not args.skip_rouge and SUMMARIES.is_file():
            result["rouge2"] = asyncio.run(rouge(embedder, Path(tmp) / "rouge.db"))
            r = result["rouge2"]
            best = max(r["lead"], r["lexrank"])
            line += (f"; dev discussions ROUGE-2 {r['threadbot']} vs best baseline {best} "
                     f"({r['threadbot'] / best:.2f}x, {r['words']} words)")
    report(result, line)


if __name__ == "__main__":
    main()
