"""The bot's commands for the `threadbot` CLI, registered through the `threadbot.cli` entry point
(see pyproject.toml), so the library's CLI never imports the bot."""

from __future__ import annotations

import argparse
import dataclasses
import logging

from indexing.cli import Context
from indexing.config import Config, shard_list, shards


async def cmd_run(args: argparse.Namespace, context: Context) -> int:
    from bot.runner import run_bot  # discord.py loads only for the bot's own commands

    logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.INFO)
    return await run_bot(with_shards(context.config, args.shard_ids, args.shard_count), context.make_embedder)


def with_shards(config: Config, ids: str | None, count: int | None) -> Config:
    """The config with `--shard-ids` and `--shard-count` (each overrides its [discord] key), checked."""
    if ids is None and count is None:
        return config
    shard_ids, shard_count = shards(shard_list(ids) if ids is not None else config.discord.shard_ids,
                                    count if count is not None else config.discord.shard_count, "threadbot run:")
    return dataclasses.replace(config, discord=dataclasses.replace(config.discord, shard_ids=shard_ids,
                                                                   shard_count=shard_count))


async def cmd_worker(args: argparse.Namespace, context: Context) -> int:
    from bot.runner import run_worker

    logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.INFO)
    return await run_worker(context.config, context.make_embedder)


async def cmd_sync_commands(args: argparse.Namespace, context: Context) -> int:
    from bot.runner import sync_commands

    names = await sync_commands(context.config, args.guild)
    where = f"guild {args.guild}" if args.guild else "all guilds (global; may take up to an hour to appear)"
    print(f"synced {len(names)} commands to {where}: {', '.join(sorted(names))}")
    return 0


def register_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the Discord bot (token from DISCORD_TOKEN or [discord] token)",
                       description="Connect to Discord and serve the slash commands until interrupted. "
                                   "Run `threadbot sync-commands` once first so Discord knows the commands. "
                                   "Several processes share the servers by shards: `--shard-ids 0,1 "
                                   "--shard-count 4` here, `--shard-ids 2,3 --shard-count 4` in another.")
    p.add_argument("--shard-ids", metavar="IDS",
                   help="this process's shards, comma-separated, 0 to count-1 (default: [discord] shard_ids)")
    p.add_argument("--shard-count", type=int, metavar="N",
                   help="the number of shards across all processes (default: [discord] shard_count)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("worker", help="poll watched folders and followed threads for every server, no gateway",
                       description="Scan the watched folders and check the followed threads of every server, and "
                                   "post their digests over Discord's REST API, without a gateway connection. "
                                   'Set [discord] background = "worker" so that the `threadbot run` processes only '
                                   "answer; run one worker per database. Stops on Ctrl-C or SIGTERM.")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("sync-commands", help="register the bot's slash commands with Discord",
                       description="Register the slash commands globally, or in one guild with --guild "
                                   "(instant there; global commands can take up to an hour to appear).")
    p.add_argument("--guild", type=int, metavar="ID", help="sync to this guild (server) id only")
    p.set_defaults(func=cmd_sync_commands)
