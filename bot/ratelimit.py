"""Sliding-window rate limits: per user for the commands that cost CPU (questions and summaries),
and per member and per server for uploads (each one parses and embeds a whole file)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateLimited(Exception):
    """Raised by `RateLimiter.hit`; the bot turns it into a friendly ephemeral message."""

    def __init__(self, retry_after: float, message: str = "you can ask again in {seconds} s"):
        self.retry_after = retry_after
        self.message = message
        super().__init__(f"rate limited for {retry_after:.0f} s")

    def user_text(self) -> str:
        return "Easy there: " + self.message.format(seconds=max(1, round(self.retry_after)))


class RateLimiter:
    def __init__(self, count: int, seconds: float, clock: Callable[[], float] = time.monotonic,
                 message: str = "you can ask again in {seconds} s"):
        self.count = count
        self.seconds = seconds
        self.message = message  # what the user is told, `{seconds}` filled in
        self._clock = clock
        self._calls: dict[int, deque[float]] = {}

    def wait(self, key: int) -> float:
        """Seconds until `key` may go again (0: now), without counting a call."""
        now = self._clock()
        calls = self._calls.setdefault(key, deque())
        while calls and now - calls[0] >= self.seconds:
            calls.popleft()
        if not calls:
            del self._calls[key]  # keys that went quiet cost no memory
            return 0.0
        return self.seconds - (now - calls[0]) if len(calls) >= self.count else 0.0

    def record(self, key: int) -> None:
        self._calls.setdefault(key, deque()).append(self._clock())

    def hit(self, key: int) -> None:
        """Count one call by this key (a user, a member, a server), or raise RateLimited if its window is full."""
        hit_all((self, key))


def hit_all(*limits: tuple[RateLimiter, int]) -> None:
    """Count one call against every (limiter, key) pair, or none of them when one is full: a member
    refused by the server's limit has not spent their own."""
    for limiter, key in limits:
        wait = limiter.wait(key)
        if wait > 0:
            raise RateLimited(wait, limiter.message)
    for limiter, key in limits:
        limiter.record(key)
