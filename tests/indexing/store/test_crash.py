"""SIGKILL at random points while a subprocess indexes large threads, 20 times, then a clean rerun.

After every kill: the database opens, `PRAGMA integrity_check` and the FTS5 integrity check pass, each
thread is either absent or exactly one complete version (its passages are those of that version, no
more, no less), no embedding row is orphaned and each holds its text's vector, and the dense index a
restarted store loads (from the saved copy plus the passage log, or from the rows) holds exactly the
passages with exactly their vectors, none lost: the saved copy is the only home of most vectors
(snapshot.py), so a kill while it is written or recorded must never leave the database naming a
copy that is gone.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from functools import cache

import numpy as np
import pytest

from indexing.library import ThreadLibrary
from indexing.records import thread_id_for
from indexing.store import Store
from indexing.text.chunking import thread_passages
from tests.fakes import FakeEmbedder
from tests.helpers import REPO
from tests.indexing.store.crash_worker import SHAPES, thread_for

pytestmark = pytest.mark.slow

KILLS = 20
EMBEDDER = FakeEmbedder()


@cache
def expected(title: str, scope: str, version: int) -> tuple[str, list[tuple]]:
    """(content hash, sorted passage rows) of one thread at one version."""
    comments = next(n for t, s, n in SHAPES if t == title and s == scope)
    thread = thread_for(title, comments, version)
    tid = thread_id_for(scope, thread.identity_key())
    rows = sorted((p.kind, p.position, p.chunk, p.text, p.start, p.end, p.author, p.comment_id, p.parent_id)
                  for p in thread_passages(thread, tid, EMBEDDER.count_tokens, EMBEDDER.max_tokens))
    return thread.content_hash(), rows


def check_database(db_path, newest_version: int) -> dict[str, int | None]:
    """Everything that can be checked with plain SQLite. Returns each thread's version (None: absent)."""
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        db.execute("INSERT INTO passages_fts (passages_fts, rank) VALUES ('integrity-check', 1)")
        state: dict[str, int | None] = {title: None for title, _, _ in SHAPES}
        for tid, title, scope, content_hash, n_comments in db.execute(
                "SELECT id, title, scope, content_hash, comment_count FROM threads"):
            versions = [v for v in range(newest_version + 1) if expected(title, scope, v)[0] == content_hash]
            assert versions, f"{title}: stored content matches no version written"
            rows = sorted(db.execute(
                "SELECT kind, position, chunk, text, start_char, end_char, author, comment_id, parent_id "
                "FROM passages WHERE thread_id = ?", (tid,)).fetchall())
            assert rows == expected(title, scope, versions[0])[1], f"{title}: passages of a half-written version"
            assert n_comments == next(n for t, _, n in SHAPES if t == title)
            state[title] = versions[0]
        passage_hashes = dict(db.execute("SELECT content_hash, text FROM passages"))
        embeddings = dict(db.execute("SELECT content_hash, vector FROM embeddings"))
        assert set(embeddings) <= set(passage_hashes), "orphaned embeddings"
        hashes = sorted(embeddings)  # the others are in the saved copy: check_library
        if hashes:
            want = EMBEDDER.embed([passage_hashes[h] for h in hashes])
            got = np.stack([np.frombuffer(embeddings[h], dtype="<f2") for h in hashes])  # float16 rows
            np.testing.assert_array_equal(got, want.astype("<f2"))
        orphans = db.execute("SELECT COUNT(*) FROM passages p LEFT JOIN threads t ON t.id = p.thread_id "
                             "WHERE t.id IS NULL").fetchone()[0]
        assert orphans == 0
    return state


async def check_library(db_path) -> int:
    """A restarted store's dense index holds exactly the stored passages with their vectors, none of
    them lost (a store opened without a model to embed again would report them), and a library
    answers from it."""
    with sqlite3.connect(db_path) as db:
        texts = dict(db.execute("SELECT id, text FROM passages"))
    store = await Store.open(db_path, EMBEDDER.model_id, EMBEDDER.dim, snapshot_min_passages=1)
    try:
        assert store.lost_vectors == [], "vectors lost"
        index = store.vectors
        assert sorted(index.ids.tolist()) == sorted(texts)
        if texts:
            ids = sorted(texts)
            want = EMBEDDER.embed([texts[pid] for pid in ids])
            for pid, vector in zip(ids, want, strict=True):
                # The in-memory copy is float16: compare by cosine.
                assert float(index.vector(pid) @ vector) > 0.999, f"passage {pid} has another passage's vector"
    finally:
        await store.close()
    async with await ThreadLibrary.open(db_path, EMBEDDER, snapshot_min_passages=1) as lib:
        if texts:
            hits = await lib.search("harbour repairs", scope=None, k=3)
            assert hits and all(h.passage.id in texts for h in hits)
    return len(texts)


def start_worker(db_path, version: int) -> subprocess.Popen:
    env = {**os.environ, "THREADBOT_SNAPSHOT_MIN_PASSAGES": "1", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.indexing.store.crash_worker", str(db_path), str(version)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise AssertionError(f"worker did not start: {line!r} {proc.stderr.read()}")
    return proc


async def test_sigkill_at_random_points(tmp_path):
    db_path = tmp_path / "crash.db"
    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)

    proc = start_worker(db_path, 0)
    started = time.monotonic()  # from "ready": the span in which kills land
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    full_run = time.monotonic() - started
    assert set(check_database(db_path, 0).values()) == {0}

    kills, version, states = 0, 0, []
    while kills < KILLS:
        version += 1
        assert version <= 3 * KILLS, f"only {kills} kills landed (seed {seed})"
        proc = start_worker(db_path, version)
        delay = rng.uniform(0.0, full_run)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        proc.stdout.close()
        proc.stderr.close()
        try:
            states.append(check_database(db_path, version))
            await check_library(db_path)
        except AssertionError as exc:
            raise AssertionError(f"after kill {kills} at {delay:.2f} s (version {version}, seed {seed}): {exc}") \
                from exc

    # How many kills caught a run part-way (some threads at the new version, some not): printed with -s.
    partial = sum(1 for v, state in enumerate(states, start=1) if len(set(state.values())) > 1 and v in
                  set(state.values()))
    print(f"{kills} kills (seed {seed}), {partial} of them between two thread writes of one run")

    version += 1
    proc = start_worker(db_path, version)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    assert set(check_database(db_path, version).values()) == {version}
    assert await check_library(db_path) == sum(len(expected(t, s, version)[1]) for t, s, _ in SHAPES)
