"""The real captures in ../shared/eval/dev/formats/ and their true counts, read in place."""

from __future__ import annotations

import json

from tests.helpers import EVAL

FORMATS = EVAL / "dev" / "formats"


def expected_for(name: str) -> dict:
    for line in (FORMATS / "expected.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip() and json.loads(line)["file"] == name:
            return json.loads(line)
    raise AssertionError(f"{name} is not in expected.jsonl")


def within(got: int, want: int, share: float = 0.10) -> bool:
    return abs(got - want) <= share * want
