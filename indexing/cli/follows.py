"""`threadbot follow` and `threadbot unfollow`: follow a thread's URL for new comments.

`follow URL` fetches and indexes the thread, follows it and prints its digest (printing is the
command line's way of posting one). `follow --check` runs every due follow once and prints a digest
update for each thread that gained enough comments: the command for a cron job. `follow --list`
shows what is followed. Follows made here belong to the command line ("local" scope), apart from
every server's (the bot checks those itself).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..following import FollowCheck, check_follow, describe_interval, start_following
from ..records import FOLLOW_HOURS, LOCAL_SCOPE, MAX_FOLLOW_HOURS, Follow
from .context import Context
from .render import print_json, render_digest
from .summaries import printed_digest

if TYPE_CHECKING:
    from ..summaries import Digest


def when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def follow_json(follow: Follow, title: str | None) -> dict:
    return {"url": follow.url, "thread_id": follow.thread_id, "title": title, "hours": follow.hours,
            "threshold": follow.threshold, "created_at": follow.created_at.isoformat(),
            "expires_at": follow.expires_at.isoformat(), "next_check_at": follow.next_check_at.isoformat(),
            "interval_seconds": follow.interval_seconds, "comments": follow.last_comment_count}


async def cmd_follow(args: argparse.Namespace, context: Context) -> int:
    if args.list:
        return await _list(args, context)
    if args.check:
        return await _check(args, context)
    async with await context.library() as lib:
        follow, result = await start_following(lib, args.url, LOCAL_SCOPE, context.config.fetch, hours=args.hours,
                                               threshold=args.threshold, now=context.clock())
        digest = await printed_digest(lib, result.thread_id)
    if args.json:
        print_json({"follow": follow_json(follow, result.title), "digest": digest.to_json()})
        return 0
    print(f"following {result.title[:70]} (thread {result.thread_id}, {result.comments} comments) until "
          f"{when(follow.expires_at)}: a digest update once {follow.threshold} new comments are in "
          f"(`threadbot follow --check` looks when they are due)\n")
    print(render_digest(digest))
    return 0


async def _list(args: argparse.Namespace, context: Context) -> int:
    async with await context.library(with_model=False) as lib:
        follows = await lib.follows(LOCAL_SCOPE)
        titles = {t.id: t.title for t in await lib.threads(LOCAL_SCOPE)}
    if args.json:
        print_json([follow_json(f, titles.get(f.thread_id or "")) for f in follows])
        return 0
    if not follows:
        print("not following any thread: try `threadbot follow URL`")
    now = context.clock()
    for f in follows:
        title = titles.get(f.thread_id or "", "(not fetched yet)")
        every = describe_interval(f.interval_seconds)
        state = "ended" if f.expires_at <= now else f"next check {when(f.next_check_at)} (every {every})"
        print(f"{f.thread_id or '-':12}  {title[:60]}  until {when(f.expires_at)}; {state}; "
              f"{f.last_comment_count if f.last_comment_count is not None else '?'} comments, "
              f"a digest update at {f.threshold} new\n              {f.url}")
    return 0


async def _check(args: argparse.Namespace, context: Context) -> int:
    now = context.clock()
    async with await context.library(with_model=False) as lib:  # nothing due: no model to load
        due = [f for f in await lib.due_follows(now) if f.scope == LOCAL_SCOPE]  # servers' are the bot's
    checks: list[tuple[FollowCheck, Digest | None]] = []
    if due:
        async with await context.library() as lib:
            for follow in due:
                check = await check_follow(lib, follow, context.config.fetch, now)
                digest = None
                if check.digest_due and check.result is not None:
                    digest = await printed_digest(lib, check.result.thread_id)
                checks.append((check, digest))
    if args.json:
        print_json([{**follow_json(c.follow, c.result.title if c.result else None), "ended": c.ended,
                     "error": c.error, "new_comments": c.new_comments, "digest": d.to_json() if d else None}
                    for c, d in checks])
    for check, digest in checks:
        if check.error:
            print(f"error: {check.follow.url}: {check.error} (trying again {when(check.follow.next_check_at)})",
                  file=sys.stderr)
        elif check.ended:
            print(f"stopped following {check.follow.url}: its {check.follow.hours:g} hours are over", file=sys.stderr)
        if digest is not None and not args.json:
            print(render_digest(digest) + "\n")
    return 1 if any(c.error for c, _ in checks) else 0


async def cmd_unfollow(args: argparse.Namespace, context: Context) -> int:
    async with await context.library(with_model=False) as lib:
        removed = await lib.unfollow(args.target, LOCAL_SCOPE)
    for f in removed:
        print(f"stopped following {f.url}" + (f" (thread {f.thread_id})" if f.thread_id else ""))
    return 0


def _hours(text: str) -> float:
    value = float(text)
    if not 0 < value <= MAX_FOLLOW_HOURS:
        raise argparse.ArgumentTypeError(f"between 0 and {MAX_FOLLOW_HOURS:g} hours")
    return value


def _threshold(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1 comment")
    return value


def add_follow_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("follow", help="follow a thread's URL for new comments (--list, --check for cron)",
                       description="Follow a thread's URL: fetch and index it now and print its digest, then "
                                   "fetch it again on a schedule (every [fetch] follow_interval seconds at first, "
                                   "less often while no comments arrive) for --hours. `follow --check` runs the "
                                   "checks that are due and prints a digest update for each thread that gained "
                                   "--threshold new comments: run it from cron, e.g. every 5 minutes.")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("url", nargs="?", metavar="URL", help="the thread's address (as for `threadbot index URL`)")
    what.add_argument("--list", action="store_true", help="list the followed threads and their next checks")
    what.add_argument("--check", action="store_true",
                      help="check every due follow once; print the digest updates (and end follows whose time is up)")
    p.add_argument("--hours", type=_hours, default=FOLLOW_HOURS,
                   help=f"how long to follow it (default {FOLLOW_HOURS:g}, at most {MAX_FOLLOW_HOURS:g})")
    p.add_argument("--threshold", type=_threshold, metavar="N",
                   help="new comments needed for a digest update (default [fetch] follow_threshold: 5 unless set)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_follow)

    p = sub.add_parser("unfollow", help="stop following a thread",
                       description="Stop following a thread followed with `threadbot follow URL`.")
    p.add_argument("target", metavar="URL", help="the followed URL, or its thread id (`threadbot follow --list`)")
    p.set_defaults(func=cmd_unfollow)
