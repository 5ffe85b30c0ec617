"""Every way a `--db` cannot be used is one clear line and a non-zero exit, never a traceback and
never a silent change: another application's SQLite file, a folder, a read-only file system, `~`
in THREADBOT_DB, another writer holding the lock."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from indexing import cli
from indexing.errors import DatabaseBusyError
from indexing.store import Store
from tests.fakes import FakeEmbedder
from tests.helpers import REPO, small_tmpfs


def cli_run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args), make_embedder=lambda config: FakeEmbedder())
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_another_applications_database_is_refused_and_left_alone(tmp_path, capsys):
    other = tmp_path / "app.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO users (name) VALUES ('ann')")
    code, _, err = cli_run(capsys, "--db", str(other), "threads")
    assert code != 0 and "another application's SQLite database" in one_line(err)
    with sqlite3.connect(other) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"users"}


def test_a_folder_as_the_database_is_one_clear_line(tmp_path, capsys):
    code, _, err = cli_run(capsys, "--db", str(tmp_path), "search", "harbour")
    assert code != 0 and "is a folder, not a database file" in one_line(err)


def test_a_folder_as_the_database_in_a_real_process_exits_with_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "tests.indexing.store.cli_runner", "--db", str(tmp_path), "search",
                           "harbour"], cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0 and "is a folder" in one_line(done.stderr)


def test_tilde_in_threadbot_db_is_the_home_folder(tmp_path, capsys, monkeypatch):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("THREADBOT_DB", "~/x.db")
    monkeypatch.chdir(work)
    code, _, err = cli_run(capsys, "threads")
    assert code == 0, err
    assert (home / "x.db").is_file() and not (work / "~").exists()


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder on a tmpfs remounted read-only (root can write to any file, so chmod proves nothing)."""
    with small_tmpfs(tmp_path / "ro") as mount:
        yield mount


def test_a_database_on_a_read_only_file_system_is_one_clear_line(read_only_folder, capsys):
    db = read_only_folder / "ro.db"
    code, _, err = cli_run(capsys, "--db", str(db), "threads")
    assert code == 0, err
    subprocess.run(["mount", "-o", "remount,ro", str(read_only_folder)], check=True)
    for command in (["threads"], ["search", "harbour"]):
        code, _, err = cli_run(capsys, "--db", str(db), *command)
        line = one_line(err)
        assert code != 0 and "read-only" in line and "unable to open database file" not in line, line


HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
"""


async def test_another_writer_holding_the_lock_is_one_typed_error(tmp_path):
    db_path = tmp_path / "busy.db"
    embedder = FakeEmbedder()
    store = await Store.open(db_path, embedder.model_id, embedder.dim, busy_timeout_ms=200)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        # The wait it names is this store's busy timeout, not the default's 30 s.
        with pytest.raises(DatabaseBusyError, match=r"another process kept the database .*\(0\.2 s\)"):
            await store.set_guild_setting("g", "digest_channel_id", 1)
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=60)
        await store.close()
