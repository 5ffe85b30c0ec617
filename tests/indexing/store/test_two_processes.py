"""Two long-running processes on one database file: what one writes, the other sees, and no passage
ever crosses from one server to another.

The failure this guards against: process B forgot a thread and indexed another server's thread;
passage ids were MAX(id) + 1, so the new passages took the forgotten ones' ids, while process A's
in-memory dense index still held those ids with the old server's scope and vectors.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import REPO


class Worker:
    """One `library_worker` process; `call` sends a command and returns its answer."""

    def __init__(self, db_path, **env_vars: str):
        env = dict(os.environ, PYTHONPATH=str(REPO), **env_vars)
        self.process = subprocess.Popen([sys.executable, "-m", "tests.indexing.store.library_worker", str(db_path)],
                                        cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert json.loads(self._line()) == {"ready": True}

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, f"the worker exited with {self.process.wait()}"
        return line

    def call(self, **command) -> dict:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return json.loads(self._line())

    def close(self) -> None:
        if self.process.poll() is None:
            self.call(op="quit")
        assert self.process.wait(timeout=120) == 0


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []

    def start(**env_vars: str) -> Worker:
        started.append(Worker(tmp_path / "shared.db", **env_vars))
        return started[-1]

    yield start
    for worker in started:
        worker.close()


PUBLIC = ["the harbour reopened after the storm", "fishermen welcome the harbour news", "the storm cost the town"]
PRIVATE = ["secret harbour plan of the second server", "private storm budget of the second server"]


def test_a_thread_forgotten_and_another_servers_indexed_by_one_process_never_leaks_in_the_other(workers):
    a = workers()
    first = a.call(op="index", scope="guild-1", title="Harbour", texts=PUBLIC)
    warm = a.call(op="search", scope="guild-1", query="harbour storm", dense=True)["hits"]
    assert {h[2] for h in warm} == {"guild-1"}
    b = workers()
    b.call(op="forget", scope="guild-1", thread_id=first["thread_id"])
    second = b.call(op="index", scope="guild-2", title="Plans", texts=PRIVATE)

    assert not set(second["ids"]) & set(first["ids"]), "a forgotten passage's id was handed out again"
    for dense in (True, False):
        hits = a.call(op="search", scope="guild-1", query="secret harbour storm budget", dense=dense)["hits"]
        assert hits == [], hits  # the first server's thread is gone, the second's is not its to see
        # ... and the first process sees the second's writes: its dense index found them
        found = a.call(op="search", scope="guild-2", query="secret harbour plan", dense=dense)["hits"]
        assert found and {h[1] for h in found} == {second["thread_id"]}
        assert {h[0] for h in found} <= set(second["ids"])


def test_a_process_sees_writes_even_after_the_other_saved_its_index_and_pruned_the_log(workers):
    a = workers(THREADBOT_SNAPSHOT_MIN_PASSAGES="1")
    first = a.call(op="index", scope="guild-1", title="Harbour", texts=PUBLIC)
    b = workers(THREADBOT_SNAPSHOT_MIN_PASSAGES="1")
    b.call(op="forget", scope="guild-1", thread_id=first["thread_id"])
    second = b.call(op="index", scope="guild-2", title="Plans", texts=PRIVATE)
    b.call(op="save")  # the log entries a never saw are pruned: a reloads from the saved copy
    assert a.call(op="search", scope="guild-1", query="harbour storm", dense=True)["hits"] == []
    found = a.call(op="search", scope="guild-2", query="secret harbour plan", dense=True)["hits"]
    assert found and {h[1] for h in found} == {second["thread_id"]}
