"""`threadbot ask` and `threadbot quotes`: JSON shapes, batch order, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import REPO, SEED

ANSWER_KEYS = ["question", "thread_id", "answered", "answer", "mode", "citations"]
CITATION_KEYS = ["ref", "thread_id", "passage_id", "kind", "author", "text", "score"]


@pytest.fixture
def seed_id(run):
    code, out, _ = run("index", str(SEED), "--json")
    assert code == 0
    return json.loads(out)[0]["thread_id"]


def test_ask_json_shape(run, seed_id):
    code, out, _ = run("ask", "what did Peskov say?", "--thread", seed_id, "--json")
    assert code == 0
    answer = json.loads(out)
    assert list(answer) == ANSWER_KEYS
    assert answer["question"] == "what did Peskov say?" and answer["thread_id"] == seed_id
    assert answer["answered"] is True and answer["mode"] == "extractive"
    assert "no information on reports" in answer["answer"]
    assert answer["citations"] and all(list(c) == CITATION_KEYS for c in answer["citations"])
    assert all(c["ref"] in answer["answer"] for c in answer["citations"])
    assert {c["kind"] for c in answer["citations"]} == {"paragraph"}


def test_ask_human_output_lists_sources(run, seed_id):
    code, out, _ = run("ask", "What did CNONC say?", "--thread", seed_id)
    assert code == 0
    assert out.startswith("CNONC wrote:")
    assert "\nSources:\n[1] " in out and "comment by CNONC" in out


def test_ask_batch_keeps_order_and_ids(run, seed_id):
    lines = [{"question": "what did Peskov say?", "thread_id": seed_id, "id": "a"},
             {"question": "When will Putin and Trump talk?", "thread_id": None, "id": 7},
             {"question": "What did CNONC say?", "id": None}]
    stdin = "".join(json.dumps(x) + "\n" for x in lines)
    code, out, _ = run("ask", "--batch", "-", "--json", stdin=stdin)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == ["a", 7, None]
    assert [r["question"] for r in records] == [x["question"] for x in lines]
    assert all(list(r)[:6] == ANSWER_KEYS for r in records)


def test_ask_batch_reports_bad_lines_in_place(run, seed_id, tmp_path):
    batch = tmp_path / "questions.jsonl"
    batch.write_text('{"question": "what did Peskov say?", "id": 1}\nnot json\n'
                     '{"question": "x", "thread_id": "nosuchthread", "id": 3}\n')
    code, out, _ = run("ask", "--batch", str(batch), "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [r["id"] for r in records] == [1, None, 3]
    assert "error" not in records[0] and "line 2" in records[1]["error"] and "nosuchthread" in records[2]["error"]


def test_ask_unknown_thread_and_missing_question(run, seed_id):
    code, _, err = run("ask", "what?", "--thread", "nosuchthread")
    assert code == 2 and err.startswith("error: no thread with id nosuchthread")
    code, _, err = run("ask")
    assert code == 2 and "QUESTION" in err


def test_quotes_for_a_speaker_and_for_a_thread(run, seed_id):
    code, out, _ = run("quotes", "Peskov", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["speaker"] == "Peskov"
    statements = result["statements"]
    assert {s["speaker"] for s in statements} == {"Dmitry Peskov"}
    assert list(statements[0]) == ["ref", "thread_id", "passage_id", "speaker", "speaker_mention", "cue", "source",
                                   "verbatim", "text", "start", "end"]
    assert any(s["verbatim"] and "let's be patient" in s["text"] for s in statements)

    code, out, _ = run("quotes", "--thread", seed_id, "--json")
    speakers = json.loads(out)
    assert code == 0 and all(list(s) == ["speaker", "source", "statements"] for s in speakers)
    by_name = {(s["speaker"], s["source"]): s["statements"] for s in speakers}
    assert by_name[("Dmitry Peskov", "article")] == 3
    assert by_name[("CNONC", "comment")] >= 1

    code, out, _ = run("quotes", "--thread", seed_id)
    assert code == 0 and "Dmitry Peskov  (article)" in out
    code, _, err = run("quotes")
    assert code == 2 and "SPEAKER" in err


def test_a_fresh_ask_loads_only_what_asking_needs(tmp_path):
    """A `threadbot ask` process (the real model, a fresh interpreter) imports neither the summaries
    wing nor the format parsers; importing the CLI alone loads no library, store or answer engine
    (they load while the ONNX session does, see Context.library)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    db = str(tmp_path / "seed.db")
    subprocess.run([sys.executable, "-P", "-m", "indexing.cli", "--db", db, "index", str(SEED)], env=env,
                   check=True, capture_output=True, timeout=300)
    script = ("import sys\nfrom indexing.cli import main\n"
              "early = sorted(m for m in sys.modules if m.startswith('indexing.'))\n"
              "code = main(['--db', sys.argv[1], 'ask', 'What did Peskov say about the phone call?'])\n"
              "print('EARLY', *early)\nprint('LATE', *sorted(m for m in sys.modules if m.startswith('indexing.')))\n"
              "sys.exit(code)")
    done = subprocess.run([sys.executable, "-P", "-c", script, db], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Peskov" in done.stdout
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if line.startswith(("EARLY ", "LATE ")))
    early, late = lines["EARLY"].split(), lines["LATE"].split()
    assert not {"indexing.library", "indexing.store", "indexing.answers"} & set(early)
    assert {"indexing.library", "indexing.answers"} <= set(late)
    assert not [m for m in late if m.startswith(("indexing.summaries", "indexing.sources.detect"))]
