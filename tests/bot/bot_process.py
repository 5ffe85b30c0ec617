"""Child process for the multi-process tests: the real `threadbot` CLI, pointed at a fake Discord.

Run as `python -m tests.bot.bot_process PORT ARGS...` (ARGS as for `threadbot`, e.g. `run
--shard-ids 0 --shard-count 2` or `worker`). Exactly what the in-process fixture does, in a
process of its own: the two class attributes that name Discord's addresses point at the fake on
127.0.0.1:PORT, and the embedder is the deterministic fake one (no model to load).
"""

from __future__ import annotations

import sys

import discord
import yarl

from indexing.cli import main
from tests.fakes import FakeEmbedder


def run(port: str, argv: list[str]) -> int:
    discord.http.Route.BASE = f"http://127.0.0.1:{port}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/gateway")
    return main(argv, make_embedder=lambda config: FakeEmbedder())


if __name__ == "__main__":
    sys.exit(run(sys.argv[1], sys.argv[2:]))
