"""100 concurrent questions while the 1,522-comment dev thread is being indexed, through the async API.

The design under test: one writer connection (writes serialised by a lock, each thread one IMMEDIATE
transaction), one reader connection, WAL so reads never wait for the write; the embedding model is
shared and taken in slices, so a question is embedded between two slices of a long indexing job.
"""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from indexing.library import ThreadLibrary
from indexing.sources import parse_bytes
from tests.helpers import DEV_THREADS, SEED

try:
    from indexing.answers.engine import AnswerEngine
except ImportError:  # the answer engine (issue 3) is optional here: plain searches stand in for it
    AnswerEngine = None

QUESTIONS = [
    "what did Peskov say", "Who will Putin congratulate?", "what do commenters say about sanctions",
    "What do people think about Hillary Clinton?", "what did Michelle Obama say about the White House",
    "What is the food stamp work requirement?", "what do readers say about climate change",
    "Who approved the no means no law?", "What did BadKiTTy say?", "when is the phone call",
]


async def concurrent_calls_during_indexing(lib: ThreadLibrary, calls: int = 100, ask: bool = True) -> dict:
    """Index the biggest dev thread; once embedding has started, fire `calls` questions at once
    (answers from the answer engine, or plain searches when `ask` is false or there is no engine)."""
    threads = parse_bytes(DEV_THREADS.read_bytes(), DEV_THREADS.name)
    big = max(threads, key=lambda t: len(t.comments))
    assert len(big.comments) == 1522
    for thread in threads:
        if thread is not big:
            await lib.index_thread(thread)
    await lib.index_bytes(SEED.read_bytes(), SEED.name)
    ids = [t.id for t in await lib.threads()]

    started = asyncio.Event()
    engine = AnswerEngine(lib) if AnswerEngine is not None and ask else None

    def progress(stage: str, done: int, total: int) -> None:
        started.set()

    async def one_call(i: int):
        question = QUESTIONS[i % len(QUESTIONS)]
        thread_id = ids[i % len(ids)] if i % 3 == 0 else None  # a third scoped to one thread
        if engine is not None:
            answer = await engine.ask(question, thread_id=thread_id)
            result = answer.answer
        else:
            result = await lib.search(question, thread_id=thread_id)
        return i, time.monotonic(), result

    index_task = asyncio.create_task(lib.index_thread(big, progress=progress))
    await asyncio.wait_for(started.wait(), timeout=600)
    results = await asyncio.gather(*(one_call(i) for i in range(calls)), return_exceptions=True)
    indexed = await index_task
    index_done = time.monotonic()
    failures = [r for r in results if isinstance(r, BaseException)]
    return {"failures": failures, "results": [r for r in results if not isinstance(r, BaseException)],
            "index_done": index_done, "indexed": indexed, "big": big}


async def test_100_concurrent_questions_while_indexing(tmp_path, fake_embedder, caplog):
    if not DEV_THREADS.is_file():
        pytest.skip(f"{DEV_THREADS} is absent")
    caplog.set_level(logging.WARNING)
    async with await ThreadLibrary.open(tmp_path / "busy.db", fake_embedder) as lib:
        report = await concurrent_calls_during_indexing(lib)
        assert report["failures"] == [], report["failures"][:3]
        assert len(report["results"]) == 100
        assert all(result for _, _, result in report["results"]), "every call gets an answer or hits"
        during = sum(1 for _, finished, _ in report["results"] if finished < report["index_done"])
        assert during > 0, "no call finished while the thread was being indexed"
        print(f"100 concurrent calls, {during} finished while the 1,522-comment thread was being indexed")
        assert report["indexed"].status == "indexed" and report["indexed"].comments == 1522
        info = await lib.thread_info(report["indexed"].thread_id)
        assert info.comments == 1522
    assert "locked" not in caplog.text.lower()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
