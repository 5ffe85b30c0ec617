"""The real captures in ../shared/eval/dev/formats/ and their true counts, read in place."""

from __future__ import annotations

import json

import pytest

from tests.helpers import EVAL

FORMATS = EVAL / "dev" / "formats"


def expected_for(name: str) -> dict:
    for line in (FORMATS / "expected.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip() and json.loads(line)["file"] == name:
            return json.loads(line)
    raise AssertionError(f"{name} is not in expected.jsonl")


def capture(name: str) -> dict:
    """The expected counts of a capture; the test is skipped when the captures are absent."""
    if not (FORMATS / "expected.jsonl").is_file() or not (FORMATS / name).is_file():
        pytest.skip(f"the dev captures are absent ({FORMATS})")
    return expected_for(name)


def within(got: int, want: int, share: float = 0.10) -> bool:
    return abs(got - want) <= share * want


def reply_count(threads) -> int:
    """Comments whose parent is another comment of the same thread."""
    return sum(1 for t in threads for c in t.comments if c.parent in {x.id for x in t.comments})


def assert_matches_expected(threads, want: dict) -> None:
    """What expected.jsonl says a correct import of a capture finds: comments within 10%, authors on
    at least 90% of the comments that have one, reply links within 10%, the title, the article, and
    every sample comment with its parent's author. Multi-thread exports: the main thread too."""
    comments = [c for t in threads for c in t.comments]
    assert within(len(comments), want["comments"]), (len(comments), want["comments"])
    assert sum(1 for c in comments if c.author) >= 0.9 * want["authors_known"]
    assert within(reply_count(threads), want["replies_linked"]), (reply_count(threads), want["replies_linked"])
    if "threads_with_comments" in want:
        assert sum(1 for t in threads if t.comments) == want["threads_with_comments"]
    main_want = want.get("main_thread") or {"title": want["title"]}
    main = [t for t in threads if t.title == main_want["title"]]
    assert main, f"no thread titled {main_want['title']!r}"
    assert max(len(t.paragraphs) for t in main) >= want["article_paragraphs_min"]
    if "comments" in main_want:
        [thread] = main
        assert within(len(thread.comments), main_want["comments"])
        assert sum(1 for c in thread.comments if c.author) >= 0.9 * main_want["authors_known"]
        assert within(reply_count([thread]), main_want["replies_linked"])
    for sample in want["sample_comments"]:
        hits = [(c, t) for t in threads for c in t.comments if c.author == sample["author"]
                and " ".join(c.text.split()).startswith(sample["text_starts_with"])]
        assert hits, sample
        parents = [next((p.author for p in t.comments if p.id == c.parent), None) for c, t in hits]
        assert sample["parent_author"] in parents, sample
