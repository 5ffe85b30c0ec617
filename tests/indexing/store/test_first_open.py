"""Several processes starting at once on a database that does not exist yet (shards and a worker
started together by systemd or docker-compose): the migrations run once, and every one opens."""

from __future__ import annotations

import asyncio

from indexing.store import Store
from indexing.store.migrations import MIGRATIONS


async def test_stores_opened_at_once_on_a_new_database_migrate_it_once(db_path):
    stores = await asyncio.gather(*(Store.open(db_path, "fake-hashing-64", 64) for _ in range(3)))
    try:
        async with stores[0]._reader.execute("SELECT version FROM schema_migrations ORDER BY version") as cursor:
            versions = [row[0] for row in await cursor.fetchall()]
        assert versions == [number for number, _, _ in MIGRATIONS]
    finally:
        for store in stores:
            await store.close()


async def test_stores_opening_a_new_database_together_never_wait_out_the_busy_timeout(tmp_path):
    """Switching a new file to WAL deadlocked when two connections tried at once: each kept its
    shared lock while SQLite's busy handler waited for the other's, until the timeout (4-7 failed
    opens of 120 here, each after the whole wait). With a 1.5 s timeout a deadlock is a failure."""
    for round_number in range(15):
        path = str(tmp_path / f"new-{round_number}.db")
        opened = await asyncio.gather(*(Store.open(path, "fake-hashing-64", 64, busy_timeout_ms=1500)
                                        for _ in range(4)), return_exceptions=True)
        failures = [result for result in opened if isinstance(result, BaseException)]
        for result in opened:
            if not isinstance(result, BaseException):
                await result.close()
        assert not failures, f"round {round_number}: {failures[0]!r}"
