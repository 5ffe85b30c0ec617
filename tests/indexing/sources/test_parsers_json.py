"""Thread JSON (`.json`, `.jsonl`): the documented shape, accepted variants, and malformed inputs."""

from __future__ import annotations

import json

import pytest

from indexing.errors import ParseError
from indexing.sources import parse_bytes


def thread_obj(**overrides) -> dict:
    base = {
        "title": "Mayor resigns",
        "url": "https://example.com/mayor",
        "published": "2024-05-01T10:00:00Z",
        "source": "Example News",
        "paragraphs": ["The mayor resigned on Monday.", "  ", "A successor is due in June."],
        "comments": [
            {"id": "1", "author": "ann", "text": "About time.", "parent": None, "posted": None, "score": 3},
            {"id": "2", "author": None, "text": "Agreed.", "parent": "1", "posted": "2024-05-01T11:00:00Z",
             "score": None},
        ],
        "extra_key": {"ignored": True},
    }
    base.update(overrides)
    return base


def parse(value, name="t.json"):
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    return parse_bytes(data, name)


def test_full_object():
    [t] = parse(thread_obj())
    assert t.title == "Mayor resigns"
    assert t.url == "https://example.com/mayor" and t.source == "Example News"
    assert t.published == "2024-05-01T10:00:00Z"
    assert t.paragraphs == ("The mayor resigned on Monday.", "A successor is due in June.")
    assert [(c.id, c.author, c.text, c.parent, c.score) for c in t.comments] == [
        ("1", "ann", "About time.", None, 3), ("2", None, "Agreed.", "1", None)]
    assert t.source_file == "t.json"


def test_list_of_threads():
    threads = parse([thread_obj(title="One"), thread_obj(title="Two")])
    assert [t.title for t in threads] == ["One", "Two"]


def test_body_instead_of_paragraphs():
    obj = thread_obj(body="First para.\n\nSecond para\ncontinues.\n\n\n")
    del obj["paragraphs"]
    [t] = parse(obj)
    assert t.paragraphs == ("First para.", "Second para\ncontinues.")


def test_minimal_object_only_title():
    [t] = parse({"title": "  Only   a title "})
    # Kept as given (only trimmed): evalkit matches the titles `index --json` reports to its own.
    assert t.title == "Only   a title"
    assert t.paragraphs == () and t.comments == () and t.url is None


def test_numeric_ids_and_parents_become_strings():
    [t] = parse(thread_obj(comments=[{"id": 1, "text": "a"}, {"id": 2, "text": "b", "parent": 1}]))
    assert [(c.id, c.parent) for c in t.comments] == [("1", None), ("2", "1")]


def test_missing_ids_are_generated_and_empty_comments_dropped():
    [t] = parse(thread_obj(comments=[{"text": "a"}, {"text": "   "}, {"text": "c"}]))
    assert [c.text for c in t.comments] == ["a", "c"]
    assert len({c.id for c in t.comments}) == 2


def test_duplicate_comment_ids_are_kept_and_made_unique():
    [t] = parse(thread_obj(comments=[{"id": "x", "text": "a"}, {"id": "x", "text": "b"}]))
    assert [c.text for c in t.comments] == ["a", "b"]
    assert len({c.id for c in t.comments}) == 2


def test_parent_cycles_and_dangling_parents_are_broken():
    comments = [{"id": "a", "text": "1", "parent": "b"}, {"id": "b", "text": "2", "parent": "a"},
                {"id": "c", "text": "3", "parent": "c"}, {"id": "d", "text": "4", "parent": "nowhere"},
                {"id": "e", "text": "5", "parent": "a"}]
    [t] = parse(thread_obj(comments=comments))
    parent = {c.id: c.parent for c in t.comments}
    assert parent["c"] is None and parent["d"] is None
    for cid in parent:  # every chain ends at a root
        seen = set()
        node = cid
        while node is not None:
            assert node not in seen, f"cycle through {cid}"
            seen.add(node)
            node = parent[node]


def test_jsonl_one_thread_per_line_blank_lines_skipped():
    data = "\n".join([json.dumps(thread_obj(title="A")), "", json.dumps(thread_obj(title="B")), ""]).encode()
    assert [t.title for t in parse(data, "t.jsonl")] == ["A", "B"]


@pytest.mark.parametrize("data, reason", [
    (b"{not json", "invalid JSON at line 1"),
    (b'{"title": "x",}', "invalid JSON"),
    (b"[]", "holds no threads"),
    (b'"just a string"', "must be a JSON object, not a string"),
    (b"42", "must be a JSON object, not a number"),
    (b'[{"title": "ok"}, 5]', "item 2: a thread must be a JSON object"),
])
def test_invalid_json_documents(data, reason):
    with pytest.raises(ParseError) as info:
        parse(data, "bad.json")
    message = str(info.value)
    assert message.startswith("bad.json: ") and reason in message and "\n" not in message


@pytest.mark.parametrize("obj, reason", [
    ({"paragraphs": ["x"]}, 'missing "title"'),
    ({"title": ""}, 'missing "title"'),
    ({"title": 7}, 'missing "title"'),
    ({"title": "t", "comments": "a string"}, '"comments" must be a list, not a string'),
    ({"title": "t", "comments": [{"text": 5}]}, '"comments"[0]["text"] must be a string, not a number'),
    ({"title": "t", "comments": ["hi"]}, '"comments"[0] must be an object'),
    ({"title": "t", "comments": [{"text": "a", "author": 3}]}, '["author"] must be a string or null'),
    ({"title": "t", "comments": [{"text": "a", "id": [1]}]}, '["id"] must be a string'),
    ({"title": "t", "comments": [{"text": "a", "parent": {}}]}, '["parent"] must be a string or null'),
    ({"title": "t", "comments": [{"text": "a", "score": "high"}]}, '["score"] must be a number or null'),
    ({"title": "t", "comments": [{"text": "a", "score": True}]}, '["score"] must be a number or null'),
    ({"title": "t", "comments": [{"text": "a", "posted": 1}]}, '["posted"] must be an ISO-8601 string'),
    ({"title": "t", "paragraphs": "one string"}, '"paragraphs" must be a list of strings'),
    ({"title": "t", "paragraphs": ["a", 2]}, '"paragraphs"[1] must be a string'),
    ({"title": "t", "body": ["a"]}, '"body" must be a string'),
    ({"title": "t", "url": 5}, '"url" must be a string or null'),
])
def test_wrong_shapes_are_typed_errors(obj, reason):
    with pytest.raises(ParseError) as info:
        parse(obj, "bad.json")
    assert reason in str(info.value)
    assert info.value.source == "bad.json"


def test_deeply_nested_json_is_a_parse_error():
    data = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ParseError, match="bad.json"):
        parse(data, "bad.json")


def test_jsonl_bad_line_rejects_the_file_naming_the_line():
    lines = [json.dumps(thread_obj(title="A")), "{oops", json.dumps(thread_obj(title="C"))]
    with pytest.raises(ParseError, match=r"bad.jsonl: line 2: invalid JSON"):
        parse("\n".join(lines).encode(), "bad.jsonl")


def test_jsonl_line_without_title_names_the_line():
    lines = [json.dumps(thread_obj(title="A")), json.dumps({"paragraphs": []})]
    with pytest.raises(ParseError, match=r'line 2: missing "title"'):
        parse("\n".join(lines).encode(), "bad.jsonl")
