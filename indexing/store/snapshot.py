"""Loading the dense index at start-up: from a saved copy next to the database when it is current,
else from the embedding BLOBs.

Reading a million BLOBs through SQLite and re-clustering them takes minutes; the saved copy loads
in seconds. It is checked against the database, never trusted blindly: migration 5 logs every
passage insert and delete (`passage_log`, numbered), the copy records the last log number it
reflects, and on load the entries after it are replayed (removals, then the rows inserted since).
A copy whose database instance, model or dimension differ, or whose log entries were pruned, is
ignored and the index is rebuilt from the BLOBs (and what only the copy held embedded again).

One copy of each vector: once a saved copy holding every passage's vector is recorded, the
embeddings table is emptied in the same transaction (a float16 row took 820 bytes a passage beside
the copy's 800). The table then holds only the vectors written since, which is what replaying the
log needs; the copy is flushed to the disk before it is recorded, and the generation the database
names is kept until the next is recorded. If the copy is nevertheless lost (a damaged disk, a
deleted folder), the passages whose vectors it held are reported as lost (`lost`), never dropped
silently, and the store re-embeds their text when it was given the means (sqlite.py).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import aiosqlite
import numpy as np

from .dense import VectorIndex, VectorRows
from .dense.manifest import STAMP_FIELDS, DamagedCopy, check_fields, first_damaged
from .lexical.side import TOKEN_KEY, LexicalSide
from .thread_rows import VECTOR_DTYPE
from .transactions import atomic, chunked, marks

log = logging.getLogger(__name__)

_ROWS_SQL = ("SELECT p.id, p.thread_id, t.scope, p.kind, e.vector FROM passages p "
             "JOIN threads t ON t.id = p.thread_id JOIN embeddings e ON e.content_hash = p.content_hash")
_CHUNK = 50_000


def snapshot_folder(db_path: str) -> Path | None:
    return None if db_path == ":memory:" else Path(f"{db_path}.vectors")


_LOG_VERSION_SQL = "SELECT seq FROM sqlite_sequence WHERE name = 'passage_log'"


async def log_version(db: aiosqlite.Connection) -> int:
    """The last passage-log number ever handed out (pruning never lowers it). One hop to the database
    thread (execute, fetch and close took three)."""
    rows = list(await db.execute_fetchall(_LOG_VERSION_SQL))
    return int(rows[0][0]) if rows else 0


class LogPeek:
    """Small reads on the caller's thread through a connection of its own: `log_version` for the check
    every search makes first (about 6 us, where the hop to the reader's thread and back took about
    0.1 ms of a 1 ms approximate search), and a search's few hit rows (`rows`). It never waits (busy
    timeout 0, read-only): an answer is None when SQLite cannot give it at once (a lock held while a
    WAL is recovered), and the caller asks the reader instead. Each read is its own transaction, so it
    sees every commit before it, as the reader does. No peek for an in-memory database (another
    connection would be another database)."""

    def __init__(self, path: str):
        self.path = path
        self._db: sqlite3.Connection | None = None

    def version(self) -> int | None:
        rows = self.rows(_LOG_VERSION_SQL, ())
        if rows is None:
            return None
        return int(rows[0][0]) if rows else 0

    def rows(self, sql: str, args: Sequence[object]) -> list[tuple] | None:
        """`sql`'s rows (a read), or None when the database cannot answer at once."""
        if self.path == ":memory:":
            return None
        try:
            if self._db is None:  # opened at the first search, not before the store is ready
                self._db = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
                self._db.execute("PRAGMA query_only = ON")
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error:  # busy or locked: never wait on the event loop
            return None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


async def instance_id(db: aiosqlite.Connection) -> str:
    return await _meta(db, "instance_id")


async def _meta(db: aiosqlite.Connection, key: str) -> str:
    async with db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else ""


def new_token() -> str:
    """Names one saved copy. The database records the token of the copy saved last, in the same
    transaction, so a copy is used only by a database that saw it saved: a copy of the database
    made earlier and changed since (same instance id, same log numbers, other rows) refuses it."""
    return secrets.token_hex(8)


def record_token_sql() -> str:
    return "INSERT OR REPLACE INTO meta (key, value) VALUES ('vectors_token', ?)"


