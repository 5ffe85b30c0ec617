"""SpeakerNamesCache on its own: remembered while the counter stands still, never keeping a grouping
that began before a write another ask saw."""

from __future__ import annotations

import asyncio

from indexing.records import SpeakerName
from indexing.store.statements import SpeakerNamesCache


class Rows:
    """A counter and the names it stands for; `hold` pauses a grouping until released."""

    def __init__(self) -> None:
        self.version = 1
        self.names = [SpeakerName("Ann Lee", "Mayor Ann Lee", False)]
        self.groupings = 0
        self.hold: asyncio.Event | None = None

    async def changes(self, _db) -> int:
        return self.version

    async def group(self, _db, scope, thread_id) -> list[SpeakerName]:
        self.groupings += 1
        found = list(self.names)  # read before any pause: what the rows held when the grouping ran
        if self.hold is not None:
            await self.hold.wait()
        return found


async def test_the_same_tuple_comes_back_until_the_counter_moves():
    rows = Rows()
    cache = SpeakerNamesCache(rows.changes, rows.group)
    first = await cache.names(None, "local", None)
    assert await cache.names(None, "local", None) is first and rows.groupings == 1
    assert await cache.names(None, "local", "t1") is not first and rows.groupings == 2  # another key
    rows.version, rows.names = 2, [*rows.names, SpeakerName("Jan Berg", "Jan Berg", False)]
    assert {n.speaker for n in await cache.names(None, "local", None)} == {"Ann Lee", "Jan Berg"}


async def test_a_grouping_that_began_before_a_write_is_not_kept():
    rows = Rows()
    cache = SpeakerNamesCache(rows.changes, rows.group)
    pause = rows.hold = asyncio.Event()
    slow = asyncio.create_task(cache.names(None, "local", None))  # groups the old rows, then waits
    await asyncio.sleep(0)
    rows.version, rows.names = 2, [SpeakerName("Jan Berg", "Jan Berg", False)]  # a write lands
    rows.hold = None
    fresh = await cache.names(None, "local", None)  # another ask sees the new counter
    assert [n.speaker for n in fresh] == ["Jan Berg"]
    pause.set()
    old = await asyncio.wait_for(slow, 5)
    assert [n.speaker for n in old] == ["Ann Lee"]  # its own caller gets what it read
    assert await cache.names(None, "local", None) is fresh, "the old grouping did not replace the new"
