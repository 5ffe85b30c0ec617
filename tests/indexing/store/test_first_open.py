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
