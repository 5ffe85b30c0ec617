"""bench/peers.py's own logic, runnable without any peer installed: recall, the exact truth, the
tuning rule, `threadbot_ahead`, a missing peer's note, and threadbot's side end to end on a small
corpus (real SQLite files: the row numbers it returns are the corpus rows)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def peers(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    for name in ("peers", "peer_stores", "common"):
        sys.modules.pop(name, None)
    return importlib.import_module("peers")


def test_recall_counts_the_true_top_k_found(peers):
    truth = np.array([list(range(10)), list(range(10, 20))])
    found = [list(range(10)), [10, 11, 12, 13, 14, 99, 98, 97, 96, 95]]
    assert peers.recall_at_k(found, truth) == 0.75


def test_exact_top_k_matches_a_full_sort_across_blocks(peers):
    rng = np.random.default_rng(3)
    matrix = rng.standard_normal((1_000, 16)).astype(np.float32)
    queries = rng.standard_normal((7, 16)).astype(np.float32)
    expected = np.argsort(-(queries @ matrix.T), axis=1)[:, :10]
    assert np.array_equal(importlib.import_module("common").exact_top_k(matrix, queries, block=64), expected)


def test_tune_keeps_the_first_setting_reaching_the_target(peers):
    recalls = {1: 0.90, 2: 0.96, 3: 0.99}
    tried = []

    def measure(setting):
        tried.append(setting["ef"])
        return {"recall_at_10": recalls[setting["ef"]]}

    setting, figures = peers.tune([{"ef": 1}, {"ef": 2}, {"ef": 3}], measure)
    assert (setting, figures, tried) == ({"ef": 2}, {"recall_at_10": 0.96}, [1, 2])


def test_tune_falls_back_to_the_best_recall_reached(peers):
    recalls = {1: 0.70, 2: 0.80, 3: 0.75}
    setting, figures = peers.tune([{"ef": e} for e in recalls], lambda s: {"recall_at_10": recalls[s["ef"]]})
    assert setting == {"ef": 2} and figures["recall_at_10"] == 0.80


THREADBOT = {"p50_ms": 2.0, "recall_at_10": 0.99, "build_s": 10.0, "bytes_per_passage": 900.0}


@pytest.mark.parametrize(("peer", "ahead"), [
    ({"p50_ms": 3.0, "recall_at_10": 1.0, "build_s": 20.0, "bytes_per_passage": 2000.0}, True),  # both past 0.95
    ({"p50_ms": 2.0, "recall_at_10": 0.80, "build_s": 10.0, "bytes_per_passage": 900.0}, True),  # ties count
    ({"p50_ms": 1.0, "recall_at_10": 0.73, "build_s": 90.0, "bytes_per_passage": 2000.0}, False),  # faster
    ({"p50_ms": 3.0, "recall_at_10": 1.0, "build_s": 5.0, "bytes_per_passage": 2000.0}, False),  # builds faster
    ({"p50_ms": 3.0, "recall_at_10": 1.0, "build_s": 20.0, "bytes_per_passage": 200.0}, False),  # smaller
    ({"p50_ms": None, "recall_at_10": None, "build_s": None, "bytes_per_passage": None}, False),  # not measured
])
def test_threadbot_ahead(peers, peer, ahead):
    assert peers.threadbot_ahead(THREADBOT, peer) is ahead


def test_threadbot_is_not_ahead_of_a_more_accurate_peer_below_the_target(peers):
    slow_but_better = {"p50_ms": 9.0, "recall_at_10": 0.93, "build_s": 99.0, "bytes_per_passage": 9999.0}
    assert not peers.threadbot_ahead({**THREADBOT, "recall_at_10": 0.90}, slow_but_better)
    assert peers.threadbot_ahead({**THREADBOT, "recall_at_10": 0.93}, slow_but_better)


def test_a_peer_that_is_not_installed_is_reported_not_run(peers, monkeypatch, tmp_path):
    stores = importlib.import_module("peer_stores")

    class Absent(stores.PeerStore):
        name = "absent"
        modules = ("no_such_vector_store_package",)

    monkeypatch.setitem(stores.STORES, "absent", Absent)
    figures = peers.measure_store("absent", tmp_path, 100, keep=False)
    assert figures["p50_ms"] is None and set(peers.FIGURES) <= set(figures)
    assert figures["note"] == "not installed (no_such_vector_store_package): pip install -e '.[bench]'"
    assert not peers.threadbot_ahead(THREADBOT, figures)


def test_threadbot_side_returns_corpus_rows(peers, tmp_path):
    common, stores = importlib.import_module("common"), importlib.import_module("peer_stores")
    rng = np.random.default_rng(5)
    base = rng.standard_normal((40, 384)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    vectors, anchor = common.synthetic_vectors(base, 0, 300)
    corpus = stores.Corpus(vectors, anchor, [f"passage text {i}" for i in range(40)], base, "bench-test-model")
    corpus.save(tmp_path)
    queries = vectors[[0, 17, 299]] + np.float32(0.01)
    np.save(tmp_path / "queries.npy", queries)
    np.save(tmp_path / "truth.npy", importlib.import_module("common").exact_top_k(vectors, queries))
    figures = peers.child_run("threadbot", tmp_path)
    assert figures["recall_at_10"] == 1.0 and figures["queries"] == 3 and figures["setting"] == {}
