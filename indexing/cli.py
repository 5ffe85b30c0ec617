"""The `threadbot` command line: a thin adapter that parses arguments, calls the library, prints."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from dataclasses import asdict

from .cli_answers import add_answer_commands
from .cli_output import print_json
from .cli_summaries import add_summary_commands
from .config import Settings, load_settings
from .embed import Embedder, load_embedder
from .errors import ThreadbotError
from .library import ThreadLibrary

log = logging.getLogger(__name__)


def make_embedder(settings: Settings) -> Embedder:
    return load_embedder(settings.model_path, settings.embed_backend)


class ProgressBar:
    """A tqdm bar on stderr when it is a terminal; silent otherwise (pipes, JSON output)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self._bar = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None or self._bar.total != total:
            from tqdm import tqdm

            self.close()
            self._bar = tqdm(total=total, desc="embedding passages", unit="passage", file=sys.stderr, leave=False)
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


# ---- commands -----------------------------------------------------------------------------------
async def cmd_index(args, settings: Settings) -> int:
    bar = ProgressBar(enabled=True)
    async with await ThreadLibrary.open(settings.db_path, make_embedder(settings), settings.max_upload_bytes) as lib:
        results, failures = await lib.index_paths(args.paths, progress=bar)
        bar.close()
        if lib.clustering:  # started by this run's growth: finish it, or the next run starts again
            print(f"clustering the dense index of {len(lib.store.vectors):,} passages for fast search "
                  "(once; about a minute per million) ...", file=sys.stderr)
            await lib.finish_clustering()
    for failure in failures:
        print(f"error: {failure.source_file}: {failure.reason}", file=sys.stderr)
    if args.json:
        print_json([{k: v for k, v in asdict(r).items() if k != "embedded"} for r in results])
    else:
        for r in results:
            print(f"{r.status:9} {r.thread_id}  {r.title[:70]}  ({r.paragraphs} paragraphs, {r.comments} comments, "
                  f"{r.passages} passages, {r.embedded} embedded)")
        if not results and not failures:
            print("no thread files found", file=sys.stderr)
    return 1 if failures or (not results and not failures) else 0


async def cmd_threads(args, settings: Settings) -> int:
    async with await ThreadLibrary.open(settings.db_path, None) as lib:
        threads = await lib.threads(scope=None if args.all_scopes else "local")
    if args.json:
        print_json([asdict(t) for t in threads])
        return 0
    if not threads:
        print("no threads indexed yet: try `threadbot index FILE`")
    for t in threads:
        print(f"{t.id}  {t.title[:70]}  {t.paragraphs} paragraphs, {t.comments} comments, {t.passages} passages")
    return 0


async def cmd_show(args, settings: Settings) -> int:
    async with await ThreadLibrary.open(settings.db_path, None) as lib:
        info = await lib.thread_info(args.thread_id)
        thread = await lib.thread(args.thread_id)
    if args.json:
        print_json({"thread_id": info.id, **thread.to_json()})
        return 0
    print(thread.title)
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


async def cmd_search(args, settings: Settings) -> int:
    async with await ThreadLibrary.open(settings.db_path, make_embedder(settings), long_running=False) as lib:
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


async def cmd_run(args, settings: Settings) -> int:
    # The bot is imported here only: the indexing package never imports discord at module level.
    from bot.__main__ import run_bot

    logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.INFO)
    return await run_bot(settings)


async def cmd_sync_commands(args, settings: Settings) -> int:
    from bot.__main__ import sync_commands

    names = await sync_commands(settings, args.guild)
    where = f"guild {args.guild}" if args.guild else "all guilds (global; may take up to an hour to appear)"
    print(f"synced {len(names)} commands to {where}: {', '.join(sorted(names))}")
    return 0


# ---- parser -------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="threadbot", description="Index news threads (article + reader comments) and search them.")
    parser.add_argument("--db", help="database file (default: threadbot.db, or $THREADBOT_DB, or the config)")
    parser.add_argument("--config", help="config file (default: ./config.toml or $THREADBOT_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", help="index thread files or folders (.txt, .json, .jsonl, .html, .md)",
                       description="Index thread files or folders. Re-indexing unchanged content changes nothing.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to index")
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
    p.add_argument("--k", type=int, default=5, help="number of results (default 5)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_search)

    add_answer_commands(sub)
    add_summary_commands(sub)

    p = sub.add_parser("run", help="run the Discord bot (token from DISCORD_TOKEN or [discord] token)",
                       description="Connect to Discord and serve the slash commands until interrupted. "
                                   "Run `threadbot sync-commands` once first so Discord knows the commands.")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("sync-commands", help="register the bot's slash commands with Discord",
                       description="Register the slash commands globally, or in one guild with --guild "
                                   "(instant there; global commands can take up to an hour to appear).")
    p.add_argument("--guild", type=int, metavar="ID", help="sync to this guild (server) id only")
    p.set_defaults(func=cmd_sync_commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(args.config, args.db)
        return asyncio.run(args.func(args, settings))
    except ThreadbotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (`| head`) went away: not an error worth a traceback. Point stdout at devnull so
        # the interpreter's final flush does not raise again (as the Python signal docs advise).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
