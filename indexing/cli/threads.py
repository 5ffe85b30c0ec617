"""`threadbot index`, `threads`, `show` and `search`: put threads in, see what is there, find passages."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from ..errors import ParseError
from ..records import IndexFailure
from .context import Context
from .render import ProgressBar, print_json


async def cmd_index(args: argparse.Namespace, context: Context) -> int:
    bar = ProgressBar(enabled=True)
    # Long-running: an index that grows past the clustering size starts clustering, and this
    # command waits for it below, so the next run does not start again.
    urls = [p for p in args.paths if p.startswith(("http://", "https://"))]
    async with await context.library(long_running=True) as lib:
        results, failures = await lib.index_paths([p for p in args.paths if p not in urls], progress=bar)
        for url in urls:
            try:
                results += await lib.index_url(url, context.config.fetch, progress=bar)
            except ParseError as exc:  # FetchError included: one URL failing leaves the others
                failures.append(IndexFailure(exc.source, exc.reason))
        bar.close()
        if lib.clustering:  # started by this run's growth: finish it, or the next run starts again
            print(f"clustering the dense index of {await lib.dense_size():,} passages for fast search "
                  "(once; about a minute per million) ...", file=sys.stderr)
            await lib.finish_clustering()
    errors = [f for f in failures if not f.passed_over]
    for failure in failures:
        label = "skipped" if failure.passed_over else "error"
        print(f"{label}: {failure.source_file}: {failure.reason}", file=sys.stderr)
    if args.json:
        print_json([{k: v for k, v in asdict(r).items() if k != "embedded"} for r in results])
    else:
        for r in results:
            left_out = "".join(f", {n} {what} skipped" for what, n in r.skipped.items())
            print(f"{r.status:9} {r.thread_id}  {r.title[:70]}  ({r.paragraphs} paragraphs, {r.comments} comments, "
                  f"{r.passages} passages, {r.embedded} embedded; read as {r.format}{left_out})")
        if not results and not errors:
            print("no thread files found", file=sys.stderr)
    return 1 if errors or not results else 0


async def cmd_threads(args: argparse.Namespace, context: Context) -> int:
    async with await context.library(with_model=False) as lib:
        threads = await lib.threads(scope=None if args.all_scopes else "local")
    if args.json:
        print_json([asdict(t) for t in threads])
        return 0
    if not threads:
        print("no threads indexed yet: try `threadbot index FILE`")
    for t in threads:
        print(f"{t.id}  {t.title[:70]}  {t.paragraphs} paragraphs, {t.comments} comments, {t.passages} passages")
    return 0


async def cmd_show(args: argparse.Namespace, context: Context) -> int:
    async with await context.library(with_model=False) as lib:
        info = await lib.thread_info(args.thread_id)
        thread = await lib.thread(args.thread_id)
    if args.json:
        print_json({"thread_id": info.id, **thread.to_json()})
        return 0
    print(thread.title)
    if thread.author or thread.score is not None:
        points = f"{thread.score:g} points" if thread.score is not None else ""
        print("  " + ", ".join(part for part in (f"posted by {thread.author}" if thread.author else "", points)
                               if part))
    for label, value in (("url", thread.url), ("source", thread.source), ("published", thread.published),
                         ("file", thread.source_file)):
        if value:
            print(f"  {label}: {value}")
    print(f"\nArticle: {len(thread.paragraphs)} paragraphs")
    for i, p in enumerate(thread.paragraphs, start=1):
        print(f"  [{i}] {p}")
    print(f"\nComments: {len(thread.comments)}")
    for c in thread.comments:
        reply = f" (reply to {c.parent})" if c.parent else ""
        print(f"  {c.id} {c.author or '(no author)'}{reply}: {c.text}")
    return 0


async def cmd_search(args: argparse.Namespace, context: Context) -> int:
    async with await context.library() as lib:
        if args.thread:
            await lib.thread_info(args.thread)  # an unknown thread is an error, not "no matches"
        hits = await lib.search(args.query, thread_id=args.thread, k=args.k)
    if args.json:
        print_json([asdict(h) for h in hits])
        return 0
    if not hits:
        print("no matches")
    for rank, h in enumerate(hits, start=1):
        p = h.passage
        print(f"{rank:2}. [{h.score:.4f}] {h.thread_title or p.thread_id} / {p.label()}")
        print(f"    {p.text[:300]}")
    return 0


def result_count(text: str) -> int:
    """argparse type of --k: a whole number from 1 to 1000 (-1 once returned every candidate)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 1000, not {text!r}")
    return value


def add_thread_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="index thread files, folders or URLs (exports, saved pages, thread JSON)",
                       description="Index thread files, folders or URLs of threads (Reddit, Hacker News, Discourse "
                                   "or any page with comments). The format is read from the content. Re-indexing "
                                   "unchanged content changes nothing.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or http(s) URLs to index")
    p.add_argument("--json", action="store_true", help="print one JSON object per thread")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("threads", help="list the indexed threads with counts",
                       description="List the indexed threads with their paragraph, comment and passage counts.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--all-scopes", action="store_true", help="include threads uploaded through Discord guilds")
    p.set_defaults(func=cmd_threads)

    p = sub.add_parser("show", help="show what the parser understood of a thread",
                       description="Show a thread's title, paragraphs and comments as parsed.")
    p.add_argument("thread_id", metavar="THREAD_ID", help="id from `threadbot threads`")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("search", help="hybrid (dense + BM25) search over indexed passages",
                       description="Search passages by meaning and by words, fused by reciprocal rank.")
    p.add_argument("query", metavar="QUERY", help="what to look for")
    p.add_argument("--thread", metavar="ID", help="only this thread")
    p.add_argument("--k", type=result_count, default=5, help="number of results, 1 to 1000 (default 5)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_search)