def _rows(records: list[tuple], dim: int) -> VectorRows:
    stored = np.frombuffer(b"".join(r[4] for r in records), dtype=VECTOR_DTYPE).reshape(len(records), dim)
    return VectorRows(ids=np.fromiter((r[0] for r in records), dtype=np.int64, count=len(records)),
                      vectors=stored.astype(np.float32), thread_ids=[r[1] for r in records],
                      scopes=[r[2] for r in records],
                      kinds=[r[3] for r in records])


async def load_all(db: aiosqlite.Connection, index: VectorIndex, lost: list[int] | None = None) -> None:
    """Every passage vector, streamed in chunks so a million rows never sit in Python at once; the
    passages with no vector left (their copy is gone) are added to `lost`."""
    async with db.execute(_ROWS_SQL + " ORDER BY p.id") as cursor:
        # aiosqlite types rows as sqlite3.Row; with no row factory they are plain tuples, in a list
        while records := cast(list[tuple], await cursor.fetchmany(_CHUNK)):
            await asyncio.to_thread(index.add, _rows(records, index.dim))
    missing = [row[0] for row in await db.execute_fetchall(
        "SELECT p.id FROM passages p WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.content_hash = "
        "p.content_hash) ORDER BY p.id")]
    _report_lost(missing, lost)


def _report_lost(missing: list[int], lost: list[int] | None) -> None:
    if not missing:
        return
    log.warning("%d passages have no stored vector (the saved index that held them is gone)", len(missing))
    if lost is not None:
        lost.extend(missing)


async def log_changes(db: aiosqlite.Connection, since: int) -> tuple[int, dict[int, int]] | None:
    """(latest log number, passage id -> last operation, 1 added 0 removed) for the entries after
    `since`, or None if some are gone (pruned)."""
    latest = await log_version(db)
    if latest == since:
        return since, {}
    async with db.execute("SELECT MIN(version) FROM passage_log WHERE version > ?", (since,)) as cursor:
        row = await cursor.fetchone()
        assert row is not None  # an aggregate always returns one row
        first = row[0]
    if first != since + 1:
        return None
    last_op: dict[int, int] = {}
    async with db.execute("SELECT passage_id, added FROM passage_log WHERE version > ? AND version <= ? "
                          "ORDER BY version", (since, latest)) as cursor:
        async for passage_id, added in cursor:
            last_op[passage_id] = added
    return latest, last_op


async def replay(db: aiosqlite.Connection, index: VectorIndex, since: int,
                 lexical: LexicalSide | None = None, lost: list[int] | None = None) -> int | None:
    """Apply passage-log entries after `since` (to the lexical index too, when given); the new
    applied number, or None if entries are gone. Inserted passages without a vector go to `lost`."""
    changes = await log_changes(db, since)
    if changes is None:
        return None
    latest, last_op = changes
    if not last_op:
        return latest
    touched = np.fromiter(last_op, dtype=np.int64, count=len(last_op))
    await asyncio.to_thread(index.remove, touched)  # a re-inserted id may carry a new vector
    inserted = [pid for pid, added in last_op.items() if added]
    missing: list[int] = []
    for chunk in chunked(inserted):
        async with db.execute(f"{_ROWS_SQL} WHERE p.id IN ({marks(chunk)}) ORDER BY p.id", chunk) as cursor:
            records = cast(list[tuple], await cursor.fetchall())
        if records:
            await asyncio.to_thread(index.add, _rows(records, index.dim))
        if len(records) < len(chunk):  # deleted since (no row), or a row whose vector is gone
            found = {r[0] for r in records}
            rows = await db.execute_fetchall(f"SELECT id FROM passages WHERE id IN ({marks(chunk)})", chunk)
            missing += [row[0] for row in rows if row[0] not in found]
    _report_lost(missing, lost)
    if lexical is not None:
        await lexical.replay(db, list(last_op), inserted)
    return latest


async def replay_lexical(db: aiosqlite.Connection, lexical: LexicalSide, since: int) -> bool:
    """The lexical index's own catch-up from its saved copy's log number; False if entries are gone."""
    changes = await log_changes(db, since)
    if changes is None:
        return False
    await lexical.replay(db, list(changes[1]), [pid for pid, added in changes[1].items() if added])
    return True


async def replay_in_snapshot(db: aiosqlite.Connection, index: VectorIndex, since: int,
                             lexical: LexicalSide | None = None, lost: list[int] | None = None) -> int | None:
    """`replay` in one read transaction, so the log and the rows it reads agree while others write."""
    await db.execute("BEGIN")
    try:
        return await replay(db, index, since, lexical, lost)
    finally:
        await db.execute("COMMIT")


