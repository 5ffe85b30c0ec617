"""The lexical index beside the database: built from the passage rows, kept with every write,
saved next to the database with the dense index and replayed from the same passage log.

Like the dense copy, a saved copy is a cache checked against the database: its manifest records
the database instance, the log number it reflects and a token the database records in the same
transaction (meta 'lexical_token'), and a CRC-32 of every file. Any doubt and it is rebuilt from
the rows. Below `min_passages` there is no in-memory index: FTS5 answers as fast at that size and
a short-lived process does not tokenise the whole database at every start.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import cast

import aiosqlite

from ..dense.manifest import check_files, checksum, file_stat
from ..transactions import chunked, marks
from .index import LexicalDocs, LexicalIndex, LexicalResult, load_arrays, save_arrays
from .tokens import Tokenizer

log = logging.getLogger(__name__)

FORMAT = 2  # 2: with each file's stats, so a long-running process checks the CRCs later (dense/manifest.py)
READABLE = (1, 2)
_ROWS_SQL = ("SELECT p.id, p.thread_id, t.scope, p.kind, p.author, p.text FROM passages p "
             "JOIN threads t ON t.id = p.thread_id")
_CHUNK = 50_000
TOKEN_KEY = "lexical_token"


def lexical_folder(db_path: str) -> Path | None:
    return None if db_path == ":memory:" else Path(f"{db_path}.lexical")


class LexicalSide:
    def __init__(self, db_path: str, min_passages: int):
        self.folder = lexical_folder(db_path)
        self.min_passages = min_passages
        self.tokenizer = Tokenizer()
        self.index: LexicalIndex | None = None
        self.defer_checks = False  # set by a long-running store: see dense/manifest.py
        self.deferred: list[tuple[Path, str]] = []  # files of the loaded copy whose CRC is still to check

    # ---- search --------------------------------------------------------------------------------
    def search(self, words: list[str], k: int, scope: str | None, thread_ids: list[str] | None,
               kinds: list[str] | None, author: str | None) -> LexicalResult | None:
        """BM25 top k over query words (text/lexical.py query_terms), or None when FTS5 must answer
        (no in-memory index, or a word FTS5 reads as a phrase this index cannot follow)."""
        index = self.index
        if index is None:
            return None
        terms = [self.tokenizer.query_term(w) for w in words]
        if any(t is None for t in terms):
            return None
        return index.search([t for t in terms if t], k, scope, thread_ids, kinds, author)

    # ---- writes ----------------------------------------------------------------------------------
    def docs(self, records: list[tuple]) -> LexicalDocs:
        """Rows (id, thread id, scope, kind, author, text) as a batch to add, tokenised."""
        return LexicalDocs(ids=[r[0] for r in records], terms=self.tokenizer.terms_of_many(r[5] for r in records),
                           thread_ids=[r[1] for r in records], scopes=[r[2] for r in records],
                           kinds=[r[3] for r in records], authors=[r[4] for r in records])

    def apply(self, removed: list[int], records: list[tuple]) -> None:
        """A write of ours (in a worker thread): its removals, then its new rows."""
        if self.index is None:
            return
        self.index.remove(removed)
        if records:
            self.index.add(self.docs(records))

    async def replay(self, db: aiosqlite.Connection, touched: list[int], inserted: list[int]) -> None:
        """Passage-log entries another process wrote: ids touched (removed), then those inserted read back."""
        if self.index is None:
            return
        await asyncio.to_thread(self.index.remove, touched)
        for chunk in chunked(inserted):
            async with db.execute(f"{_ROWS_SQL} WHERE p.id IN ({marks(chunk)}) ORDER BY p.id", chunk) as cursor:
                records = cast(list[tuple], await cursor.fetchall())
            if records:
                await asyncio.to_thread(self.apply, [], records)

    # ---- loading and saving ----------------------------------------------------------------------
    async def load(self, db: aiosqlite.Connection, instance: str, version: int,
                   replay_since: Callable[[int], Awaitable[bool]]) -> None:
        """Inside the caller's read transaction, at log number `version`: the saved copy brought up
        to date, else (big enough) a build from the rows, else no index."""
        self.index = None
        self.deferred = []
        saved = await asyncio.to_thread(self._read_saved)
        if saved is not None:
            index, manifest = saved
            token = await _meta(db, TOKEN_KEY)
            if manifest["instance"] == instance and manifest["token"] == token and manifest["version"] <= version:
                self.index = index
                if await replay_since(int(manifest["version"])):
                    index.changes = 0 if manifest["version"] == version else index.changes
                    return
            log.info("the saved lexical index in %s is out of date; building it from the database", self.folder)
        self.index = None
        self.deferred = []
        async with db.execute("SELECT COUNT(*) FROM passages") as cursor:
            row = await cursor.fetchone()
        if row is None or row[0] < self.min_passages:
            return
        started = time.perf_counter()
        index = LexicalIndex()
        async with db.execute(_ROWS_SQL + " ORDER BY p.id") as cursor:
            while records := cast(list[tuple], await cursor.fetchmany(_CHUNK)):
                await asyncio.to_thread(self._add_to, index, records)
        await asyncio.to_thread(index.merged)
        self.index = index
        log.info("lexical index of %d passages built in %.1f s", len(index), time.perf_counter() - started)

    def _add_to(self, index: LexicalIndex, records: list[tuple]) -> None:
        index.add(self.docs(records))

    def _read_saved(self) -> tuple[LexicalIndex, dict] | None:
        folder = self.folder
        if folder is None or not (folder / "manifest.json").is_file():
            return None
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            if manifest["format"] not in READABLE or not isinstance(manifest["version"], int):
                raise ValueError(f"format {manifest['format']}, not one of {READABLE}")
            files = manifest["files"]
            deferred = check_files(folder, list(files.values()), manifest["checksums"],
                                   manifest.get("stats") if self.defer_checks else None)
            index = load_arrays(folder, files)
            self.deferred = deferred
            return index, manifest
        # What a damaged copy raises: OSError (missing), ValueError (bad JSON or arrays), KeyError, TypeError
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            log.warning("ignoring the saved lexical index in %s (it is rebuilt from the database): %s", folder, exc)
            return None

    def save(self, stamp: dict) -> None:
        """Write the copy (in a worker thread, inside the caller's write transaction, which records
        stamp['token']): data files, then the manifest naming them, then old generations go."""
        folder, index = self.folder, self.index
        if folder is None or index is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        generation = f"{time.time_ns():x}"
        try:
            files = save_arrays(index, folder, generation)
            manifest = dict(stamp, format=FORMAT, files=files,
                            checksums={name: checksum(folder / name) for name in files.values()},
                            stats={name: file_stat(folder / name) for name in files.values()})
            tmp = folder / f"manifest.{generation}.tmp"
            tmp.write_text(json.dumps(manifest))
            os.replace(tmp, folder / "manifest.json")
        except BaseException:
            for partial in folder.glob(f"*{generation}*"):
                partial.unlink(missing_ok=True)
            raise
        index.changes = 0
        for old in folder.iterdir():
            if not old.name.startswith(generation) and old.name != "manifest.json":
                old.unlink(missing_ok=True)


async def _meta(db: aiosqlite.Connection, key: str) -> str:
    async with db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else ""
