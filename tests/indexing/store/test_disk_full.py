"""A full disk, on a real small file system (a 4 MB tmpfs mounted by the test; skipped where it
cannot be mounted): a reader never fails because saving its dense index failed and leaves no
`.tmp` behind; a writer stops with one clear line (CLI) or one clear reply (bot), never a traceback.

Before: `search` on a full disk died in faiss's write_index with a traceback and no results, and
left a `.tmp` file; `index` was a 40-line sqlite3 traceback; the bot said "Something went wrong".
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

import pytest

from bot.errors import user_message
from indexing import cli
from indexing.errors import DiskFullError
from indexing.library import ThreadLibrary
from indexing.records import Comment, Thread
from tests.fakes import FakeEmbedder
from tests.helpers import small_tmpfs


@pytest.fixture
def small_disk(tmp_path):
    with small_tmpfs(tmp_path / "small") as mount:
        yield mount


def fill(folder, leave: int) -> None:
    """Fill the file system holding `folder` until about `leave` bytes are free."""
    import os

    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    with open(folder / f"filler-{uuid.uuid4().hex}", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


def big_thread(title: str, comments: int) -> Thread:
    return Thread(title=title, paragraphs=(f"{title}: the harbour reopened after the storm.",),
                  comments=tuple(Comment(id=f"c{i}", author=f"user{i % 9}",
                                         text=f"comment {i} on {title}: the harbour repairs cost {i} pounds, "
                                              "and the storm season is not over yet, say the fishermen.")
                                 for i in range(comments)), source_file=f"{title}.json")


def cli_run(capsys, db, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", str(db), *args], make_embedder=lambda config: FakeEmbedder())
    out, err = capsys.readouterr()
    return code, out, err


async def index_unsaved(db, thread: Thread) -> None:
    async with await ThreadLibrary.open(db, FakeEmbedder(), snapshot_min_passages=10**9) as lib:
        lib.extractor = None
        await lib.index_thread(thread)


def test_a_search_on_a_full_disk_answers_and_leaves_no_tmp(small_disk, capsys, caplog, monkeypatch):
    db = small_disk / "full.db"
    asyncio.run(index_unsaved(db, big_thread("Harbour", 1500)))  # 1,502 vectors: a 200 kB file to save
    fill(small_disk, leave=64 * 1024)
    monkeypatch.setenv("THREADBOT_SNAPSHOT_MIN_PASSAGES", "1")  # this reader will try to save its index
    caplog.set_level(logging.WARNING)
    code, out, err = cli_run(capsys, db, "search", "harbour repairs", "--json")
    assert code == 0, err
    assert json.loads(out), "the search returned its results"
    assert "Traceback" not in err
    assert any("could not save the dense index" in r.getMessage() for r in caplog.records)
    folder = small_disk / "full.db.vectors"
    assert not folder.exists() or not list(folder.iterdir()), list(folder.iterdir())


def test_indexing_on_a_full_disk_is_one_clear_line(small_disk, tmp_path, capsys):
    db = small_disk / "full.db"
    source = tmp_path / "big.json"
    thread = big_thread("Harbour", 4000)
    comments = [{"id": c.id, "author": c.author, "text": c.text} for c in thread.comments]
    source.write_text(json.dumps({"title": thread.title, "paragraphs": list(thread.paragraphs), "comments": comments}))
    code, _, err = cli_run(capsys, db, "threads")  # the database exists and is empty
    assert code == 0, err
    fill(small_disk, leave=64 * 1024)
    code, out, err = cli_run(capsys, db, "index", str(source))
    assert code != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "disk holding the database" in lines[0] and "is full" in lines[0], err
    assert "Traceback" not in err + out


async def test_the_bot_says_the_disk_is_full(small_disk):
    db = small_disk / "full.db"
    lib = await ThreadLibrary.open(db, FakeEmbedder())
    lib.extractor = None
    try:
        fill(small_disk, leave=64 * 1024)
        with pytest.raises(DiskFullError) as caught:
            await lib.index_thread(big_thread("Harbour", 4000), "guild-1")
    finally:
        await lib.close()
    message = user_message(caught.value)
    assert message is not None and "disk is full" in message and "Something went wrong" not in message
