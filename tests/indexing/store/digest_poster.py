"""Child process for the digest-claim tests: a poster that posts digests through `post_digest`.

Run as `python -m tests.indexing.store.digest_poster DB SCOPE [--crash] THREAD_ID...`. Opens the
library, prints {"ready": true}, waits for a line on stdin (so two posters start together), then
posts each thread's digest twice over: every post "takes" 0.3 s (Discord's latency, so a second
poster that does not respect the claim would make and post the same digest meanwhile) and prints
{"posted": thread_id, "digest_id": id}; {"done": true} at the end. With --crash the process dies
in the middle of its first post, after winning the claim (exit code 3).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from indexing.library import ThreadLibrary
from indexing.summaries.digest import Digest, Posted, post_digest
from tests.fakes import FakeEmbedder

POST_SECONDS = 0.3


async def run(location: str, scope: str, crash: bool, thread_ids: list[str]) -> None:
    lib = await ThreadLibrary.open(location, FakeEmbedder())
    lib.extractor = None
    try:
        print(json.dumps({"ready": True}), flush=True)
        await asyncio.to_thread(sys.stdin.readline)

        async def send(digest: Digest) -> Posted:
            if crash:
                os._exit(3)
            await asyncio.sleep(POST_SECONDS)
            print(json.dumps({"posted": digest.thread_id, "digest_id": digest.digest_id}), flush=True)
            return Posted(channel_id="test", message_id=f"{os.getpid()}-{digest.digest_id}")

        for thread_id in thread_ids * 2:
            await post_digest(lib, thread_id, scope, send)
        print(json.dumps({"done": True}), flush=True)
    finally:
        await lib.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    crash = "--crash" in args
    args = [a for a in args if a != "--crash"]
    asyncio.run(run(args[0], args[1], crash, args[2:]))
