"""A long-running process uses a saved copy whose files are as written (size and modification time)
at once and checks their CRCs in the background: a file damaged without a trace in its stats (a
bad sector) is found there, deleted, and the indexes are rebuilt from the database before the
next search; a short-lived process checks before it uses the copy."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from indexing.library import ThreadLibrary
from tests.indexing.store.test_damaged_index import SIZES, build, manifest_of, vectors_folder
from tests.indexing.store.test_vectors import QUERIES, search_ids


def zeros_keeping_the_stats(path: Path, start: float = 0.25, end: float = 0.75) -> None:
    """Zeros over part of the file (the middle half), its size and modification time left as they were."""
    stat = path.stat()
    with open(path, "r+b") as f:
        f.seek(int(stat.st_size * start))
        f.write(b"\0" * (int(stat.st_size * end) - int(stat.st_size * start)))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def lexical_folder(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.name}.lexical"


async def build_both(db_path: Path, embedder, titles: list[str]) -> list[list[int]]:
    """`build`, then one more session: the lexical index is built from the rows at an open (the
    first found an empty database) and saved beside the dense one on close."""
    expected = await build(db_path, embedder, titles)
    await (await ThreadLibrary.open(db_path, embedder, **SIZES)).close()
    assert (lexical_folder(db_path) / "manifest.json").is_file()
    return expected


async def test_a_copy_as_written_is_used_at_once_and_checked_in_the_background(db_path, fake_embedder, caplog):
    expected = await build_both(db_path, fake_embedder, ["alpha", "beta", "gamma"])
    caplog.set_level(logging.WARNING)
    lib = await ThreadLibrary.open(db_path, fake_embedder, **SIZES)
    try:
        store = lib.store
        assert store.vectors.deferred and store.lexical.deferred  # the CRCs were left for later ...
        store._check.wait()
        assert not store._check.damaged  # ... and they match
        assert await search_ids(lib, QUERIES, exact=True) == expected
    finally:
        await lib.close()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def top_scores(lib: ThreadLibrary) -> list[list[float]]:
    """The exact top-10 cosines of QUERIES: unlike ids, the same whichever of two equal vectors comes first
    (the hashing embedder gives many; a clustered index and a rebuilt one order them differently)."""
    out = []
    for q in QUERIES:
        hits = await lib.dense_search(lib.embedder.embed_query(q), k=10, exact=True)
        out.append([round(float(h.dense_score or 0.0), 3) for h in hits])
    return out


async def test_damage_that_leaves_the_stats_alone_is_found_in_the_background(db_path, fake_embedder, caplog):
    # A clustered index: its faiss file is mapped, not read, at open (a numpy matrix is read whole,
    # so damage to it is found at once: test_damaged_index.py).
    await build(db_path, fake_embedder, ["alpha", "beta", "gamma"], cluster=True)
    lib = await ThreadLibrary.open(db_path, fake_embedder, **SIZES)
    try:
        expected = await top_scores(lib)
    finally:
        await lib.close()
    vectors_file = vectors_folder(db_path) / manifest_of(vectors_folder(db_path))["vectors"]
    zeros_keeping_the_stats(vectors_file, 0.85, 0.95)  # the last lists' codes, past the list sizes
    caplog.set_level(logging.WARNING)
    lib = await ThreadLibrary.open(db_path, fake_embedder, **SIZES)
    try:
        lib.store._check.wait()
        assert lib.store._check.damaged and not vectors_file.exists()
        assert await top_scores(lib) == expected  # rebuilt from the rows first
        assert not lib.store.vectors.deferred
    finally:
        await lib.close()
    assert any("does not match its checksum" in r.getMessage() for r in caplog.records)
    caplog.clear()
    lib = await ThreadLibrary.open(db_path, fake_embedder, **SIZES)  # the copy saved on close is whole
    try:
        lib.store._check.wait()
        assert not lib.store._check.damaged
        assert await top_scores(lib) == expected
    finally:
        await lib.close()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_short_lived_process_checks_before_use(db_path, fake_embedder, caplog):
    expected = await build_both(db_path, fake_embedder, ["alpha", "beta"])
    lexical = lexical_folder(db_path)
    postings = lexical / json_files(lexical)["rows"]
    zeros_keeping_the_stats(postings)
    caplog.set_level(logging.WARNING)
    lib = await ThreadLibrary.open(db_path, fake_embedder, long_running=False, **SIZES)
    try:
        assert not lib.store.vectors.deferred and not lib.store.lexical.deferred
        assert any("ignoring the saved lexical index" in r.getMessage() for r in caplog.records)
        assert await search_ids(lib, QUERIES, exact=True) == expected
    finally:
        await lib.close()


def json_files(folder: Path) -> dict[str, str]:
    return json.loads((folder / "manifest.json").read_text())["files"]
