"""KeyedLocks: one holder per key at a time, and no lock kept once nobody holds or waits for it."""

from __future__ import annotations

import asyncio

from bot.keyed_locks import KeyedLocks


async def test_one_holder_per_key_and_nothing_kept_afterwards():
    locks = KeyedLocks()
    inside: dict[str, int] = {}
    most: dict[str, int] = {}

    async def post(key: str) -> None:
        async with locks.hold(key):
            inside[key] = inside.get(key, 0) + 1
            most[key] = max(most.get(key, 0), inside[key])
            await asyncio.sleep(0.01)
            inside[key] -= 1

    await asyncio.gather(*(post(f"thread-{i % 3}") for i in range(12)))
    assert most == {"thread-0": 1, "thread-1": 1, "thread-2": 1}
    assert len(locks) == 0


async def test_a_holder_that_fails_releases_its_key():
    locks = KeyedLocks()
    try:
        async with locks.hold("t"):
            raise ValueError("the post failed")
    except ValueError:
        pass
    assert len(locks) == 0
    async with locks.hold("t"):  # usable again at once
        assert len(locks) == 1
