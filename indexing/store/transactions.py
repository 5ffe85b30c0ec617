"""The store's connection and transaction helpers: every write goes through `atomic`, every
`IN (?, ...)` list through `chunked` and `marks`."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TypeVar

import aiosqlite

from ..errors import DatabaseBusyError, DatabaseUnavailableError, DiskFullError, ReadOnlyDatabaseError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000
IN_CHUNK = 500  # ids per `IN (...)` list: well under SQLite's variable limit
T = TypeVar("T")


def stamp(moment: datetime) -> str:
    """The stored spelling of a time: UTC to the second (a naive time is taken as UTC). Stored times
    are compared as text, so every one is written this way."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def now_iso() -> str:
    return stamp(datetime.now(UTC))


async def connect(path: str, busy_ms: int = BUSY_TIMEOUT_MS) -> aiosqlite.Connection:
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        await _enter_wal(db, busy_ms)
        await db.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
        await db.execute("PRAGMA synchronous = NORMAL")
        await db.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        # An unclosed aiosqlite connection keeps its non-daemon thread alive: the process would hang at exit.
        await db.close()
        raise
    return db


async def _enter_wal(db: aiosqlite.Connection, busy_ms: int) -> None:
    """Switch the database to WAL (a no-op read once it is). Switching a new file needs an exclusive
    lock: two connections switching at once each kept its shared lock while SQLite's busy handler
    waited for the other's, so both waited out the whole busy timeout (30 s) and failed (4-7 of 120
    opens when four stores first opened a new database together). Here each try gives up at once,
    which ends its statement and lets go of its lock, and the next try comes after a short random pause."""
    await db.execute("PRAGMA busy_timeout = 0")
    deadline = time.monotonic() + busy_ms / 1000
    pause = 0.002
    while True:
        try:
            await db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
            if code not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or time.monotonic() >= deadline:
                raise
        await asyncio.sleep(pause * random.uniform(0.5, 1.5))
        pause = min(pause * 2, 0.05)


@asynccontextmanager
async def atomic(db: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
    """One IMMEDIATE transaction: committed when the block ends, rolled back on any exception
    (cancellation included). The caller holds the store's write lock."""
    try:
        await db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            await _rollback(db)
            raise
        await db.execute("COMMIT")
    except sqlite3.Error as exc:
        unavailable = unavailable_error(exc, waited_ms=await _busy_timeout_ms(db))
        if unavailable is None:
            raise
        await _rollback(db)  # a failed COMMIT (a full disk) leaves the transaction open
        raise unavailable from exc


async def _busy_timeout_ms(db: aiosqlite.Connection) -> int | None:
    """The connection's busy timeout, for the message: stores open with other timeouts than the default."""
    try:
        async with db.execute("PRAGMA busy_timeout") as cursor:
            row = await cursor.fetchone()
    except sqlite3.Error:
        return None
    return int(row[0]) if row else None


def unavailable_error(exc: sqlite3.Error, path: str = "", waited_ms: int | None = None
                      ) -> DatabaseUnavailableError | None:
    """The typed error for a database that cannot be written now, or None for any other failure.
    `waited_ms`: how long SQLite waited for another writer (the connection's busy timeout), if known."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF  # the primary code of an extended one
    where = f" {path}" if path else ""
    if code == sqlite3.SQLITE_FULL or "disk is full" in str(exc):
        return DiskFullError(f"the disk holding the database{where} is full: nothing was written; "
                             "free some space and try again")
    if code == sqlite3.SQLITE_READONLY:
        return ReadOnlyDatabaseError(f"the database{where} is read-only (the file, its folder or the file "
                                     "system): threadbot needs to write to it and beside it")
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        waited = "its busy timeout" if waited_ms is None else f"{waited_ms / 1000:g} s"
        return DatabaseBusyError(f"another process kept the database{where} locked for writing longer than "
                                 f"threadbot waits ({waited}): nothing was written; try again when it is done")
    return None


async def _rollback(db: aiosqlite.Connection) -> None:
    try:
        await db.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:  # no transaction is active: nothing to undo
        log.debug("rollback skipped: %s", exc)


def chunked(items: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """`items` in lists of at most `size`, for `IN (...)` queries."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def marks(values: Sequence[object]) -> str:
    """"?,?,?" for an `IN (...)` list of these values."""
    return ",".join("?" * len(values))
