"""`show` names who submitted the post and its score; `quotes` finds the post author and commenters by the
names people type (a made-up Reddit AMA)."""

from __future__ import annotations

import json

from tests.indexing.sources.test_reddit import page, t1

AMA = page([t1("c1", "What is the hardest part?", author="BobSmith42",
               replies={"kind": "Listing", "data": {"children": [
                   t1("c2", "Finding spare parts.", author="clockfixer_77", parent="t1_c1")]}})],
           title="I am Jane Doe, I repair old clocks, ask me anything", author="clockfixer_77", score=321,
           selftext="I have repaired clocks for thirty years.")


def test_show_names_the_submitter_and_quotes_find_typed_names(run, tmp_path):
    path = tmp_path / "ama.json"
    path.write_text(json.dumps(AMA))
    code, out, _ = run("index", str(path), "--json")
    assert code == 0
    thread_id = json.loads(out)[0]["thread_id"]
    code, out, _ = run("show", thread_id)
    assert code == 0 and out.splitlines()[1] == "  posted by clockfixer_77, 321 points"
    code, out, _ = run("show", thread_id, "--json")
    assert (json.loads(out)["author"], json.loads(out)["score"]) == ("clockfixer_77", 321)
    code, out, _ = run("quotes", "Jane Doe", "--json")
    found = json.loads(out)["statements"]
    assert [s["speaker"] for s in found] == ["clockfixer_77", "clockfixer_77"]
    assert [s["text"] for s in found] == ["I have repaired clocks for thirty years.", "Finding spare parts."]
    code, out, _ = run("quotes", "bob smith", "--json")
    assert [s["text"] for s in json.loads(out)["statements"]] == ["What is the hardest part?"]
