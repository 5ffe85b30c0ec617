"""`threadbot summary` and `threadbot digest`: what the article says, what readers say, and the digest
a channel would get."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .context import Context
from .render import print_json, render_digest, render_summary

if TYPE_CHECKING:  # imported by the commands that use them: every other command starts without them
    from ..library import ThreadLibrary
    from ..summaries import Digest


async def cmd_summary(args: argparse.Namespace, context: Context) -> int:
    from ..summaries import summarize

    async with await context.library() as lib:
        summary = await summarize(lib, args.thread_id, length=args.length,
                                  llm=context.chat_client(args.extractive), use_cache=not args.no_cache)
    if args.json:
        print_json(summary.to_json())
    else:
        print(render_summary(summary))
    return 0


async def printed_digest(lib: ThreadLibrary, thread_id: str, preview: bool = False) -> Digest:
    """The digest of a local thread, to print. Printing is the command line's way of posting: unless
    `preview`, it is recorded as posted, so the next digest covers only what is new."""
    from ..summaries import make_digest, mark_digest_posted

    digest = await make_digest(lib, thread_id)
    if not digest.already_posted and not preview:
        digest = await mark_digest_posted(lib, digest.digest_id, channel_id="cli")
        digest.already_posted = False
    return digest


async def cmd_digest(args: argparse.Namespace, context: Context) -> int:
    async with await context.library() as lib:
        digest = await printed_digest(lib, args.thread_id, args.preview)
    if args.json:
        print_json(digest.to_json())
    else:
        print(render_digest(digest))
    return 0


def add_summary_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summary", help="summarise a thread: what the article says, what readers say",
                       description="Summarise a thread: verbatim article sentences cited to their "
                                   "paragraphs, and the discussion's themes, voices and off-topic count. "
                                   "Cached per version of the thread.")
    p.add_argument("thread_id", metavar="THREAD_ID", help="id from `threadbot threads`")
    p.add_argument("--length", choices=("short", "medium", "long"), default="medium",
                   help="article summary length: 1-2, 3-5 (default) or 6-10 sentences")
    p.add_argument("--extractive", action="store_true", help="never use the [llm] model, even if configured")
    p.add_argument("--no-cache", action="store_true", help="summarise afresh instead of using the cache")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("digest", help="the digest a channel would get for a thread (new comments only, "
                                      "after the first)",
                       description="Print the thread's digest as it would be posted, and record it: the next "
                                   "digest says how many comments are new and summarises only those. With "
                                   "nothing new, says so instead of repeating itself.")
    p.add_argument("thread_id", metavar="THREAD_ID", help="id from `threadbot threads`")
    p.add_argument("--preview", action="store_true", help="show the digest without recording it as posted")
    p.add_argument("--json", action="store_true",
                   help="print JSON (the text, its parts, whether it is a delta)")
    p.set_defaults(func=cmd_digest)
