"""The bot's commands for the `threadbot` CLI, registered through the `threadbot.cli` entry point
(see pyproject.toml), so the library's CLI never imports the bot."""

from __future__ import annotations

import argparse
import logging

from indexing.cli import Context


async def cmd_run(args: argparse.Namespace, context: Context) -> int:
    from bot.runner import run_bot  # discord.py loads only for the bot's own commands

    logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.INFO)
    return await run_bot(context.config, context.make_embedder)


async def cmd_sync_commands(args: argparse.Namespace, context: Context) -> int:
    from bot.runner import sync_commands

    names = await sync_commands(context.config, args.guild)
    where = f"guild {args.guild}" if args.guild else "all guilds (global; may take up to an hour to appear)"
    print(f"synced {len(names)} commands to {where}: {', '.join(sorted(names))}")
    return 0


def register_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the Discord bot (token from DISCORD_TOKEN or [discord] token)",
                       description="Connect to Discord and serve the slash commands until interrupted. "
                                   "Run `threadbot sync-commands` once first so Discord knows the commands.")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("sync-commands", help="register the bot's slash commands with Discord",
                       description="Register the slash commands globally, or in one guild with --guild "
                                   "(instant there; global commands can take up to an hour to appear).")
    p.add_argument("--guild", type=int, metavar="ID", help="sync to this guild (server) id only")
    p.set_defaults(func=cmd_sync_commands)
