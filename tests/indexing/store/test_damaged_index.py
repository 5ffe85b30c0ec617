"""A damaged `DB.vectors/` folder is ignored with a warning and the index rebuilt from SQLite:
never a traceback, never a process that cannot exit, never wrong results.

Before: a truncated `.columns.npz` or a manifest without a key raised out of `Store.open` with the
database threads still open, so every command (and the bot) hung at exit; 8 MB of zeros in the
middle of the faiss file loaded silently and gave wrong results; a copy from a diverged copy of the
same database was used.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from indexing.errors import StoreError
from indexing.library import ThreadLibrary
from tests.helpers import REPO
from tests.indexing.store.test_vectors import QUERIES, search_ids, thread

SIZES = {"snapshot_min_passages": 1, "ann_min_passages": 100_000}


def vectors_folder(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.name}.vectors"


async def build(db_path: Path, embedder, titles: list[str], n: int = 120, save: bool = True,
                cluster: bool = False) -> list[list[int]]:
    """Index threads, close (saving the dense index unless not `save`); the exact results of QUERIES.
    An index of one list is saved as a numpy matrix; `cluster`: clustered first, so the saved copy is
    a faiss index (mapped when loaded)."""
    sizes = dict(SIZES, snapshot_min_passages=1 if save else 10**9, ann_min_passages=100 if cluster else 100_000)
    lib = await ThreadLibrary.open(db_path, embedder, **sizes)
    try:
        for title in titles:
            await lib.index_thread(thread(title, n))
        await lib.store.finish_clustering()
        assert lib.store.vectors.approximate == cluster
        return await search_ids(lib, QUERIES, exact=True)
    finally:
        await lib.close()


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def truncate_columns(folder: Path) -> None:
    path = folder / f"{manifest_of(folder)['generation']}.columns.npz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def drop_a_key(key: str) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        manifest = manifest_of(folder)
        del manifest[key]
        (folder / "manifest.json").write_text(json.dumps(manifest))
    damage.__name__ = f"drop_{key}"
    return damage


def zeros_in_the_vectors(folder: Path) -> None:
    """Zeros over the middle half of the faiss (or numpy) file: what a bad sector or a torn copy leaves."""
    path = folder / manifest_of(folder)["vectors"]
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 4)
        f.write(b"\0" * (size // 2))


def tamper_dim(folder: Path) -> None:
    manifest = manifest_of(folder)
    manifest["dim"] = "sixty-four"
    (folder / "manifest.json").write_text(json.dumps(manifest))


def manifest_not_an_object(folder: Path) -> None:
    (folder / "manifest.json").write_text("[1, 2, 3]")


DAMAGES = [truncate_columns, drop_a_key("generation"), drop_a_key("scopes"), drop_a_key("size"),
           zeros_in_the_vectors, tamper_dim, manifest_not_an_object]


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda d: d.__name__)
async def test_a_damaged_copy_is_ignored_with_a_warning_and_results_stay_right(db_path, fake_embedder, damage,
                                                                                caplog):
    expected = await build(db_path, fake_embedder, ["alpha", "beta", "gamma"])
    damage(vectors_folder(db_path))
    caplog.set_level(logging.WARNING)
    lib = await ThreadLibrary.open(db_path, fake_embedder, **SIZES)
    try:
        assert await search_ids(lib, QUERIES, exact=True) == expected
    finally:
        await lib.close()
    assert any("ignoring the saved vector index" in r.getMessage() for r in caplog.records)
    # ... and the copy saved on close is whole again: the next start uses it without a warning
    caplog.clear()
    lib = await ThreadLibrary.open(db_path, fake_embedder, **SIZES)
    try:
        assert await search_ids(lib, QUERIES, exact=True) == expected
    finally:
        await lib.close()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("damage", [truncate_columns, drop_a_key("generation")], ids=lambda d: d.__name__)
def test_a_command_on_a_damaged_copy_answers_and_exits(db_path, fake_embedder, damage):
    """A real process: before, it printed a traceback and never exited (the database threads stayed open)."""
    import asyncio

    asyncio.run(build(db_path, fake_embedder, ["alpha", "beta"]))
    damage(vectors_folder(db_path))
    env = dict(os.environ, PYTHONPATH=str(REPO), THREADBOT_SNAPSHOT_MIN_PASSAGES="1")
    done = subprocess.run([sys.executable, "-m", "tests.indexing.store.cli_runner", "--db", str(db_path),
                           "search", "rain and tax"], cwd=db_path.parent, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "alpha" in done.stdout or "beta" in done.stdout


async def test_a_copy_from_a_diverged_copy_of_the_database_is_refused(tmp_path, fake_embedder):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    await build(one, fake_embedder, ["alpha"])
    shutil.copyfile(one, two)  # the same database (instance id, log numbers) ...
    shutil.copytree(vectors_folder(one), vectors_folder(two))
    await build(one, fake_embedder, ["beta"], n=40)  # ... then each goes its own way
    # two saves nothing, so its log still holds every entry after the copy: one's copy, newer than
    # the split, has a log number two also reached, and replaying two's entries on it looked fine
    expected = await build(two, fake_embedder, ["gamma", "delta"], n=60, save=False)
    shutil.rmtree(vectors_folder(two))
    shutil.copytree(vectors_folder(one), vectors_folder(two))  # one's newer copy, put beside two
    lib = await ThreadLibrary.open(two, fake_embedder, **SIZES)
    try:
        assert await search_ids(lib, QUERIES, exact=True) == expected
        titles = {h.thread_title for h in await lib.dense_search(fake_embedder.embed_query("beta"), k=50)}
        assert "beta" not in titles
    finally:
        await lib.close()


async def test_a_tampered_model_record_is_one_clear_error(db_path, fake_embedder):
    await build(db_path, fake_embedder, ["alpha"])
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE meta SET value = 'lots' WHERE key = 'dim'")
    with pytest.raises(StoreError, match="record of its embedding model is damaged"):
        await ThreadLibrary.open(db_path, fake_embedder, **SIZES)
