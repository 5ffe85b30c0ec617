"""Watched folders: a server reads only its own folder, and a failed pass loses no file."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence

import numpy as np
import pytest

from indexing.errors import EmbedderError
from tests.fakes import FakeEmbedder

from .fake_discord import ADMIN_PERMISSIONS


class FlakyEmbedder(FakeEmbedder):
    """The fake model, failing while `down` is set (a model server or disk gone for a moment)."""

    down = False

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if self.down:
            raise EmbedderError("the model is not reachable right now")
        return super().embed_batch(texts)


@pytest.fixture
def fake_embedder() -> FlakyEmbedder:
    return FlakyEmbedder()


def thread_file(title: str, text: str) -> bytes:
    return json.dumps({"title": title, "paragraphs": [text], "comments": []}).encode()


@pytest.fixture
def root(tmp_path, bot_env):
    """watch_root with guild A's and guild B's folders; B's holds a private file."""
    root = tmp_path / "servers"
    for guild in (bot_env.guild_a, bot_env.guild_b):
        (root / guild.id).mkdir(parents=True)
    (root / bot_env.guild_b.id / "private.json").write_bytes(thread_file("B private", "Guild B's secret plan."))
    bot_env.bot.config = dataclasses.replace(bot_env.bot.config, watch_root=root)
    return root


async def choose(env, folder: str):
    return await env.fake.slash(env.guild_a, "config watch-folder", {"folder": folder}, permissions=ADMIN_PERMISSIONS)


async def test_only_the_servers_own_folder_may_be_chosen(bot_env, root):
    a, b = bot_env.guild_a.id, bot_env.guild_b.id
    (root / a / "sub").mkdir()
    os.symlink(root / b, root / a / "to-b")  # a link inside A's folder to B's
    for escape in (".", "", "./", b, f"{a}/..", f"{a}/../{b}", f"{a}/to-b", str(root), str(root / b)):
        if not escape:
            continue  # empty means "stop watching"
        refused = await choose(bot_env, escape)
        assert "own folder" in refused.text(), escape
        assert (await bot_env.library.guild_settings(a)).watch_dir is None, escape
    for fine in (a, f"{a}/sub", str(root / a)):
        assert "Watching" in (await choose(bot_env, fine)).text(), fine


async def test_own_folder_that_is_a_link_to_another_servers_is_refused(bot_env, tmp_path):
    root = tmp_path / "servers"
    (root / bot_env.guild_b.id).mkdir(parents=True)
    os.symlink(root / bot_env.guild_b.id, root / bot_env.guild_a.id)
    bot_env.bot.config = dataclasses.replace(bot_env.bot.config, watch_root=root)
    assert "own folder" in (await choose(bot_env, bot_env.guild_a.id)).text()


async def test_scan_never_follows_a_link_out_of_the_folder(bot_env, root):
    a, b = bot_env.guild_a.id, bot_env.guild_b.id
    assert "Watching" in (await choose(bot_env, a)).text()
    os.symlink(root / b / "private.json", root / a / "stolen.json")
    os.symlink(root / b, root / a / "b-folder")
    (root / a / "mine.json").write_bytes(thread_file("A own", "Guild A's own thread."))
    await bot_env.bot.get_cog("Watch").scan()
    titles = [t.title for t in await bot_env.library.threads(scope=a)]
    assert titles == ["A own"]


async def test_a_transient_failure_loses_no_file(bot_env, root, fake_embedder):
    a = bot_env.guild_a.id
    assert "Watching" in (await choose(bot_env, a)).text()
    for n in range(3):
        (root / a / f"t{n}.json").write_bytes(thread_file(f"Thread {n}", f"Story number {n} about the river."))
    (root / a / "broken.json").write_bytes(b'{"title": "Broken", "paragraphs": [')
    watch = bot_env.bot.get_cog("Watch")
    fake_embedder.down = True
    assert await watch.scan() == 0
    assert await bot_env.library.threads(scope=a) == []
    fake_embedder.down = False
    assert await watch.scan() == 3  # every file of the failed pass, none lost
    assert sorted(t.title for t in await bot_env.library.threads(scope=a)) == ["Thread 0", "Thread 1", "Thread 2"]
    assert await watch.scan() == 0  # now seen: not indexed again
    # The broken file was refused for a reason of its own, said once, and not retried.
    refusals = [r for r in bot_env.logs.records if "broken.json" in r.getMessage() and "not indexed" in r.getMessage()]
    assert len(refusals) == 1
