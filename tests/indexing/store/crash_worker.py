"""Child process for the SIGKILL test: indexes version N of a few large threads, then exits.

Run as `python -m tests.indexing.store.crash_worker DB VERSION`. Prints "ready" once imports are done (so
the parent's random kill lands in real work), "done" at the end. The threads are a pure function of
the version, so the parent can tell exactly what each thread must contain.
"""

from __future__ import annotations

import asyncio
import os
import sys

from indexing.library import ThreadLibrary
from indexing.records import Comment, Thread
from indexing.store import Store
from tests.fakes import FakeEmbedder

# (title, scope, comments): one large thread plus two smaller ones in another scope.
SHAPES = [("Crash test: the big thread", "local", 3000), ("Crash test: medium", "local", 600),
          ("Crash test: guild thread", "guild-1", 300)]


def thread_for(title: str, comments: int, version: int) -> Thread:
    """Two thirds of the comments never change; the rest change with the version (added/removed)."""
    body = tuple(f"Paragraph {i} of {title}: the harbour reopened after the storm. " * 3 for i in range(20))
    out = []
    for i in range(comments):
        if i % 3 == 2:
            text = f"Comment {i}, version {version}: the repairs are late again and will cost more."
        else:
            text = f"Comment {i}: fishermen welcome the reopening of the harbour after the storm."
        if i % 50 == 0:  # a long one, chunked into several passages
            text = " ".join(f"Sentence {j} of comment {i} explains the budget in detail." for j in range(60))
        out.append(Comment(id=f"c{i}", author=f"user{i % 40}", text=text,
                           parent=f"c{i - 1}" if i % 7 == 1 else None))
    return Thread(title=title, paragraphs=body, comments=tuple(out), source_file="crash.json")


def threads_for(version: int) -> list[tuple[str, Thread]]:
    return [(scope, thread_for(title, n, version)) for title, scope, n in SHAPES]


async def run(db_path: str, version: int) -> None:
    embedder = FakeEmbedder()
    print("ready", flush=True)
    for scope, thread in threads_for(version):
        # A fresh open per thread: start-up (vector load, snapshot replay) and close (snapshot save)
        # are also points where the kill can land.
        store = await Store.open(db_path, embedder.model_id, embedder.dim,
                                 snapshot_min_passages=int(os.environ.get("THREADBOT_SNAPSHOT_MIN_PASSAGES", "20000")))
        library = ThreadLibrary(store, embedder, extractor=None)
        try:
            await library.index_thread(thread, scope)
        finally:
            await library.close()
    print("done", flush=True)


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], int(sys.argv[2])))
