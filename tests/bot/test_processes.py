"""Several bot processes on one database, through the fake Discord, all of them real processes:
two shard processes (shards 0 and 1 of 2) that only answer, and one worker that polls the
watched folders and followed threads and posts their digests over REST.

Guild A lives on shard 0 and guild B on shard 1 (Discord's rule, which the fake applies): each
guild's commands reach only its own shard's process. Each digest goes out exactly once, and
neither server ever sees the other's thread.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import REPO

from .fake_discord import ADMIN_PERMISSIONS, Channel, FakeDiscord, Guild, Interaction, snowflake_on_shard
from .limits import assert_no_pings, assert_within_limits
from .test_uploads import thread_json

TOKEN = "process-token-0123456789abcdef"
SECRET = "zanzibarian"


@pytest.fixture
def database(store_location) -> str:
    """Where every process's database lives, on each backend: a SQLite file, then a PostgreSQL database."""
    return store_location


class Processes:
    def __init__(self, fake: FakeDiscord, config: Path, database: str, logs: Path):
        self.fake, self.config, self.database, self.logs = fake, config, database, logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> None:
        env = dict(os.environ, PYTHONPATH=str(REPO), DISCORD_TOKEN=TOKEN)
        with open(self.logs / f"{name}.log", "w") as log:
            self.running[name] = subprocess.Popen(
                [sys.executable, "-m", "tests.bot.bot_process", str(self.fake.port), "--config", str(self.config),
                 "--db", self.database, *args], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    async def wait_until(self, predicate, what: str, timeout: float = 120) -> None:
        try:
            await self.fake.wait_until(lambda: predicate() or self._died(), timeout)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}\n{self.tails()}") from None
        assert not self._died(), f"a process exited while waiting for {what}\n{self.tails()}"

    def _died(self) -> bool:
        return any(p.poll() is not None for p in self.running.values())

    def tails(self) -> str:
        return "\n".join(f"--- {name} ---\n{self.log(name)[-3000:]}" for name in self.running)

    def stop(self) -> dict[str, int | None]:
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = {}
        for name, process in self.running.items():
            try:
                codes[name] = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = None
        return codes


@pytest.fixture
async def processes(tmp_path, database, thread_server, monkeypatch):
    fake = FakeDiscord()
    fake.valid_token = TOKEN
    fake.add_guild("Guild A", guild_id=snowflake_on_shard(0, 2))
    fake.add_guild("Guild B", guild_id=snowflake_on_shard(1, 2))
    await fake.start()
    (tmp_path / "servers").mkdir()
    config = tmp_path / "config.toml"
    config.write_text(f"""
[discord]
background = "worker"
watch_root = "{tmp_path / 'servers'}"
watch_interval = 0.3
follow_check_interval = 0.3
[fetch]
allow_private = ["127.0.0.1"]
follow_interval = 0.5
follow_threshold = 2
""")
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = Processes(fake, config, database, logs)
    try:
        yield procs
    finally:
        codes = procs.stop()
        await fake.stop()
    assert codes == dict.fromkeys(procs.running, 0), procs.tails()  # shards and worker stop cleanly on SIGTERM
    for name in procs.running:
        errors = [line for line in procs.log(name).splitlines() if line.startswith(("ERROR", "CRITICAL", "Traceback"))]
        assert not errors, f"{name} logged errors:\n{procs.tails()}"
        assert TOKEN not in procs.log(name)
    assert not fake.unserved, fake.unserved
    assert_no_pings(fake.sent_messages())
    assert_within_limits(fake.sent_messages())


async def command(procs: Processes, guild: Guild, name: str, options: dict | None = None, **kwargs) -> Interaction:
    """A slash command, answered by whichever process holds the guild's shard."""
    inter = await procs.fake.slash(guild, name, options, settle=False, **kwargs)

    def answered() -> bool:
        return bool(inter.messages()) and not (inter.deferred and not inter.followups)

    await procs.wait_until(answered, f"/{name} in {guild.name}")
    return inter


