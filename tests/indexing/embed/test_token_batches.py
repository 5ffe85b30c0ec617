"""Bulk embedding batches by a token budget: every position once, like lengths together, within budget."""

from __future__ import annotations

import random

from indexing.embed.onnx_runtime import token_batches


def _padded(batch: list[int], lengths: list[int]) -> int:
    return len(batch) * max(lengths[i] for i in batch)


def test_every_position_once_and_each_batch_within_the_budget():
    rng = random.Random(7)
    lengths = [rng.randint(3, 240) for _ in range(1_000)]
    batches = token_batches(lengths, 1024, 64)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    assert all(_padded(batch, lengths) <= 1024 and len(batch) <= 64 for batch in batches)
    # Like lengths together: little padding, where 8 in input order pad several times over.
    assert sum(_padded(b, lengths) for b in batches) <= 1.05 * sum(lengths)


def test_rows_are_capped_and_a_row_longer_than_the_budget_is_a_batch_of_its_own():
    batches = token_batches([5] * 10 + [300, 4], budget=1024, max_rows=4)
    assert [10] in batches
    assert [len(b) for b in batches if b != [10]] == [4, 4, 3]


def test_the_most_expensive_batch_comes_first():
    lengths = [10] * 30 + [200, 200, 200, 200, 200, 20]
    costs = [_padded(b, lengths) for b in token_batches(lengths, 500, 64)]
    assert costs == sorted(costs, reverse=True) and len(costs) > 2