async def load_index(db: aiosqlite.Connection, db_path: str, model_id: str, dim: int,
                     ann_min: int, cluster: bool = True, lexical: LexicalSide | None = None,
                     defer: bool = False, lost: list[int] | None = None) -> tuple[VectorIndex, int]:
    """The dense index (and the lexical one, when given) and the passage-log number they reflect.
    Runs in one read transaction, so the log and the rows agree even while another connection
    writes. `cluster`: whether the index may cluster itself in the background once big enough (not
    worth starting in a short process). `defer`: leave the checksums of saved files unchanged since
    written to the caller (`index.deferred`, `lexical.deferred`; dense/manifest.py). Passages left
    without a vector are added to `lost`."""
    await db.execute("BEGIN")
    try:
        index, version = await _load_dense(db, db_path, model_id, dim, ann_min, cluster, defer, lost)
        if lexical is not None:
            await lexical.load(db, await instance_id(db), version,
                               lambda since: replay_lexical(db, lexical, since))
        return index, version
    finally:
        await db.execute("COMMIT")


async def _load_dense(db: aiosqlite.Connection, db_path: str, model_id: str, dim: int,
                      ann_min: int, cluster: bool, defer: bool, lost: list[int] | None
                      ) -> tuple[VectorIndex, int]:
    folder = snapshot_folder(db_path)
    version = await log_version(db)
    instance = await instance_id(db)
    token = await _meta(db, "vectors_token")
    saved = None
    if folder is not None and folder.is_dir():
        saved = await asyncio.to_thread(VectorIndex.load, folder, ann_min, defer, token or None)
    if saved is not None:
        index, manifest = saved
        try:
            check_fields(manifest, STAMP_FIELDS)
        except DamagedCopy as exc:
            log.warning("ignoring the saved vector index in %s: %s", folder, exc)
            manifest = dict.fromkeys(STAMP_FIELDS)  # matches nothing below: rebuilt from the BLOBs
        if (manifest["instance"] == instance and manifest["model_id"] == model_id and manifest["dim"] == dim
                and manifest["version"] is not None and manifest["version"] <= version
                and manifest["token"] == token):
            index.auto_build = False
            try:
                applied = await replay(db, index, int(manifest["version"]), lost=lost)
            except ValueError as exc:  # rows that do not fit the copy (another dimension)
                log.warning("ignoring the saved vector index in %s: %s", folder, exc)
                applied = None
            if applied is not None:
                index.deferred = manifest["deferred"]
                index.auto_build = cluster
                index.changes = 0 if applied == int(manifest["version"]) else index.changes
                index.maybe_build_ann()
                return index, applied
        log.info("the saved vector index in %s is out of date; loading vectors from the database", folder)
    index = VectorIndex(dim, ann_min)
    index.auto_build = False
    await load_all(db, index, lost)
    index.auto_build = cluster
    index.maybe_build_ann()
    return index, version


async def _oldest_entry(db: aiosqlite.Connection, default: int) -> int:
    async with db.execute("SELECT MIN(version) FROM passage_log") as cursor:
        row = await cursor.fetchone()
    return default if row is None or row[0] is None else int(row[0])


