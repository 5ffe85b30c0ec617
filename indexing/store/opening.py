"""Opening a database file, with every way it cannot be used turned into one clear error: a folder,
another application's SQLite file, a read-only file or file system, a full disk, another writer
holding the lock, a tampered model record."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import cast

import aiosqlite

from ..errors import ModelMismatchError, ReadOnlyDatabaseError, StoreError
from .migrations import migrate
from .transactions import BUSY_TIMEOUT_MS, atomic, connect, unavailable_error


def database_path(path: str | Path) -> str:
    """The path SQLite is given: `~` expanded (a shell does not expand it inside THREADBOT_DB="~/x.db")."""
    path = str(path)
    return path if path == ":memory:" else os.path.expanduser(path)


async def open_connections(path: str, model_id: str | None, dim: int | None,
                           busy_ms: int = BUSY_TIMEOUT_MS) -> tuple[aiosqlite.Connection, aiosqlite.Connection]:
    """(writer, reader) on a checked, migrated database bound to the model. Either both are open or
    neither is: an open aiosqlite connection's thread would keep the process alive at exit."""
    if path != ":memory:":
        _check_path(Path(path))
    try:
        writer = await connect(path, busy_ms)
    except sqlite3.Error as exc:
        raise _open_error(exc, path, busy_ms) from exc
    try:
        await _check_is_threadbot(writer, path)
        await migrate(writer)
        if model_id is not None and dim is not None:
            await _bind_model(writer, model_id, dim)
        reader = await connect(path, busy_ms)
    except sqlite3.Error as exc:
        await writer.close()
        raise _open_error(exc, path, busy_ms) from exc
    except BaseException:
        await writer.close()
        raise
    return writer, reader


def _check_path(path: Path) -> None:
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file; name a file, e.g. {path / 'threadbot.db'}")
    parent = path.resolve().parent
    if not parent.is_dir():
        raise StoreError(f"cannot create the database {path}: folder {parent} does not exist")


def _open_error(exc: sqlite3.Error, path: str, busy_ms: int) -> StoreError:
    unavailable = unavailable_error(exc, path, busy_ms)
    if unavailable is not None:
        return unavailable
    if path != ":memory:" and _read_only(Path(path)):
        return ReadOnlyDatabaseError(f"the database {path} is on a read-only file system, or it or its folder is "
                                     "read-only: threadbot needs to write to it and beside it (-wal, -shm files)")
    return StoreError(f"cannot open the database {path}: {exc}")


def _read_only(path: Path) -> bool:
    folder = path.resolve().parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK))


async def _check_is_threadbot(db: aiosqlite.Connection, path: str) -> None:
    """Refuse a file that is not SQLite, or is another application's database: threadbot's tables
    would be added to it silently."""
    try:
        async with db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                              ) as cursor:
            tables = {row[0] for row in await cursor.fetchall()}
    except sqlite3.DatabaseError as exc:
        if unavailable_error(exc) is not None:
            raise
        raise StoreError(f"{path} is not a threadbot database ({exc})") from exc
    if tables and "schema_migrations" not in tables:
        names = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise StoreError(f"{path} is another application's SQLite database (tables {names}), not threadbot's; "
                         "choose another database file")


async def _bind_model(db: aiosqlite.Connection, model_id: str, dim: int) -> None:
    """Record the embedding model once per database; refuse to mix vectors of two models."""
    async with db.execute("SELECT key, value FROM meta WHERE key IN ('model_id', 'dim')") as cursor:
        # aiosqlite types rows as sqlite3.Row; with no row factory they are plain tuples
        meta = dict(cast(Iterable[tuple[str, str]], await cursor.fetchall()))
    if not meta:
        async with atomic(db):
            await db.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                                 [("model_id", model_id), ("dim", str(dim))])
        return
    check_model_record(meta, model_id, dim)


def check_model_record(meta: dict[str, str], model_id: str, dim: int) -> None:
    """Refuse a damaged record of the database's model, or another model than this one (either backend)."""
    recorded = str(meta.get("dim", ""))
    if not recorded.isdigit() or "model_id" not in meta:
        raise StoreError(f"the database's record of its embedding model is damaged (model {meta.get('model_id')!r}, "
                         f"dimensions {recorded!r}); use a new database or restore a backup")
    if meta["model_id"] != model_id or int(recorded) != dim:
        raise ModelMismatchError(
            f"the database was built with model {meta['model_id']} ({recorded} dimensions), "
            f"not {model_id} ({dim}); use the same model or a new database")
