"""`threadbot migrate-store`: copy a SQLite database into PostgreSQL (vectors included, nothing embedded)."""

from __future__ import annotations

import argparse

from .context import Context


async def cmd_migrate_store(args: argparse.Namespace, context: Context) -> int:
    from ..store import migrate_store  # the store loads after the command is known (see cli/context.py)

    counts = await migrate_store(args.source, args.target, replace=args.replace)
    width = max(len(table) for table in counts)
    for table, n in counts.items():
        print(f"{table:<{width}}  {n:>10,}")
    print(f"copied {counts.get('threads', 0):,} threads and {counts.get('passages', 0):,} passages "
          "(with their vectors) into PostgreSQL")
    return 0


def add_store_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("migrate-store", help="copy a SQLite database into PostgreSQL, without embedding again",
                       description="Copy every table of a SQLite database (threads, passages with their vectors, "
                                   "statements, summaries, digests, settings, follows, conversations) into a "
                                   "PostgreSQL database with pgvector, in one transaction.")
    p.add_argument("--from", dest="source", required=True, metavar="FILE", help="the SQLite database file")
    p.add_argument("--to", dest="target", required=True, metavar="URL", help="postgresql://user:password@host/db")
    p.add_argument("--replace", action="store_true",
                   help="empty a PostgreSQL database that already holds threads first (default: refuse)")
    p.set_defaults(func=cmd_migrate_store)
