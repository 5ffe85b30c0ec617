"""Per-user sliding-window rate limit for the commands that cost CPU (questions and summaries)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateLimited(Exception):
    """Raised by `RateLimiter.hit`; the bot turns it into a friendly ephemeral message."""

    def __init__(self, retry_after: float):
        self.retry_after = retry_after
        super().__init__(f"rate limited for {retry_after:.0f} s")


class RateLimiter:
    def __init__(self, count: int, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.count = count
        self.seconds = seconds
        self._clock = clock
        self._calls: dict[int, deque[float]] = {}

    def hit(self, user_id: int) -> None:
        """Count one call by this user, or raise RateLimited if the window is full."""
        now = self._clock()
        calls = self._calls.setdefault(user_id, deque())
        while calls and now - calls[0] >= self.seconds:
            calls.popleft()
        if len(calls) >= self.count:
            raise RateLimited(self.seconds - (now - calls[0]))
        calls.append(now)
