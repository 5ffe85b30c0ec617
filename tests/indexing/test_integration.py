"""End to end with the real all-MiniLM-L6-v2 model: the seed search and the dev threads."""

from __future__ import annotations

import json

import pytest

from indexing import cli
from indexing.library import ThreadLibrary
from tests.helpers import DEV_THREADS, SEED
from tests.indexing.store.test_concurrency import concurrent_calls_during_indexing

pytestmark = pytest.mark.slow


def test_seed_search_for_peskov_ranks_a_paragraph_naming_him_first(monkeypatch, capsys, tmp_path,
                                                                    real_embedder):
    db = str(tmp_path / "seed.db")
    assert cli.main(["--db", db, "index", str(SEED), "--json"], make_embedder=lambda config: real_embedder) == 0
    capsys.readouterr()
    assert cli.main(["--db", db, "search", "what did Peskov say", "--json"],
                    make_embedder=lambda config: real_embedder) == 0
    hits = json.loads(capsys.readouterr().out)
    top = hits[0]["passage"]
    assert top["kind"] == "paragraph"
    assert "Peskov" in top["text"]
    assert hits[0]["dense_rank"] is not None and hits[0]["bm25_rank"] is not None


@pytest.fixture(scope="module")
def dev_threads() -> list[dict]:
    if not DEV_THREADS.is_file():
        pytest.skip(f"{DEV_THREADS} is absent")
    return [json.loads(line) for line in DEV_THREADS.read_text(encoding="utf-8").splitlines() if line.strip()]


async def test_dev_threads_index_under_load_with_right_counts_then_unchanged(tmp_path, real_embedder,
                                                                             dev_threads):
    """The dev set with the real model; 100 searches run while the 1,522-comment thread is embedded.

    (Searches, not full answers: an answer embeds dozens of sentences, which on two CPU cores would
    double the run time; test_concurrency runs 100 full answers with the fake embedder.)
    """
    async with await ThreadLibrary.open(tmp_path / "dev.db", real_embedder) as lib:
        report = await concurrent_calls_during_indexing(lib, calls=100, ask=False)
        assert report["failures"] == [], report["failures"][:3]
        assert len(report["results"]) == 100 and all(hits for _, _, hits in report["results"])
        assert any(finished < report["index_done"] for _, finished, _ in report["results"])

        threads = [t for t in await lib.threads() if t.source_file == DEV_THREADS.name]
        assert len(threads) == 5
        expected = sorted((t["title"], len(t["comments"])) for t in dev_threads)
        assert sorted((t.title, t.comments) for t in threads) == expected
        assert max(t.comments for t in threads) == 1522
        for t in threads:
            assert t.passages >= 1 + t.paragraphs + t.comments
        assert len(lib.store.vectors) == sum(t.passages for t in await lib.threads())

        again, failures = await lib.index_paths([DEV_THREADS])
        assert failures == [] and [r.status for r in again] == ["unchanged"] * 5
        assert sum(r.embedded for r in again) == 0
