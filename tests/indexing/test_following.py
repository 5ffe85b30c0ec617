"""Following a thread: the store's follows (scopes, one per URL, the limit, restarts), the polling
schedule (a pure function), and checks against a local site whose thread grows. Time is injected:
nothing here waits for an interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from indexing.config import FetchConfig
from indexing.errors import NotFoundError, StoreError
from indexing.following import MAX_INTERVAL, check_follow, describe_interval, next_check, start_following
from indexing.library import ThreadLibrary
from indexing.store.follows import MAX_FOLLOWS_PER_SCOPE
from indexing.summaries import make_digest, mark_digest_posted, new_comment_count

T0 = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
FETCH = FetchConfig(allow_private=("127.0.0.1",))  # follow_interval 900 s, follow_threshold 5
URL = "https://example.org/harbour-fees-rise"


@pytest.fixture
def library(any_library):
    """Every test here on both backends (tests/conftest.py: any_library)."""
    return any_library


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# ---- the schedule ------------------------------------------------------------------------------
def test_the_interval_doubles_while_quiet_up_to_six_hours_and_resets_when_comments_arrive():
    end = T0 + timedelta(days=7)
    interval, seen = 900.0, []
    for _ in range(7):
        at, interval = next_check(T0, interval, 900, False, end)
        seen.append(interval)
        assert at == T0 + timedelta(seconds=interval)
    assert seen == [1800, 3600, 7200, 14400, 21600, 21600, 21600] and MAX_INTERVAL == 21600
    assert next_check(T0, 21600, 900, True, end) == (later(900), 900)


def test_no_check_is_planned_after_the_end_and_a_long_base_is_kept():
    assert next_check(T0, 3600, 900, False, later(600)) == (later(600), 7200)
    assert next_check(T0, 8 * 3600, 8 * 3600, False, T0 + timedelta(days=2))[1] == 8 * 3600
    assert [describe_interval(s) for s in (900, 1800, 3600, 21600)] == ["15 min", "30 min", "1 h", "6 h"]


# ---- the store through the front door ------------------------------------------------------------
async def test_follows_are_per_scope_one_per_url_and_renewed(library):
    first = await library.follow(URL, "g1", 11, 24, 5, interval=900, now=T0)
    assert first.thread_id is None and first.next_check_at == T0  # never fetched: due at once
    assert first.expires_at == T0 + timedelta(hours=24) and first.channel_id == 11
    again = await library.follow(f" {URL} ", "g1", 12, 48, 3, interval=900, now=later(60))
    assert again.id == first.id and again.created_at == T0  # the same follow, renewed from now
    assert (again.hours, again.threshold, again.channel_id) == (48, 3, 12)
    assert again.expires_at == later(60) + timedelta(hours=48)
    other = await library.follow(URL, "g2", 21, 24, 5, interval=900, now=T0)
    assert other.id != first.id
    assert [f.id for f in await library.follows("g1")] == [first.id]
    assert [f.id for f in await library.follows("g2")] == [other.id]
    assert await library.follows("g3") == []
    assert {f.scope for f in await library.due_follows(later(60))} == {"g1", "g2"}  # every scope, explicitly
    with pytest.raises(NotFoundError, match="not following"):
        await library.unfollow(URL, "g3")  # another guild cannot stop g1's follow
    assert [f.id for f in await library.unfollow(URL, "g2")] == [other.id]
    assert [f.id for f in await library.follows(None)] == [first.id]
    with pytest.raises(NotFoundError):
        await library.unfollow(URL, "g2")


async def test_a_scope_follows_at_most_25_threads(library):
    for n in range(MAX_FOLLOWS_PER_SCOPE):
        await library.follow(f"{URL}/{n}", "g1", None, 24, 5, interval=900, now=T0)
    with pytest.raises(StoreError, match="already following 25"):
        await library.follow(f"{URL}/more", "g1", None, 24, 5, interval=900, now=T0)
    await library.follow(f"{URL}/0", "g1", None, 12, 5, interval=900, now=T0)  # renewing one is fine
    await library.follow(f"{URL}/more", "g2", None, 24, 5, interval=900, now=T0)  # another scope has its own


async def test_bad_follow_options_are_refused(library):
    for hours, threshold in [(0, 5), (169, 5), (24, 0)]:
        with pytest.raises(Exception, match="followed for up to 168 hours"):
            await library.follow(URL, "g1", None, hours, threshold, interval=900, now=T0)


async def test_follows_survive_a_restart(store_location, fake_embedder):
    async with await ThreadLibrary.open(store_location, fake_embedder) as lib:
        made = await lib.follow(URL, "g1", 5, 24, 5, interval=900, now=T0)
    async with await ThreadLibrary.open(store_location, fake_embedder) as lib:
        assert await lib.follows("g1") == [made]


# ---- checks against a growing thread ------------------------------------------------------------
async def test_checks_back_off_and_a_digest_update_is_due_at_the_threshold(library, thread_server):
    follow, result = await start_following(library, thread_server.url, "local", FETCH, threshold=2, now=T0)
    assert result.status == "indexed" and result.comments == 2 and thread_server.fetches == 1
    assert (follow.thread_id, follow.last_comment_count) == (result.thread_id, 2)
    assert follow.next_check_at == later(900) and follow.interval_seconds == 900  # the fetch was the first check
    assert await library.due_follows(later(899)) == []
    digest = await make_digest(library, result.thread_id)
    await mark_digest_posted(library, digest.digest_id, channel_id="test")

    quiet = await check_follow(library, follow, FETCH, later(900))  # nothing new: the wait doubles
    assert thread_server.fetches == 2 and quiet.result and quiet.result.status == "unchanged"
    assert (quiet.new_comments, quiet.digest_due) == (0, False)
    assert quiet.follow.interval_seconds == 1800 and quiet.follow.next_check_at == later(2700)

    thread_server.grow(1)  # one new comment: back to the start, but below the threshold
    grew = await check_follow(library, quiet.follow, FETCH, later(2700))
    assert grew.result and grew.result.status == "updated" and grew.follow.last_comment_count == 3
    assert (grew.new_comments, grew.digest_due) == (1, False)
    assert grew.follow.interval_seconds == 900 and grew.follow.next_check_at == later(3600)

    thread_server.grow(1)  # two since the last digest: a digest update is due
    due = await check_follow(library, grew.follow, FETCH, later(3600))
    assert (due.new_comments, due.digest_due) == (2, True)
    update = await make_digest(library, result.thread_id)
    assert update.is_delta and update.new_comment_count == 2 and "2 new comments" in update.text
    await mark_digest_posted(library, update.digest_id, channel_id="test")
    assert await new_comment_count(library, result.thread_id, "local") == 0


async def test_a_follow_ends_after_its_hours_without_fetching(library, thread_server):
    follow, _ = await start_following(library, thread_server.url, "g1", FETCH, hours=1, now=T0)
    at, _ = next_check(later(3000), 3600, 900, False, follow.expires_at)
    assert at == follow.expires_at  # the last planned check is the end
    assert [f.id for f in await library.due_follows(later(3600))] == [follow.id]
    ended = await check_follow(library, follow, FETCH, later(3600))
    assert ended.ended and not ended.digest_due and ended.result is None
    assert thread_server.fetches == 1 and await library.follows("g1") == []


async def test_a_failing_fetch_is_retried_after_the_interval_and_others_go_on(library, thread_server):
    good, _ = await start_following(library, thread_server.url, "g1", FETCH, now=T0)
    bad = await library.follow("http://127.0.0.1:9/gone.json", "g1", None, 24, 5, interval=900, now=T0)
    thread_server.grow(5)
    checks = [await check_follow(library, f, FETCH, later(900)) for f in await library.due_follows(later(900))]
    by_url = {c.follow.url: c for c in checks}
    failed = by_url[bad.url]
    assert failed.error and "127.0.0.1:9" in failed.error and not failed.ended
    assert failed.follow.next_check_at == later(1800) and failed.follow.interval_seconds == 900
    assert by_url[good.url].digest_due and by_url[good.url].new_comments == 7  # no digest posted yet


async def test_forgetting_a_thread_ends_its_follow(library, thread_server):
    _, result = await start_following(library, thread_server.url, "g1", FETCH, now=T0)
    await library.forget(result.thread_id, scope="g1")
    assert await library.follows("g1") == []


async def test_a_url_that_fails_at_once_is_not_followed(library):
    with pytest.raises(Exception, match="private address"):
        await start_following(library, "http://127.0.0.1:9/thread.json", "g1", FetchConfig(), now=T0)
    assert await library.follows("g1") == []
