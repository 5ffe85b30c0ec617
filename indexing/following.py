"""Following a thread: fetch its URL again on a schedule, and say when enough new comments came in.

The schedule (`next_check`, a pure function): the fetch that starts a follow is its first check;
the next one comes `[fetch] follow_interval` seconds later, and the wait doubles (up to six hours)
after every check that finds no new comments, back to the start when some arrive. No check is
planned past the follow's end, and a check at or after the end removes the follow without fetching.

A check (`check_follow`) re-indexes the URL (cheap when nothing changed) and counts the comments
that no posted digest covers; once they reach the follow's threshold a digest update is due, which
the caller (the bot's loop, `threadbot follow --check`) makes and posts. A failed fetch is logged
and tried again after the same interval. The adapters only schedule and post; the rules are here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .config import FetchConfig
from .errors import NotFoundError, ThreadbotError
from .records import FOLLOW_HOURS, Follow, IndexResult

if TYPE_CHECKING:  # the CLI imports utc_now on every command; `threadbot ask` should not wait for these
    from .library import ThreadLibrary

log = logging.getLogger(__name__)

MAX_INTERVAL = 6 * 3600.0  # the longest wait between two checks of a quiet thread


def utc_now() -> datetime:
    return datetime.now(UTC)


def describe_interval(seconds: float) -> str:
    """"15 min", "2 h": an interval as people say it."""
    return f"{seconds / 3600:g} h" if seconds >= 3600 else f"{seconds / 60:g} min"


def next_check(now: datetime, interval: float, base: float, grew: bool,
               expires_at: datetime) -> tuple[datetime, float]:
    """When to check next, and the interval that makes: `base` again after a check that found new
    comments, else twice the last interval, at most six hours (or `base`, if that is longer); never
    later than the follow's end."""
    interval = base if grew else min(max(interval, base) * 2, max(MAX_INTERVAL, base))
    return min(now + timedelta(seconds=interval), expires_at), interval


@dataclass(frozen=True)
class FollowCheck:
    """What one check of a follow found."""

    follow: Follow  # as this check rescheduled it (as it was, when it ended or was stopped)
    ended: bool = False  # past its end (removed unfetched), or stopped meanwhile
    result: IndexResult | None = None  # the thread fetched and re-indexed
    new_comments: int = 0  # comments that no posted digest covers
    error: str | None = None  # why the fetch failed (tried again after the interval)

    @property
    def digest_due(self) -> bool:
        """Enough new comments for a digest update."""
        return self.result is not None and not self.ended and self.new_comments >= self.follow.threshold


async def start_following(lib: ThreadLibrary, url: str, scope: str, fetch: FetchConfig, *,
                          channel_id: int | None = None, hours: float = FOLLOW_HOURS, threshold: int | None = None,
                          now: datetime | None = None) -> tuple[Follow, IndexResult]:
    """Fetch and index the thread at `url` now (a failed fetch raises, and nothing is followed), then
    follow it: that fetch is its first check. `threshold` defaults to `[fetch] follow_threshold`."""
    url = url.strip()
    results = await lib.index_url(url, fetch, scope)
    if len(results) != 1:
        raise ThreadbotError(f"{url} holds {len(results)} threads (all indexed); follow the address of one thread")
    result = results[0]
    follow = await lib.follow(url, scope, channel_id, hours,
                              fetch.follow_threshold if threshold is None else threshold,
                              interval=fetch.follow_interval, thread_id=result.thread_id,
                              comment_count=result.comments, now=now)
    return follow, result


async def postpone(lib: ThreadLibrary, follow: Follow, now: datetime) -> Follow | None:
    """Try a failed check again after the follow's current interval (a failure says nothing about
    comments, so no back-off). None when the follow was stopped meanwhile."""
    at = min(now + timedelta(seconds=follow.interval_seconds), follow.expires_at)
    return await lib.record_check(follow.id, follow.last_comment_count, at, follow.interval_seconds)


async def check_follow(lib: ThreadLibrary, follow: Follow, fetch: FetchConfig, now: datetime) -> FollowCheck:
    """One check of a due follow, in its own scope (see the module docstring)."""
    if now >= follow.expires_at:
        try:
            await lib.unfollow(follow.url, follow.scope)
        except NotFoundError:
            log.debug("follow %s was stopped before it ended", follow.id)
        log.info("stopped following %s in %s: its %g hours are over", follow.url, follow.scope, follow.hours)
        return FollowCheck(follow, ended=True)
    try:
        results = await lib.index_url(follow.url, fetch, follow.scope)
        if not results:
            raise ThreadbotError(f"{follow.url} holds no thread any more")
    except ThreadbotError as exc:
        log.warning("checking followed %s in %s failed (trying again in %.0f s): %s", follow.url, follow.scope,
                    follow.interval_seconds, exc)
        later = await postpone(lib, follow, now)
        return FollowCheck(later or follow, ended=later is None, error=str(exc))
    result = next((r for r in results if r.thread_id == follow.thread_id), results[0])
    grew = follow.last_comment_count is None or result.comments > follow.last_comment_count
    from .summaries.digest import new_comment_count

    new = await new_comment_count(lib, result.thread_id, follow.scope)
    at, interval = next_check(now, follow.interval_seconds, fetch.follow_interval, grew, follow.expires_at)
    checked = await lib.record_check(follow.id, result.comments, at, interval, result.thread_id)
    log.info("checked followed %s in %s: %d comments, %d new since the last digest; next check %s", follow.url,
             follow.scope, result.comments, new, at.isoformat(timespec="seconds"))
    if checked is None:  # stopped while it was being fetched
        return FollowCheck(follow, ended=True, result=result, new_comments=new)
    return FollowCheck(checked, result=result, new_comments=new)