def digest_titles(fake: FakeDiscord, guild: Guild) -> Counter:
    return Counter(m["embeds"][0]["title"] for m in fake.messages_in(guild.channel("digests")) if m["embeds"])


async def test_two_shards_and_a_worker_post_each_digest_once_and_keep_servers_apart(processes, thread_server):
    procs, fake = processes, processes.fake
    a, b = fake.guilds.values()
    procs.start("shard-0", "run", "--shard-ids", "0", "--shard-count", "2")
    procs.start("shard-1", "run", "--shard-ids", "1", "--shard-count", "2")
    procs.start("worker", "worker")
    await procs.wait_until(lambda: len(fake.identifies) == 2, "both shards to identify")
    assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]  # the worker never connects
    await fake.barrier()  # both shards have read their READY and GUILD_CREATE

    for guild in (a, b):
        await command(procs, guild, "config digest-channel", {"channel": Channel("digests")},
                      permissions=ADMIN_PERMISSIONS)
    secret = thread_json("Zanzibarian ferry plans", [("Zed", "The Zanzibarian ferry is the best plan, said Zed."),
                                                     ("Yan", "Zanzibarian taxes will rise.")])
    upload_a = await command(procs, a, "upload", {"file": fake.attachment("ferry.json", secret)})
    upload_b = await command(procs, b, "upload", {"file": fake.attachment(
        "bridge.json", thread_json("Bridge vote", [("ann", "The bridge vote was close.")]))})
    assert "Indexed" in upload_a.text() and "Indexed" in upload_b.text()

    # Guild B's watched folder: the worker indexes the file and posts its digest in B.
    own = procs.config.parent / "servers" / b.id
    own.mkdir()
    await command(procs, b, "config watch-folder", {"folder": b.id}, permissions=ADMIN_PERMISSIONS)
    (own / "tolls.json").write_bytes(thread_json("Tunnel tolls", [("bo", "Tolls are too high.")]))
    # Guild A follows a thread; the worker's checks post the update once 2 new comments are in.
    await command(procs, a, "follow", {"url": thread_server.url, "threshold": 2})
    thread_server.grow(3)
    await procs.wait_until(lambda: digest_titles(fake, a)["Digest update: Harbour fees rise"] >= 1
                           and digest_titles(fake, b)["Digest: Tunnel tolls"] >= 1, "the worker's digests")
    fetched = thread_server.fetches
    await procs.wait_until(lambda: thread_server.fetches >= fetched + 2, "two more checks of the followed thread")

    assert digest_titles(fake, a) == Counter({"Digest: Zanzibarian ferry plans": 1, "Digest: Harbour fees rise": 1,
                                              "Digest update: Harbour fees rise": 1})
    assert digest_titles(fake, b) == Counter({"Digest: Bridge vote": 1, "Digest: Tunnel tolls": 1})
    assert "polling the watched folders" in procs.log("worker")
    # discord.py dispatches on_ready (the line saying a worker polls) once its guilds are settled,
    # which may come after the shard has already served commands: wait for it rather than race it.
    await procs.wait_until(lambda: all("a threadbot worker polls" in procs.log(shard)
                                       for shard in ("shard-0", "shard-1")), "both shards' ready lines")
    for shard in ("shard-0", "shard-1"):
        assert "a threadbot worker polls" in procs.log(shard) and "checked followed" not in procs.log(shard)

    # No leak: B's questions never see A's thread, and A still finds its own.
    seen = []
    for question in ("what about the Zanzibarian ferry?", "what did Zed say?"):
        seen += (await command(procs, b, "ask", {"question": question})).messages()
    seen += (await command(procs, b, "threads")).messages()
    leaked = [m for m in seen if SECRET in json.dumps(m).lower().replace("zanzibarian ferry?", "")]
    assert not leaked, leaked
    mine = await command(procs, a, "ask", {"question": "what did Zed say about the ferry?"})
    assert "Zanzibarian" in mine.text()
