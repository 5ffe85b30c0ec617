"""Start-up recovers from a migration interrupted by a crash (SIGKILL mid-way through its statements)."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys

import aiosqlite
import pytest

from indexing.errors import MigrationError
from indexing.library import ThreadLibrary
from indexing.records import Comment, Thread
from indexing.store import Store
from indexing.store.migrations import MIGRATIONS, migrate, split_statements
from tests.helpers import REPO, table_rows

# Runs in a child: apply the first half of one migration inside its transaction, then die by SIGKILL
# with the transaction open (WAL frames may be on disk, the commit never is).
CRASH_MID_MIGRATION = """
import os, signal, sqlite3, sys
from indexing.store.migrations import FUNCTIONS, MIGRATIONS, split_statements
path, number = sys.argv[1], int(sys.argv[2])
sql = next(s for n, _, s in MIGRATIONS if n == number)
statements = split_statements(sql)
db = sqlite3.connect(path, isolation_level=None)
for name, (arity, function) in FUNCTIONS.items():
    db.create_function(name, arity, function)
db.execute("PRAGMA journal_mode = WAL")
db.execute("BEGIN IMMEDIATE")
for statement in statements[: max(1, len(statements) // 2)]:
    db.execute(statement)
os.kill(os.getpid(), signal.SIGKILL)
"""


def schema(path) -> list[tuple]:
    return sorted(table_rows(path, "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))


@pytest.fixture(scope="module")
def fresh_schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("fresh") / "fresh.db"
    with sqlite3.connect(path):
        pass

    async def build():
        async with aiosqlite.connect(path, isolation_level=None) as db:
            await migrate(db)

    asyncio.run(build())
    return schema(path)


@pytest.mark.parametrize("number", [n for n, _, _ in sorted(MIGRATIONS)])
async def test_start_up_after_a_migration_killed_mid_way(tmp_path, number, fake_embedder, fresh_schema):
    path = tmp_path / "interrupted.db"
    async with aiosqlite.connect(path, isolation_level=None) as db:
        await db.execute("PRAGMA journal_mode = WAL")
        await migrate(db, [m for m in MIGRATIONS if m[0] < number])
    assert len(split_statements(next(s for n, _, s in MIGRATIONS if n == number))) >= 1
    done = subprocess.run([sys.executable, "-c", CRASH_MID_MIGRATION, str(path), str(number)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr  # killed, not a Python error

    versions = {r[0] for r in table_rows(path, "SELECT version FROM schema_migrations")}
    assert number not in versions  # the interrupted migration left no record ...

    async with await ThreadLibrary.open(path, fake_embedder) as lib:  # ... and runs again at start-up
        result = await lib.index_thread(Thread(title="After recovery", paragraphs=("It works.",),
                                               comments=(Comment("1", "ann", "Indeed."),)))
        assert result.status == "indexed"
        assert [h.passage.text for h in await lib.search("works", k=1)] == ["It works."]
    assert table_rows(path, "PRAGMA integrity_check") == [("ok",)]
    assert table_rows(path, "SELECT version FROM schema_migrations ORDER BY version") == [
        (n,) for n, _, _ in sorted(MIGRATIONS)]
    assert schema(path) == fresh_schema


async def test_failed_migration_leaves_the_database_openable(tmp_path):
    """A migration that fails (rather than crashes) is rolled back and reported; nothing half-applied."""
    path = tmp_path / "failed.db"
    async with await Store.open(path, "m", 8):
        pass
    before = schema(path)
    async with aiosqlite.connect(path, isolation_level=None) as db:
        bad = [*MIGRATIONS, (999, "bad", "CREATE TABLE t1 (x);\nCREATE TABLE t2 (y REFERENCES);\nSELECT nope;")]
        with pytest.raises(MigrationError, match="migration 999"):
            await migrate(db, bad)
    assert schema(path) == before
    async with await Store.open(path, "m", 8):
        pass
