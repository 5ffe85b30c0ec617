"""The library's digest rows: the drafts, the posted digests and the claims that make posting one.

Several processes may make the same digest (two bot shards, a worker polling followed threads, the
command line): a poster posts a digest only after `claim` won it (one UPDATE in the store, so one
poster in all wins), then records where it went with `set_posted`, or gives it back with `release`
when the post failed. A claim lapses after its lease, so a poster that crashed mid-post blocks the
digest for that long, never for good.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime

from .store import DigestRow, NewDigest, ThreadStore

# Long enough for a post with its chart and discussion thread under Discord's rate limits; short
# enough that the digest of a poster that crashed goes out at the next check.
DIGEST_LEASE_SECONDS = 300.0


def claimant_id() -> str:
    """This process, told apart from every other one on any machine (a pid alone repeats)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DigestRecords:
    def __init__(self, store: ThreadStore, claimant: str | None = None):
        self._store = store
        self.claimant = claimant or claimant_id()

    async def last_posted(self, thread_id: str, scope: str) -> DigestRow | None:
        return await self._store.last_posted_digest(thread_id, scope)

    async def unposted(self, thread_id: str, scope: str, content_hash: str, after_id: int) -> DigestRow | None:
        return await self._store.unposted_digest(thread_id, scope, content_hash, after_id)

    async def get(self, digest_id: int) -> DigestRow | None:
        return await self._store.get_digest(digest_id)

    async def threads_posted_in(self, channel_id: int | str, scope: str) -> list[str]:
        """Threads whose digests went to this channel, newest first (the bot's default thread there)."""
        return await self._store.threads_posted_in(scope, str(channel_id))

    async def insert(self, digest: NewDigest) -> tuple[int, str]:
        return await self._store.insert_digest(digest)

    async def claim(self, digest_id: int, lease_seconds: float = DIGEST_LEASE_SECONDS,
                    now: datetime | None = None, baseline_id: int | None = None) -> bool:
        """Whether this process may post the digest now (see the module docstring). `baseline_id`:
        the posted digest it was made against (0: none), so a draft overtaken by a post is refused."""
        return await self._store.claim_digest(digest_id, self.claimant, lease_seconds, now or datetime.now(UTC),
                                              baseline_id)

    async def release(self, digest_id: int) -> None:
        await self._store.release_digest(digest_id, self.claimant)

    async def set_posted(self, digest_id: int, channel_id: str | None, message_id: str | None,
                         message_url: str | None) -> str:
        return await self._store.set_digest_posted(digest_id, channel_id, message_id, message_url)
