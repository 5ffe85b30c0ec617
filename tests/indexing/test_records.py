"""A thread's JSON body and content hash: what the rows store, built without deep copies."""

from __future__ import annotations

import json
from dataclasses import asdict

import indexing.records
from indexing.records import Comment, Thread

THREAD = Thread(title="T", paragraphs=("p0", "p1"), url="https://example.com/t", published="2024-01-01",
                source="example", source_file="t.json", format="threadbot-json", skipped={"stubs": 3},
                author="ann", score=4.5,
                comments=(Comment("a", "ann", "c0", posted="2024-01-02", score=2.0),
                          Comment("b", None, "c1", parent="a", source="discord", url="https://discord.com/x")))


def test_to_json_is_asdict():
    body = THREAD.to_json()
    assert body == asdict(THREAD)
    assert json.dumps(body, ensure_ascii=False) == json.dumps(asdict(THREAD), ensure_ascii=False)
    body["comments"][0]["text"] = "changed"
    body["skipped"]["stubs"] = 0
    assert THREAD.comments[0].text == "c0" and THREAD.skipped == {"stubs": 3}


def test_content_hash_is_computed_once_a_thread(monkeypatch):
    thread = Thread(title="T", comments=(Comment("a", "ann", "c0"),))
    first = thread.content_hash()
    assert Thread(title="T", comments=(Comment("a", "ann", "c1"),)).content_hash() != first
    calls: list[int] = []
    monkeypatch.setattr(indexing.records.json, "dumps", lambda *a, **k: calls.append(1) or "")
    assert thread.content_hash() == first and not calls
    assert thread == Thread(title="T", comments=(Comment("a", "ann", "c0"),))  # the remembered hash is no field
