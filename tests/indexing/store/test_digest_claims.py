"""A digest is posted once, however many processes see the same thread: the claim in the store.

Two real processes race on one database file to post the same threads' digests; a poster that
crashed after winning a claim holds the digest only until its lease runs out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from indexing.digest_records import DIGEST_LEASE_SECONDS, DigestRecords
from indexing.records import Comment, Thread
from indexing.store import NewDigest
from indexing.summaries.digest import Digest, Posted, make_digest, mark_digest_posted, post_digest
from tests.helpers import REPO

SCOPE = "guild-1"


def thread(i: int) -> Thread:
    comments = tuple(Comment(id=f"c{j}", author=f"reader{j}", text=f"Comment {j} on the harbour plan number {i}.")
                     for j in range(3))
    return Thread(title=f"Harbour plan {i}", paragraphs=(f"The harbour plan {i} was published.",),
                  comments=comments, source_file=f"plan-{i}.json")


@pytest.fixture
def database(store_location):
    """Where the posters' shared database lives: a SQLite file, then a PostgreSQL database."""
    return store_location


@pytest.fixture
async def lib(database, fake_embedder):
    from indexing.library import ThreadLibrary

    library = await ThreadLibrary.open(database, fake_embedder)
    library.extractor = None
    yield library
    await library.close()


def start_poster(database: str, thread_ids: list[str], *flags: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.indexing.store.digest_poster", database, SCOPE, *flags, *thread_ids],
        cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True)
    assert process.stdout is not None
    assert json.loads(process.stdout.readline()) == {"ready": True}
    return process


def go(process: subprocess.Popen) -> None:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()


async def test_two_processes_racing_post_each_digest_exactly_once(lib, database):
    ids = [(await lib.index_thread(thread(i), SCOPE)).thread_id for i in range(4)]
    posters = [start_poster(database, ids) for _ in range(2)]
    for p in posters:
        go(p)
    lines = []
    for p in posters:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        lines += [json.loads(line) for line in out.splitlines()]
    assert lines.count({"done": True}) == 2
    posted = Counter(line["posted"] for line in lines if "posted" in line)
    assert posted == Counter(ids), posted  # each thread once, between the two of them
    for thread_id in ids:
        last = await lib.digests.last_posted(thread_id, SCOPE)
        assert last is not None and last.message_id is not None
        assert (await make_digest(lib, thread_id, SCOPE)).already_posted


async def test_a_crashed_posters_digest_goes_out_once_its_lease_runs_out(lib, database):
    thread_id = (await lib.index_thread(thread(0), SCOPE)).thread_id
    crashed = start_poster(database, [thread_id], "--crash")
    go(crashed)
    assert crashed.wait(timeout=60) == 3  # died mid-post, holding the claim
    sent: list[Digest] = []

    async def send(digest: Digest) -> Posted:
        sent.append(digest)
        return Posted(channel_id="test", message_id="1")

    assert await post_digest(lib, thread_id, SCOPE, send) is None  # its lease still runs
    assert sent == []
    later = datetime.now(UTC) + timedelta(seconds=DIGEST_LEASE_SECONDS + 1)
    posted = await post_digest(lib, thread_id, SCOPE, send, now=later)
    assert posted is not None and posted.posted_at is not None and len(sent) == 1
    assert await post_digest(lib, thread_id, SCOPE, send, now=later) is None and len(sent) == 1


async def test_a_failed_post_gives_the_claim_back_and_a_claimed_draft_is_never_replaced(lib):
    thread_id = (await lib.index_thread(thread(0), SCOPE)).thread_id

    async def fail(digest: Digest) -> Posted:
        raise OSError("Discord is down")

    with pytest.raises(OSError):
        await post_digest(lib, thread_id, SCOPE, fail)
    digest = await make_digest(lib, thread_id, SCOPE)
    assert await lib.digests.claim(digest.digest_id)  # given back: claimable at once
    assert not await lib.digests.claim(digest.digest_id)  # ... by one poster only
    # The thread changes while the claim is held: the new draft does not delete the claimed one,
    # and cannot be claimed beside it.
    grown = thread(0)
    grown = Thread(title=grown.title, paragraphs=grown.paragraphs, source_file=grown.source_file,
                   comments=(*grown.comments, Comment(id="new", author="late", text="A late comment on it.")))
    await lib.index_thread(grown, SCOPE)
    newer = await make_digest(lib, thread_id, SCOPE)
    assert newer.digest_id != digest.digest_id and await lib.digests.get(digest.digest_id) is not None
    assert not await lib.digests.claim(newer.digest_id)
    # The claimed digest goes out; the draft made meanwhile covered the whole thread from no
    # baseline, so the next digest is a fresh delta of the one comment it did not cover.
    await mark_digest_posted(lib, digest.digest_id, channel_id="test")
    update = await make_digest(lib, thread_id, SCOPE)
    assert update.is_delta and update.new_comment_count == 1 and not update.already_posted


async def test_a_draft_overtaken_by_another_posters_post_is_not_posted_again(lib):
    """Two posters make drafts of one thread at the same moment (on PostgreSQL neither insert sees
    the other's): the first claims and posts its draft; the second's draft, made against no posted
    digest, would repeat that post, so its claim fails."""
    thread_id = (await lib.index_thread(thread(0), SCOPE)).thread_id
    first = await make_digest(lib, thread_id, SCOPE)
    assert await lib.digests.claim(first.digest_id, baseline_id=first.baseline_id)
    row = await lib.digests.get(first.digest_id)
    assert row is not None  # the other poster's draft of the same thread, made before the post
    second_id, _ = await lib.digests.insert(NewDigest(row.thread_id, row.scope, row.content_hash, row.comment_keys,
                                                      row.new_comment_count, row.is_delta, row.text, row.body))
    await mark_digest_posted(lib, first.digest_id, channel_id="test")
    other = DigestRecords(lib.store, claimant="another-process")
    assert not await other.claim(second_id, baseline_id=0)
    assert await post_digest(lib, thread_id, SCOPE, lambda d: pytest.fail(f"posted again: {d.text}")) is None
