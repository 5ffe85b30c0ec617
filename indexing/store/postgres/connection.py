"""Connections to PostgreSQL through asyncpg: the pool, the pgvector codec, one `transaction` helper
that retries serialization failures and deadlocks, and every way a server cannot be used turned into
one clear error."""

from __future__ import annotations

import asyncio
import logging
import re
import struct
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import numpy as np

from ...errors import DatabaseBusyError, DatabaseUnavailableError, DiskFullError, ReadOnlyDatabaseError, StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRIES = 5  # attempts of a transaction that lost a serialization race or a deadlock
RETRY_SQLSTATES = ("40001", "40P01")  # serialization_failure, deadlock_detected
EF_SEARCH = 100  # HNSW candidates per query by default; a deeper search raises it (search.py)
CONNECT_TIMEOUT = 10.0


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def encode_vector(vector: np.ndarray) -> bytes:
    """pgvector's binary format: dimensions and an unused word (int16 each), then float32, big-endian."""
    values = np.asarray(vector, dtype=">f4").ravel()
    return struct.pack(">HH", values.size, 0) + values.tobytes()


def decode_vector(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=">f4", offset=4).astype(np.float32)


async def init_connection(conn: asyncpg.Connection) -> None:
    """Every pooled connection: vectors as numpy arrays."""
    await conn.set_type_codec("vector", schema="public", encoder=encode_vector, decoder=decode_vector,
                              format="binary")


def session_settings(ef_search: int) -> dict[str, str]:
    """Sent when a connection starts, so they are its defaults: the pool's `RESET ALL` on every
    release undid a `SET` (and HNSW fell back to 40 candidates, fewer than a search asks)."""
    return {"hnsw.ef_search": str(ef_search)}


async def connect(url: str) -> asyncpg.Connection:
    """One plain connection (for migrations and binding the model, before the extension exists)."""
    try:
        return await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise connect_error(exc, url) from exc


async def create_pool(url: str, size: int, ef_search: int) -> asyncpg.Pool:
    try:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=max(1, size), init=init_connection,
                                         timeout=CONNECT_TIMEOUT, server_settings=session_settings(ef_search))
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise connect_error(exc, url) from exc
    if pool is None:  # asyncpg types the pool as optional; it is set once created
        raise StoreError(f"cannot connect to {redacted(url)}")
    return pool


def connect_error(exc: BaseException, url: str) -> StoreError:
    where = redacted(url)
    if isinstance(exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError):
        return StoreError(f"PostgreSQL at {where} refused the user or password: {exc}")
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return StoreError(f"PostgreSQL at {where}: {exc}; create the database first (CREATE DATABASE ...)")
    if isinstance(exc, asyncpg.PostgresError):
        return StoreError(f"PostgreSQL at {where}: {exc}")
    if isinstance(exc, asyncio.TimeoutError):
        return DatabaseUnavailableError(f"PostgreSQL at {where} did not answer within {CONNECT_TIMEOUT:g} s")
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    return DatabaseUnavailableError(f"cannot connect to PostgreSQL at {where} ({reason}): is the server running, "
                                    "and the URL right?")


def unavailable_error(exc: asyncpg.PostgresError) -> DatabaseUnavailableError | None:
    """The typed error for a server that cannot take writes now, or None for any other failure."""
    code = getattr(exc, "sqlstate", "") or ""
    if code == "53100":  # disk_full
        return DiskFullError("the PostgreSQL server's disk is full: nothing was written; free some space")
    if code == "25006":  # read_only_sql_transaction: a replica, or default_transaction_read_only
        return ReadOnlyDatabaseError("the PostgreSQL server is read-only (a replica?): point db_url at the primary")
    if code in ("55P03", "57014"):  # lock_not_available, query_canceled (a statement or lock timeout)
        return DatabaseBusyError(f"PostgreSQL gave up waiting for a lock: nothing was written; try again ({exc})")
    if code.startswith(("08", "57P")):  # connection exceptions, the server shutting down
        return DatabaseUnavailableError(f"lost the connection to PostgreSQL: {exc}")
    return None


def store_error(exc: BaseException) -> StoreError:
    if isinstance(exc, asyncpg.PostgresError):
        unavailable = unavailable_error(exc)
        if unavailable is not None:
            return unavailable
    if isinstance(exc, OSError | asyncpg.InterfaceError):
        return DatabaseUnavailableError(f"lost the connection to PostgreSQL: {exc}")
    return StoreError(f"PostgreSQL: {exc}")


async def transaction(pool: asyncpg.Pool, work: Callable[[asyncpg.Connection], Awaitable[T]],
                      attempts: int = RETRIES) -> T:
    """`work(conn)` in one transaction (READ COMMITTED), committed when it returns, rolled back on
    any exception. A serialization failure or deadlock (another process won the race) runs it again,
    up to `attempts` times in all, after a short random wait; `work` must therefore only touch the
    database (and read its inputs again)."""
    for attempt in range(1, attempts + 1):
        try:
            async with pool.acquire() as conn, conn.transaction():
                return await work(conn)
        except asyncpg.PostgresError as exc:
            if getattr(exc, "sqlstate", "") in RETRY_SQLSTATES and attempt < attempts:
                log.info("transaction lost a race (%s); retrying (%d/%d)", exc.sqlstate, attempt, attempts)
                await asyncio.sleep(0.01 * attempt * (1 + np.random.random()))
                continue
            error = unavailable_error(exc)
            if error is not None:
                raise error from exc
            raise
        except (OSError, asyncpg.InterfaceError) as exc:
            raise store_error(exc) from exc
    raise DatabaseBusyError("a write kept losing races with other processes; nothing was written, try again")


async def read(pool: asyncpg.Pool, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """`work(conn)` on a pooled connection outside a transaction (one statement, or reads that may
    see other processes' commits in between)."""
    try:
        async with pool.acquire() as conn:
            return await work(conn)
    except (OSError, asyncpg.InterfaceError) as exc:
        raise store_error(exc) from exc
