"""One opener for every backend: a `postgresql://` URL opens the PostgreSQL store (postgres/), anything
else is a SQLite database file (sqlite.py). Both satisfy `ThreadStore` (interface.py), which mypy
checks here at the two returns."""

from __future__ import annotations

from pathlib import Path

from ..config import is_url
from ..errors import StoreError
from .dense import DEFAULT_ANN_MIN_PASSAGES
from .interface import ThreadStore
from .lost_vectors import Reembed
from .sqlite import Store

DEFAULT_POOL_SIZE = 5


def is_postgres_url(location: str | Path) -> bool:
    return is_url(str(location))  # the config's rule: one spelling of which locations are PostgreSQL


async def open_store(location: str | Path, model_id: str | None = None, dim: int | None = None, *,
                     ann_min_passages: int = DEFAULT_ANN_MIN_PASSAGES, snapshot_min_passages: int = 20_000,
                     long_running: bool = True, pool_size: int = DEFAULT_POOL_SIZE,
                     ef_search: int | None = None, reembed: Reembed | None = None) -> ThreadStore:
    """Open (creating and migrating as needed) the store at `location`. The dense-index sizes,
    `long_running` and `reembed` (vectors lost with a saved copy) concern SQLite's in-process index;
    `pool_size` PostgreSQL's connections."""
    if is_postgres_url(location):
        # Imported here: a SQLite-only process never loads the PostgreSQL driver.
        from .postgres import PostgresStore

        return await PostgresStore.open(str(location), model_id, dim, pool_size=pool_size, ef_search=ef_search)
    return await Store.open(location, model_id, dim, ann_min_passages=ann_min_passages,
                            snapshot_min_passages=snapshot_min_passages, long_running=long_running,
                            reembed=reembed)


async def migrate_store(source: str | Path, target: str, replace: bool = False) -> dict[str, int]:
    """Copy the SQLite database `source` into the PostgreSQL database `target` (postgres/copy.py):
    the rows copied per table."""
    if not is_postgres_url(target):
        raise StoreError(f"the target must be a PostgreSQL URL (postgresql://...), not {target}")
    if not Path(source).is_file():
        raise StoreError(f"no SQLite database at {source}")
    from .postgres.copy import migrate_store as copy

    return await copy(str(source), target, replace)
