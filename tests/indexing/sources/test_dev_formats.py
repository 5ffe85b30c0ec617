"""Every real capture in ../shared/eval/dev/formats/ reads as-is through `parse_file` (the path
`threadbot index` and uploads take): the importer is chosen by content and finds what
expected.jsonl says a correct import finds, and no interface text is a comment."""

from __future__ import annotations

import json

import pytest

from indexing.sources import parse_file
from tests.indexing.sources.dev_formats import FORMATS, assert_matches_expected

INTERFACE = ("reply", "like", "likeliked", "want to add to the discussion?", "leave a comment", "report")


def captures() -> list[dict]:
    path = FORMATS / "expected.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("want", captures() or [pytest.param(None, marks=pytest.mark.skip("no dev captures"))],
                         ids=lambda w: w["file"] if w else "absent")
def test_capture_imports_as_is(want):
    threads = parse_file(FORMATS / want["file"], 10**8)
    assert_matches_expected(threads, want)
    assert all(t.format for t in threads)
    for t in threads:
        for c in t.comments:
            assert " ".join(c.text.split()).lower().strip(" .!") not in INTERFACE, c.text
