"""The `threadbot` command line: a thin adapter that parses arguments, calls the library, prints.

Nothing in the library imports this package. Other packages add commands through the entry-point
group `threadbot.cli` (the bot adds `run` and `sync-commands`): each entry point is a function
`register_commands(subparsers)` that adds sub-commands whose `func(args, context)` returns an exit
code, as simonw/llm plugins add commands with a hook.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime

from ..config import load_config
from ..errors import ThreadbotError
from ..following import utc_now
from .answers import add_answer_commands
from .context import Context, EmbedderFactory, default_embedder
from .follows import add_follow_commands
from .render import terminal_safe_output
from .stores import add_store_commands
from .summaries import add_summary_commands
from .threads import add_thread_commands

log = logging.getLogger(__name__)

PLUGIN_GROUP = "threadbot.cli"


VALUE_OPTIONS = ("--db", "--config")  # the top-level options that take a value


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole CLI. Given the arguments about to be parsed, the plugins' commands (the bot's) are
    loaded only if those arguments do not name a built-in command: scanning the installed packages'
    entry points took about 25 ms of each `threadbot ask`."""
    parser = argparse.ArgumentParser(
        prog="threadbot", description="Index news threads (article + reader comments) and search them.")
    parser.add_argument("--db", help="database file or postgresql:// URL (default: threadbot.db, or $THREADBOT_DB, "
                                     "$THREADBOT_DB_URL, or the config)")
    parser.add_argument("--config", help="config file (default: ./config.toml or $THREADBOT_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_thread_commands(sub)
    add_answer_commands(sub)
    add_summary_commands(sub)
    add_follow_commands(sub)
    add_store_commands(sub)
    if argv is None or _named_command(argv) not in sub.choices:
        from importlib.metadata import entry_points

        for plugin in entry_points(group=PLUGIN_GROUP):
            plugin.load()(sub)
    return parser


def _named_command(argv: Sequence[str]) -> str | None:
    """The command word of `argv`, or None when unsure (help asked, an abbreviated option, no command):
    then every command is loaded and argparse decides."""
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help"):
            return None
        if word == "--":
            return next(words, None)
        if word in VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word
        elif not (word in ("-v", "--verbose") or word.split("=", 1)[0] in VALUE_OPTIONS):
            return None
    return None


def main(argv: list[str] | None = None, make_embedder: EmbedderFactory = default_embedder,
         clock: Callable[[], datetime] = utc_now) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        with terminal_safe_output():
            return _run(args, make_embedder, clock)
    except BrokenPipeError:
        # The reader (`| head`) went away: not an error worth a traceback. Point stdout at devnull so
        # the interpreter's final flush does not raise again (as the Python signal docs advise).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace, make_embedder: EmbedderFactory, clock: Callable[[], datetime]) -> int:
    try:
        context = Context(load_config(args.config, args.db), make_embedder, clock)
        return asyncio.run(args.func(args, context))
    except ThreadbotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


__all__ = ["Context", "build_parser", "main"]
