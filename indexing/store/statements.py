"""Who-said-what rows (migration 2): a thread's statements, each tied to its passage."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Generic, TypeVar

import aiosqlite

from ..errors import StoreError
from ..records import Passage, SpeakerName, Statement
from .transactions import marks

Connection = TypeVar("Connection")

STATEMENT_COLUMNS = ("thread_id, passage_id, seq, speaker, speaker_mention, cue, source, start_char, end_char, "
                     "content_start, content_end, verbatim")
# The read's columns: a statement's own, then its passage's (see statement_from_row).
READ_COLUMNS = ("s.thread_id, s.passage_id, s.seq, s.speaker, s.speaker_mention, s.cue, s.source, s.start_char, "
                "s.end_char, s.content_start, s.content_end, s.verbatim, p.kind, p.position, p.chunk, p.text")


# A statement that is a whole comment or post paragraph by its writer (not a quote with "wrote"); the
# same rule as indexing.answers.engine._whole_passage, which tests hold them to.
WHOLE_PASSAGE_SQL = ("(s.source = 'comment' OR (s.cue = 'wrote' AND s.start_char = 0 AND s.content_start = 0 "
                     "AND s.end_char = s.content_end))")
SPEAKER_NAMES_COLUMNS = f"s.speaker, s.speaker_mention, MAX(CASE WHEN {WHOLE_PASSAGE_SQL} THEN 1 ELSE 0 END)"


def statement_rows(thread_id: str, passages: list[Passage], statements: list[Statement]) -> list[tuple]:
    """The rows (STATEMENT_COLUMNS) of a thread's statements, each tied to its passage row by
    (kind, position, chunk)."""
    ids = {(p.kind, p.position, p.chunk): p.id for p in passages}
    rows = []
    for s in statements:
        passage_id = ids.get((s.passage_kind, s.position, s.chunk))
        if passage_id is None:
            raise StoreError(f"statement by {s.speaker} points at no passage of thread {thread_id}")
        rows.append((thread_id, passage_id, s.seq, s.speaker, s.speaker_mention, s.cue, s.source, s.start,
                     s.end, s.content_start, s.content_end, int(s.verbatim)))
    return rows


def statement_from_row(r: tuple) -> Statement:
    return Statement(thread_id=r[0], passage_id=r[1], seq=r[2], speaker=r[3], speaker_mention=r[4],
                     cue=r[5], source=r[6], start=r[7], end=r[8], content_start=r[9], content_end=r[10],
                     verbatim=bool(r[11]), passage_kind=r[12], position=r[13], chunk=r[14],
                     text=r[15][r[7]:r[8]])


async def write_statements(db: aiosqlite.Connection, thread_id: str, passages: list[Passage],
                           statements: list[Statement]) -> None:
    """Replace a thread's statements (inside the caller's transaction); each is tied to its passage
    row by (kind, position, chunk)."""
    rows = statement_rows(thread_id, passages, statements)
    await db.execute("DELETE FROM statements WHERE thread_id = ?", (thread_id,))
    await db.executemany(
        "INSERT INTO statements (thread_id, passage_id, seq, speaker, speaker_mention, cue, source, "
        "start_char, end_char, content_start, content_end, verbatim) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


async def read_statements(db: aiosqlite.Connection, scope: str | None, thread_id: str | None = None,
                          speakers: Collection[str] | None = None) -> list[Statement]:
    """Stored statements in thread and reading order, filtered by scope (None: every scope),
    thread and speakers (any of them, case aside; a few names, the matches of one asked name)."""
    if speakers is not None and not speakers:
        return []
    where, args = _where(scope, thread_id)
    if speakers is not None:
        names = list(speakers)
        where += f" AND s.speaker COLLATE NOCASE IN ({marks(names)})"
        args.extend(names)
    sql = (f"SELECT {READ_COLUMNS} FROM statements s JOIN passages p ON p.id = s.passage_id "
           f"JOIN threads t ON t.id = s.thread_id {where} ORDER BY t.indexed_at, s.thread_id, s.seq")
    async with db.execute(sql, args) as cursor:
        rows = await cursor.fetchall()
    return [statement_from_row(tuple(r)) for r in rows]


async def speaker_names(db: aiosqlite.Connection, scope: str | None, thread_id: str | None = None
                        ) -> list[SpeakerName]:
    """The distinct (speaker, mention) pairs of the stored statements, each with whether the speaker
    wrote a whole passage under it; no statement text is read (each ask needs the names only)."""
    where, args = _where(scope, thread_id)
    sql = (f"SELECT {SPEAKER_NAMES_COLUMNS} FROM statements s JOIN threads t ON t.id = s.thread_id {where} "
           "GROUP BY s.speaker, s.speaker_mention")
    async with db.execute(sql, args) as cursor:
        rows = await cursor.fetchall()
    return [SpeakerName(r[0], r[1], bool(r[2])) for r in rows]


def _where(scope: str | None, thread_id: str | None) -> tuple[str, list[object]]:
    """A WHERE clause (more conditions join with AND) for the scope (None: every scope) and thread."""
    where = "WHERE 1"
    args: list[object] = []
    if scope is not None:
        where += " AND t.scope = ?"
        args.append(scope)
    if thread_id is not None:
        where += " AND s.thread_id = ?"
        args.append(thread_id)
    return where, args


async def statement_changes(db: aiosqlite.Connection) -> int | None:
    """The counter of statement changes (migration 13): it moves with every statement written or
    deleted, by any connection, and with nothing else."""
    async with db.execute("SELECT version FROM statement_changes WHERE id = 1") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else None


class SpeakerNamesCache(Generic[Connection]):
    """speaker_names' answers while the statements are unchanged, on either backend. Grouping every
    statement cost 6 ms an ask at 4,170 statements and 0.6 s at 140,000 (SQLite); `changes` reads a
    counter that moves with every statement written or deleted, by this store or another process,
    and with nothing else, so a remembered answer is never older than the rows and outlives
    unrelated writes (a setting, a digest, a cached summary)."""

    MAX_KEYS = 256

    def __init__(self, changes: Callable[[Connection], Awaitable[int | None]],
                 group: Callable[[Connection, str | None, str | None], Awaitable[list[SpeakerName]]]) -> None:
        self._changes, self._group = changes, group
        self._version: int | None = None
        self._found: dict[tuple[str | None, str | None], tuple[SpeakerName, ...]] = {}

    async def names(self, db: Connection, scope: str | None, thread_id: str | None) -> tuple[SpeakerName, ...]:
        """The names, as the same tuple while the statements are unchanged (the library keeps what
        it built from them by the tuple's identity)."""
        version = await self._changes(db)  # before the read: a write after it shows next time
        if version is None or version != self._version:
            self._version, self._found = version, {}
        key = (scope, thread_id)
        found = self._found.get(key)
        if found is None:
            found = tuple(await self._group(db, scope, thread_id))
            # Kept only if no newer version was seen meanwhile: a grouping that began before a write
            # must not stand for the rows after it (asks interleave while one groups).
            if version is not None and version == self._version:
                if len(self._found) >= self.MAX_KEYS:
                    self._found.clear()
                self._found[key] = found
        return found


async def statement_count(db: aiosqlite.Connection, thread_id: str) -> int:
    async with db.execute("SELECT COUNT(*) FROM statements WHERE thread_id = ?", (thread_id,)) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0
