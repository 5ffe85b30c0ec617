"""The CLI on hostile input: one clear line and a non-zero exit, never a traceback; nothing from a
thread can drive the terminal; JSON output is always JSON."""

from __future__ import annotations

import json

import pytest

EVIL_TITLE = "\x1b]0;pwned\x07Council \x1b[2J\x1b[31mnews\x9b1m"
EVIL = {"title": EVIL_TITLE, "paragraphs": ["The council \x1b[8mhidden\x1b[0m met on the bridge."],
        "comments": [{"id": "1", "author": "ann\x1b[5m", "text": "The bridge vote \x07 was close.", "score": 3}]}


@pytest.fixture
def indexed(run, tmp_path) -> str:
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(EVIL))
    code, out, _ = run("index", str(path), "--json")
    assert code == 0
    return json.loads(out)[0]["thread_id"]


def no_escapes(text: str) -> None:
    assert not any(ch in text for ch in "\x1b\x07\x9b"), repr(text)


def test_escape_sequences_never_reach_the_terminal(run, indexed):
    for args in (("threads",), ("show", indexed), ("search", "bridge council"), ("ask", "what about the bridge?"),
                 ("summary", indexed), ("digest", indexed), ("quotes", "ann")):
        code, out, err = run(*args)
        assert code in (0, 1), (args, err)
        no_escapes(out)
        no_escapes(err)
    _, out, _ = run("threads")
    assert "Council" in out and "news" in out


def test_show_json_is_json_even_with_nan_scores(run, tmp_path):
    path = tmp_path / "nan.json"
    path.write_text('{"title": "NaN thread", "paragraphs": ["Text."], "comments": [{"id": "1", "text": '
                    '"A comment.", "score": NaN}, {"id": "2", "text": "More.", "score": Infinity}]}')
    code, out, _ = run("index", str(path), "--json")
    thread_id = json.loads(out)[0]["thread_id"]
    code, out, _ = run("show", thread_id, "--json")
    assert code == 0

    def refuse(constant: str):
        raise AssertionError(f"{constant} is not JSON")

    shown = json.loads(out, parse_constant=refuse)
    assert [c["score"] for c in shown["comments"]] == [None, None]


def test_search_in_an_unknown_thread_is_an_error(run, indexed):
    code, out, err = run("search", "bridge", "--thread", "nosuchthread")
    assert code != 0 and err.startswith("error:") and "no matches" not in out
    assert run("search", "bridge", "--thread", indexed)[0] == 0


@pytest.mark.parametrize("k", ["-1", "0", "lots", "100000"])
def test_search_k_out_of_range_is_refused(run, indexed, k, capsys):
    with pytest.raises(SystemExit) as info:
        run("search", "bridge", "--k", k)
    assert info.value.code == 2 and "--k: must be a whole number from 1 to 1000" in capsys.readouterr().err


def test_ask_batch_missing_or_binary_file_is_one_line(run, tmp_path, indexed):
    code, _, err = run("ask", "--batch", str(tmp_path / "missing.jsonl"))
    assert code == 2 and err.strip().count("\n") == 0 and "cannot read the batch file" in err
    binary = tmp_path / "questions.jsonl"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    code, _, err = run("ask", "--batch", str(binary))
    assert code == 2 and err.strip().count("\n") == 0 and "not UTF-8 text" in err
    code, _, err = run("ask", "--batch", str(tmp_path))
    assert code == 2 and "cannot read the batch file" in err
