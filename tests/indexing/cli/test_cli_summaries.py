"""`threadbot summary` and `threadbot digest`: JSON shapes, help, deltas; the seed with the real model."""

from __future__ import annotations

import json

import pytest

from indexing import cli
from tests.helpers import SEED, SEED_GOLDEN

CITATION_KEYS = {"ref", "thread_id", "passage_id", "kind", "author", "text", "score"}
SUMMARY_KEYS = {"thread_id", "title", "article", "discussion"}
DISCUSSION_KEYS = {"text", "comment_count", "author_count", "themes", "off_topic_count"}
THEME_KEYS = {"label", "comment_count", "authors", "representative"}
REPRESENTATIVE_KEYS = {"passage_id", "author", "text"}


def thread_json(comments: int) -> dict:
    topics = ["buses help commuters get to work", "road repairs and potholes come first",
              "the council vote was too close"]
    return {"title": "Council approves transport budget", "url": "https://example.org/transport",
            "paragraphs": ["The council approved a transport budget on Monday. It adds buses.",
                           "Critics said road repairs were ignored."],
            "comments": [{"id": f"c{i}", "author": f"user{i % 5}", "text": f"{topics[i % 3]} ({i})",
                          "parent": None} for i in range(comments)]}


@pytest.fixture
def run(monkeypatch, capsys, tmp_path):
    """Run `threadbot ARGS` in-process against a real database file with the given embedder."""
    monkeypatch.chdir(tmp_path)
    for var in ("THREADBOT_DB", "THREADBOT_CONFIG", "THREADBOT_MODEL"):
        monkeypatch.delenv(var, raising=False)

    def run_cli(embedder, *args: str) -> tuple[int, str, str]:
        code = cli.main(["--db", str(tmp_path / "cli.db"), *args], make_embedder=lambda config: embedder)
        out, err = capsys.readouterr()
        return code, out, err

    return run_cli


def index(run, embedder, tmp_path, data: dict) -> str:
    path = tmp_path / "thread.json"
    path.write_text(json.dumps(data))
    code, out, _ = run(embedder, "index", str(path), "--json")
    assert code == 0
    return json.loads(out)[0]["thread_id"]


def test_summary_json_shape(run, fake_embedder, tmp_path):
    thread_id = index(run, fake_embedder, tmp_path, thread_json(15))
    code, out, _ = run(fake_embedder, "summary", thread_id, "--length", "short", "--json")
    assert code == 0
    data = json.loads(out)
    assert SUMMARY_KEYS <= set(data) and data["thread_id"] == thread_id
    assert set(data["article"]) >= {"text", "citations"}
    assert 1 <= len(data["article"]["citations"]) <= 2
    for c in data["article"]["citations"] + data["discussion"]["citations"]:
        assert set(c) == CITATION_KEYS and c["ref"] in (data["article"]["text"] + data["discussion"]["text"])
    d = data["discussion"]
    assert DISCUSSION_KEYS <= set(d) and d["comment_count"] == 15 and d["author_count"] == 5
    assert d["themes"] and all(set(t) == THEME_KEYS for t in d["themes"])
    assert all(set(r) == REPRESENTATIVE_KEYS for t in d["themes"] for r in t["representative"])
    assert sum(t["comment_count"] for t in d["themes"]) + d["off_topic_count"] == 15


def test_summary_of_a_thread_without_article_has_null_article(run, fake_embedder, tmp_path):
    data = thread_json(4)
    data["paragraphs"] = []
    thread_id = index(run, fake_embedder, tmp_path, data)
    code, out, _ = run(fake_embedder, "summary", thread_id, "--json")
    summary = json.loads(out)
    assert code == 0 and summary["article"] is None and summary["discussion"]["comment_count"] == 4
    code, out, _ = run(fake_embedder, "summary", thread_id)
    assert code == 0 and "What readers say:" in out and "(no article text)" in out


def test_digest_is_recorded_and_the_next_one_covers_only_new_comments(run, fake_embedder, tmp_path):
    thread_id = index(run, fake_embedder, tmp_path, thread_json(15))
    code, out, _ = run(fake_embedder, "digest", thread_id, "--json")
    first = json.loads(out)
    assert code == 0 and not first["is_delta"] and first["new_comment_count"] == 15
    assert first["article"] in first["text"] and first["themes"] and first["citations"]
    assert first["text"].startswith("Council approves transport budget\nhttps://example.org/transport")
    code, out, _ = run(fake_embedder, "digest", thread_id)
    assert code == 0 and out.startswith("No new comments since the last digest")

    index(run, fake_embedder, tmp_path, thread_json(18))
    code, out, _ = run(fake_embedder, "digest", thread_id, "--preview", "--json")
    delta = json.loads(out)
    assert delta["is_delta"] and delta["new_comment_count"] == 3 and not delta["already_posted"]
    assert "3 new comments since the last digest" in delta["text"]
    code, out, _ = run(fake_embedder, "digest", thread_id)  # the preview recorded nothing
    assert code == 0 and "3 new comments since the last digest" in out


def test_unknown_thread_is_one_clear_error(run, fake_embedder):
    code, _, err = run(fake_embedder, "summary", "nope")
    assert code == 2 and err.startswith("error: no thread with id nope")


@pytest.mark.parametrize("command", ["summary", "digest"])
def test_commands_have_help(command, capsys):
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    assert "THREAD_ID" in capsys.readouterr().out


@pytest.mark.slow
def test_seed_summary_meets_the_golden_expectations(run, real_embedder):
    if not SEED_GOLDEN.is_file():
        pytest.skip("../shared/eval/seed-golden.json is not available")
    golden = json.loads(SEED_GOLDEN.read_text())["summary"]
    code, out, _ = run(real_embedder, "index", str(SEED), "--json")
    thread_id = json.loads(out)[0]["thread_id"]
    code, out, _ = run(real_embedder, "summary", thread_id, "--json")
    assert code == 0
    summary = json.loads(out)
    article, discussion = summary["article"]["text"].lower(), summary["discussion"]["text"].lower()
    for group in golden["article_expect"]:
        assert any(p.lower() in article for p in group), group
    for group in golden["discussion_expect"]:
        assert any(p.lower() in discussion for p in group), group
    assert f"{summary['discussion']['comment_count']} comments" in discussion