async def save_index(db: aiosqlite.Connection, index: VectorIndex, db_path: str, model_id: str,
                     applied: int, min_passages: int, force: bool = False,
                     lexical: LexicalSide | None = None) -> int:
    """Catch up with writes from other processes, save the index if enough changed, prune the log.
    Returns the log number the index now reflects. A session that saves nothing writes nothing."""
    folder = snapshot_folder(db_path)
    if folder is None:
        return applied
    caught_up = await replay(db, index, applied, lexical)
    if caught_up is None:  # another process pruned entries this one never saw: its copy is stale
        log.info("not saving the vector index: the database changed under this process")
        return applied
    big_enough = len(index) >= min_passages
    enough = max(100, len(index) // 100)
    # Vector rows the copy does not hold yet count too: a database from before the copy was their
    # only home (or written by a process that never saved) has them moved at its next close.
    buffered = await _scalar(db, f"SELECT COUNT(*) FROM (SELECT 1 FROM embeddings LIMIT {enough + 1})")
    changed = (index.changes > enough or buffered > enough or not (folder / "manifest.json").is_file())
    if lexical is not None and lexical.index is not None and lexical.folder is not None:
        changed = changed or lexical.index.changes > max(100, len(lexical.index) // 100) or not (
            lexical.folder / "manifest.json").is_file()
    # With no saved copy no entry is needed; pruning waits for 10,000 so a read-only session or a
    # small database is never written to on close.
    prune = not (folder / "manifest.json").is_file() and caught_up - await _oldest_entry(db, caught_up) > 10_000
    save = force or (big_enough and changed)
    if not (save or prune):
        return caught_up
    # One write transaction for the copy, its token and the pruning: a second process saving at the
    # same time waits, so the database never records one copy's token while the folder holds another's.
    generation = None
    emptied = False
    async with atomic(db):
        caught_up = await replay(db, index, caught_up, lexical)
        if caught_up is None:
            return applied
        if save:
            token = new_token()
            stamp = {"instance": await instance_id(db), "model_id": model_id, "version": caught_up, "token": token}
            generation = await asyncio.to_thread(index.save, folder, stamp)
            await db.execute(record_token_sql(), (token,))
            emptied = await _empty_embeddings_held_by(db, index)
            if lexical is not None and lexical.index is not None:  # the same log number: pruned together
                stamp = dict(stamp, token=new_token())
                await asyncio.to_thread(lexical.save, stamp)
                await db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                 (TOKEN_KEY, stamp["token"]))
        await db.execute("DELETE FROM passage_log WHERE version <= ?", (caught_up,))
    if generation is not None:
        VectorIndex.keep_only(folder, generation)
    if emptied:
        await compact_if_mostly_free(db)
    return caught_up


async def _scalar(db: aiosqlite.Connection, sql: str) -> int:
    async with db.execute(sql) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else 0


async def _empty_embeddings_held_by(db: aiosqlite.Connection, index: VectorIndex) -> bool:
    """Inside the transaction recording a copy of a caught-up index: when it holds a vector for
    every passage, the embeddings rows are a second copy and go. True when rows were deleted."""
    if not await _scalar(db, "SELECT EXISTS (SELECT 1 FROM embeddings)") or (
            await _scalar(db, "SELECT COUNT(*) FROM passages") != len(index)):
        return False
    await db.execute("DELETE FROM embeddings")
    return True


async def compact_if_mostly_free(db: aiosqlite.Connection, share: float = 0.25, min_pages: int = 8192) -> None:
    """VACUUM when at least `share` of the file (and `min_pages`) is free pages, as after the first
    time the vector rows move into the saved copy: the file would otherwise keep their size on the
    disk for good (later rows reuse only what they need). About a minute at a million passages, once."""
    free = await _scalar(db, "PRAGMA freelist_count")
    pages = await _scalar(db, "PRAGMA page_count")
    if free < min_pages or free < share * pages:
        return
    log.info("compacting the database: %d of its %d pages are free since the vectors moved into the saved "
             "index (once; about a minute at a million passages)", free, pages)
    try:
        await db.execute("VACUUM")
        await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError as exc:  # another process is reading: the next save tries again
        log.info("not compacting the database now: %s", exc)


def save_from_thread(db_path: str, index: VectorIndex, stamp: dict, busy_ms: int) -> None:
    """`save_index` for a worker thread (after the background clustering), on its own connection:
    the copy and its token in one write transaction, without catching up or pruning."""
    folder = snapshot_folder(db_path)
    if folder is None:
        return
    db = sqlite3.connect(db_path, timeout=busy_ms / 1000, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            token = new_token()
            generation = index.save(folder, dict(stamp, token=token))
            db.execute(record_token_sql(), (token,))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        VectorIndex.keep_only(folder, generation)
    finally:
        db.close()


class DeferredCheck:
    """The CRC checks a long-running process leaves for later (dense/manifest.py), in a background
    thread: a damaged file is logged and deleted (no longer usable), and `damaged` set,
    which has the store load afresh from the database at its next search or save."""

    def __init__(self, files: list[tuple[Path, str]]):
        self.damaged = False
        self._thread = threading.Thread(target=self._run, args=(files,), name="threadbot-verify", daemon=True)
        if files:
            self._thread.start()

    def _run(self, files: list[tuple[Path, str]]) -> None:
        path = first_damaged(files)
        if path is not None:
            log.warning("ignoring the saved index file %s: it does not match its checksum (the index is "
                        "rebuilt from the database, and what only it held embedded again)", path)
            path.unlink(missing_ok=True)
            self.damaged = True

    def wait(self) -> None:
        if self._thread.is_alive():
            self._thread.join()
