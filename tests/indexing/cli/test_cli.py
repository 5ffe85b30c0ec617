"""The `threadbot` CLI: help text, `--json` shapes, exit codes, failing files reported, default database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from indexing import cli
from indexing.store.dense import VectorIndex
from tests.helpers import REPO, SEED

HIT_KEYS = {"passage", "score", "dense_score", "bm25_score", "dense_rank", "bm25_rank", "thread_title"}
PASSAGE_KEYS = {"id", "thread_id", "kind", "position", "text", "start", "end", "author"}
INDEX_KEYS = {"thread_id", "title", "source_file", "status", "paragraphs", "comments", "passages", "format", "skipped"}
GOOD_JSON = {"title": "Mayor resigns", "paragraphs": ["The mayor resigned on Monday after the vote."],
             "comments": [{"id": "1", "author": "ann", "text": "About time the mayor went."}]}


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "threads"
    folder.mkdir()
    (folder / "mayor.json").write_text(json.dumps(GOOD_JSON))
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    (folder / "broken.json").write_text('{"paragraphs": ["no title here"]}')
    (folder / "ignored.pdf").write_bytes(b"%PDF-1.4")
    return folder


def test_index_json_shape_and_failing_file_reported(run, files):
    code, out, err = run("index", str(files), "--json")
    assert code == 1
    results = json.loads(out)
    assert [r["source_file"] for r in results] == ["mayor.json", "seed.txt"]
    for r in results:
        assert set(r) == INDEX_KEYS
        assert r["status"] == "indexed"
        assert isinstance(r["thread_id"], str) and len(r["thread_id"]) == 12
    assert [r["format"] for r in results] == ["threadbot-json", "page-text"]
    seed = results[1]
    assert (seed["paragraphs"], seed["comments"]) == (11, 17)
    assert seed["passages"] >= 1 + 11 + 17
    assert err.strip().splitlines() == [
        "skipped: ignored.pdf: not a thread file type (.pdf); threadbot reads "
        ".txt, .json, .jsonl, .html, .htm, .md, .markdown, .xml",  # a folder never skips a file without a word
        'error: broken.json: missing "title" (a non-empty string is required)']


def test_reindex_reports_unchanged_and_exit_zero(run, files):
    (files / "broken.json").unlink()
    assert run("index", str(files), "--json")[0] == 0
    code, out, _ = run("index", str(files), "--json")
    assert code == 0
    assert {r["status"] for r in json.loads(out)} == {"unchanged"}


def test_threads_show_and_search_json(run, files):
    code, out, _ = run("index", str(files / "mayor.json"), "--json")
    assert code == 0
    thread_id = json.loads(out)[0]["thread_id"]

    code, out, _ = run("threads", "--json")
    assert code == 0
    [info] = json.loads(out)
    assert info["id"] == thread_id and info["title"] == "Mayor resigns"
    assert (info["paragraphs"], info["comments"], info["passages"], info["scope"]) == (1, 1, 3, "local")
    assert {"source_file", "url", "indexed_at", "updated_at", "content_hash"} <= set(info)

    code, out, _ = run("show", thread_id, "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["thread_id"] == thread_id and shown["title"] == "Mayor resigns"
    assert shown["paragraphs"] == GOOD_JSON["paragraphs"]
    first = shown["comments"][0]
    assert first["author"] == "ann" and first["text"] == "About time the mayor went."

    code, out, _ = run("search", "Monday vote", "--json", "--k", "2", "--thread", thread_id)
    assert code == 0
    hits = json.loads(out)
    assert 1 <= len(hits) <= 2
    for hit in hits:
        assert HIT_KEYS <= set(hit)
        assert PASSAGE_KEYS <= set(hit["passage"])
        assert hit["passage"]["thread_id"] == thread_id
    assert hits[0]["passage"]["text"] == "The mayor resigned on Monday after the vote."


def test_human_output(run, files):
    code, out, _ = run("index", str(files / "mayor.json"))
    assert code == 0 and out.startswith("indexed ") and "Mayor resigns" in out
    thread_id = out.split()[1]
    code, out, _ = run("threads")
    assert code == 0 and thread_id in out and "1 comments" in out
    code, out, _ = run("show", thread_id)
    assert code == 0 and "Article: 1 paragraphs" in out and "ann: About time" in out
    code, out, _ = run("search", "mayor")
    assert code == 0 and out.lstrip().startswith("1. [")


def test_empty_database_messages(run):
    code, out, _ = run("threads")
    assert code == 0 and "no threads indexed yet" in out
    code, out, _ = run("threads", "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run("search", "anything", "--json")
    assert code == 0 and json.loads(out) == []


def test_unknown_thread_is_exit_2_with_one_line(run):
    code, out, err = run("show", "doesnotexist")
    assert code == 2 and out == ""
    assert err.strip().startswith("error: no thread with id doesnotexist") and err.count("\n") == 1


def test_no_files_found_is_an_error(run, tmp_path):
    (tmp_path / "empty").mkdir()
    code, out, err = run("index", str(tmp_path / "empty"))
    assert code == 1 and "no thread files found" in err


def test_missing_path_reported(run, tmp_path):
    code, _, err = run("index", str(tmp_path / "nope.txt"), "--json")
    assert code == 1 and "nope.txt: cannot read the file" in err


def test_default_database_env_and_config(monkeypatch, capsys, tmp_path, fake_embedder):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("THREADBOT_CONFIG", raising=False)
    monkeypatch.delenv("THREADBOT_DB", raising=False)
    def main(args: list[str]) -> int:
        return cli.main(args, make_embedder=lambda config: fake_embedder)

    (tmp_path / "a.json").write_text(json.dumps(GOOD_JSON))
    assert main(["index", "a.json"]) == 0
    assert (tmp_path / "threadbot.db").is_file()
    monkeypatch.setenv("THREADBOT_DB", str(tmp_path / "env.db"))
    assert main(["index", "a.json"]) == 0
    assert (tmp_path / "env.db").is_file()
    monkeypatch.delenv("THREADBOT_DB")
    (tmp_path / "config.toml").write_text('[index]\ndb_path = "from-config.db"\n')
    assert main(["index", "a.json"]) == 0
    assert (tmp_path / "from-config.db").is_file()
    (tmp_path / "config.toml").write_text("[index\n")
    capsys.readouterr()
    assert main(["threads"]) == 2
    assert "cannot read config file" in capsys.readouterr().err


def test_every_command_has_help_text():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) >= {"index", "threads", "show", "search"}
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name, command in sub.choices.items():
        assert helps.get(name), f"command {name} has no help text"
        assert command.description, f"command {name} has no description"
        for action in command._actions:
            assert action.help, f"{name} {action.dest} has no help text"


def test_console_script_help_runs_as_a_subprocess():
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "indexing.cli", "--help"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    for command in ("index", "threads", "show", "search"):
        assert command in done.stdout
    done = subprocess.run([sys.executable, "-m", "indexing.cli", "frobnicate"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_index_finishes_the_clustering_it_starts_and_queries_never_start_one(run, tmp_path, monkeypatch):
    """A short-lived process must not leave clustering half done (the next run would start again)
    nor spend a core on clustering it cannot finish."""
    monkeypatch.setenv("THREADBOT_ANN_MIN_PASSAGES", "200")
    monkeypatch.setenv("THREADBOT_SNAPSHOT_MIN_PASSAGES", "1")
    comments = [{"id": str(i), "author": f"user{i % 7}", "text": f"Comment {i} on the bridge vote number {i}."}
                for i in range(300)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"title": "Bridge vote", "paragraphs": ["The council voted."], "comments": comments}))
    build = VectorIndex._build_ann
    monkeypatch.setattr(VectorIndex, "_build_ann", lambda self: time.sleep(2) or build(self))  # a big index
    code, _, err = run("index", str(path))
    assert code == 0 and "clustering the dense index of 302 passages" in err
    saved, _ = VectorIndex.load(tmp_path / "cli.db.vectors", 200)
    assert saved.approximate and len(saved) == 302  # saved clustered, so no later run clusters again

    (tmp_path / "cli.db.vectors" / "manifest.json").unlink()  # no saved index: a query loads flat vectors
    started = []
    original = VectorIndex.maybe_build_ann
    monkeypatch.setattr(VectorIndex, "maybe_build_ann", lambda self: started.append(original(self)) or started[-1])
    assert run("search", "bridge vote")[0] == 0
    assert run("ask", "what was voted?")[0] == 0
    assert started and not any(started)  # asked, and declined: a query never starts what it would abandon
