"""`threadbot migrate-store --from FILE --to URL`: every table copied into PostgreSQL, vectors
included (nothing is embedded again), counts reported, a non-empty target refused unless --replace."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from indexing.library import ThreadLibrary
from indexing.records import ServerMessage, Thread
from indexing.sources import parse_file
from indexing.store import NewDigest
from tests.helpers import SEED, run_async
from tests.indexing.store.test_store import CountingEmbedder


async def populate(path, embedder) -> str:
    async with await ThreadLibrary.open(path, embedder) as lib:
        [result] = [await lib.index_thread(t, "guild-1") for t in parse_file(SEED)]
        thread_id = result.thread_id
        digest_id, _ = await lib.digests.insert(NewDigest(thread_id, "guild-1", "hash", ["c1"], 1, False, "digest",
                                                         {"b": 1}))
        await lib.digests.set_posted(digest_id, "42", "7", "https://discord.com/channels/1/42/7")
        await lib.set_guild_setting("guild-1", "digest_channel_id", 42)
        await lib.set_guild_setting("guild-1", "charts", False)
        await lib.follow("https://example.org/t", "guild-1", 42, 12, 3, interval=60, thread_id=thread_id,
                         comment_count=5, now=datetime(2026, 1, 1, tzinfo=UTC))
        await lib.conversations.attach("guild-1", 99, thread_id)
        await lib.conversations.apply("guild-1", [ServerMessage("guild-1", "99", "1001", "u1", "Member",
                                                                "The sanctions will stay, I think.",
                                                                "2026-01-01T00:00:00+00:00", "https://d/1001")])
        # After the message: a re-index (which the message caused) drops the thread's cached summaries.
        await lib.store_summary(thread_id, "hash", "short", "extractive", {"text": "a summary"})
        return thread_id


async def snapshot(lib: ThreadLibrary, thread_id: str) -> dict:
    passages = await lib.passages_of(thread_id, "guild-1")
    return {
        "threads": await lib.threads(None),
        "passages": passages,
        "statements": await lib.statements(None),
        "summary": await lib.cached_summary(thread_id, "hash", "short", "extractive"),
        "digest": await lib.digests.last_posted(thread_id, "guild-1"),
        "settings": await lib.all_guild_settings(),
        "follows": await lib.follows(None),
        "channels": await lib.conversations.channels("guild-1"),
        "messages": await lib.conversations.messages("guild-1", ["1001"]),
        "vectors": await lib.passage_vectors(p.id for p in passages),
    }


async def source_state(source, embedder) -> tuple[dict, dict]:
    thread_id = await populate(source, embedder)
    async with await ThreadLibrary.open(source, embedder) as lib:
        return await snapshot(lib, thread_id), await lib.store.counts()


async def check_copy(pg_url: str, embedder: CountingEmbedder, before: dict) -> None:
    thread_id = before["threads"][0].id
    async with await ThreadLibrary.open(pg_url, embedder) as lib:
        after = await snapshot(lib, thread_id)
        assert after.pop("vectors").keys() == before["vectors"].keys()
        for pid, vector in before["vectors"].items():
            # SQLite's in-memory index holds half precision; the copy took the stored float32 vectors.
            np.testing.assert_allclose((await lib.passage_vectors([pid]))[pid], vector, atol=1e-3)
        assert after == {k: v for k, v in before.items() if k != "vectors"}
        assert (await lib.index_thread(parse_file(SEED)[0], "guild-1")).status == "unchanged"
        hits = await lib.search("Peskov", scope="guild-1")
        assert hits and hits[0].passage.thread_id == thread_id
        # New ids start above the copied ones.
        fresh = await lib.index_thread(Thread(title="A new thread"), "guild-1")
        new_ids = [p.id for p in await lib.passages_of(fresh.thread_id, "guild-1")]
        assert min(new_ids) > max(p.id for p in before["passages"])


async def thread_ids(url: str) -> list[str]:
    async with await ThreadLibrary.open(url, None) as lib:
        return [t.id for t in await lib.threads(None)]


def test_a_sqlite_database_is_copied_whole_and_not_embedded_again(tmp_path, pg_url, run):
    source = tmp_path / "threadbot.db"
    embedder = CountingEmbedder()
    before, counts = run_async(source_state(source, embedder))

    code, out, _ = run("migrate-store", "--from", str(source), "--to", pg_url)
    assert code == 0
    reported = {line.split()[0]: line.split()[1] for line in out.splitlines() if len(line.split()) == 2}
    assert reported == {"threads": "1", "passages": f"{counts['passages']:,}", "statements": reported["statements"],
                        "summary_cache": "1", "digests": "1", "guild_settings": "1", "follows": "1",
                        "conversation_channels": "1", "server_messages": "1"}
    assert int(reported["statements"].replace(",", "")) == len(before["statements"]) > 0

    embedder.texts.clear()
    run_async(check_copy(pg_url, embedder, before))
    assert embedder.texts == ["Peskov", "A new thread"]  # the query, the new title: nothing copied

    # A target holding threads is refused, unless told to replace it.
    code, _, err = run("migrate-store", "--from", str(source), "--to", pg_url)
    assert code == 2 and "--replace" in err and err.count("\n") == 1
    assert run("migrate-store", "--from", str(source), "--to", pg_url, "--replace")[0] == 0
    assert run_async(thread_ids(pg_url)) == [before["threads"][0].id]


def test_a_missing_source_or_a_file_target_is_one_clear_line(tmp_path, run):
    code, _, err = run("migrate-store", "--from", str(tmp_path / "none.db"), "--to", "postgresql://x@/y")
    assert code == 2 and "no SQLite database" in err
    code, _, err = run("migrate-store", "--from", str(tmp_path / "none.db"), "--to", str(tmp_path / "b.db"))
    assert code == 2 and "PostgreSQL URL" in err


async def index_with_saved_copy(source, embedder) -> dict:
    """The seed thread in a database whose vectors live only in the saved dense index."""
    async with await ThreadLibrary.open(source, embedder, snapshot_min_passages=1) as lib:
        [result] = [await lib.index_thread(t, "guild-1") for t in parse_file(SEED)]
    async with await ThreadLibrary.open(source, embedder, snapshot_min_passages=1) as lib:
        passages = await lib.passages_of(result.thread_id, "guild-1")
        return await lib.passage_vectors(p.id for p in passages)


def test_vectors_held_only_by_the_saved_index_are_copied(tmp_path, pg_url, run):
    import sqlite3

    source = tmp_path / "threadbot.db"
    embedder = CountingEmbedder()
    before = run_async(index_with_saved_copy(source, embedder))
    with sqlite3.connect(source) as db:
        assert db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] == 0  # all in the copy
    assert run("migrate-store", "--from", str(source), "--to", pg_url)[0] == 0

    async def copied() -> dict:
        async with await ThreadLibrary.open(pg_url, embedder) as lib:
            return await lib.passage_vectors(before)

    after = run_async(copied())
    assert after.keys() == before.keys()
    for pid, vector in before.items():
        np.testing.assert_allclose(after[pid], vector, atol=1e-3)
