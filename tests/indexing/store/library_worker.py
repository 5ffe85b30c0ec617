"""Child process for the two-process tests: one long-running library on a database, driven line by line.

Run as `python -m tests.indexing.store.library_worker DB`. Reads one JSON command a line on stdin and
answers each with one JSON line on stdout:
  {"op": "index", "scope": S, "title": T, "texts": [...]}   -> {"thread_id": ..., "ids": [passage ids]}
  {"op": "forget", "scope": S, "thread_id": ID}             -> {}
  {"op": "search", "scope": S, "query": Q, "dense": bool}   -> {"hits": [[id, thread_id, scope, text], ...]}
  {"op": "save"}                                            -> {} (the dense index saved, the log pruned)
  {"op": "quit"}                                            -> {} and exits
THREADBOT_SNAPSHOT_MIN_PASSAGES sets the size from which the dense index is saved.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from indexing.library import ThreadLibrary
from indexing.records import Comment, Thread
from tests.fakes import FakeEmbedder


def make_thread(title: str, texts: list[str]) -> Thread:
    comments = tuple(Comment(id=f"c{i}", author=f"user{i}", text=text) for i, text in enumerate(texts))
    return Thread(title=title, paragraphs=(f"{title}: the article.",), comments=comments, source_file=f"{title}.json")


async def handle(lib: ThreadLibrary, command: dict) -> dict:
    op, scope = command["op"], command.get("scope")
    if op == "index":
        result = await lib.index_thread(make_thread(command["title"], command["texts"]), scope)
        return {"thread_id": result.thread_id, "ids": [p.id for p in await lib.passages_of(result.thread_id, scope)]}
    if op == "forget":
        await lib.forget(command["thread_id"], scope)
        return {}
    if op == "search":
        if command.get("dense"):
            hits = await lib.dense_search(lib.embedder.embed_query(command["query"]), scope, k=20)
        else:
            hits = await lib.search(command["query"], scope, k=20)
        return {"hits": [[h.passage.id, h.passage.thread_id, h.passage.scope, h.passage.text] for h in hits]}
    if op == "save":
        await lib.store.save_vectors(force=True)
    return {}


async def run(db_path: str) -> None:
    snapshot_min = int(os.environ.get("THREADBOT_SNAPSHOT_MIN_PASSAGES", "20000"))
    lib = await ThreadLibrary.open(db_path, FakeEmbedder(), long_running=True, snapshot_min_passages=snapshot_min)
    lib.extractor = None  # who-said-what is not under test (and would load spaCy)
    try:
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            command = json.loads(line)
            print(json.dumps(await handle(lib, command)), flush=True)
            if command["op"] == "quit":
                break
    finally:
        await lib.close()


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1]))
