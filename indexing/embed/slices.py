"""Many texts (a thread being indexed) embedded in slices, each taking the model lock on its own, so
that a question asked meanwhile gets its query embedded between two slices instead of after the
whole thread.

A slice ends on one worker while the other waits for it (the last batch of a slice), a core idle each
time. An embedder whose calls may overlap (`Embedder.overlapping_calls`) has the next slice queued on
its workers before the current one is waited for: its batches start as workers free up. Each slice is
still one `embed` call of the same texts, so its batches, and the vectors, are the same.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import numpy as np

from .base import Embedder


async def embed_in_slices(model: Embedder, texts: list[str], lock: asyncio.Lock, slice_size: int, batch_size: int,
                          progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """The vectors of `texts` in their order; `progress(done, total)` as batches finish."""
    if not texts:
        return np.zeros((0, model.dim), dtype=np.float32)
    done = 0
    counting = threading.Lock()  # overlapping slices report from two threads

    def tick(n: int) -> None:
        nonlocal done
        with counting:
            done += n
            if progress:
                progress(done, len(texts))

    pieces = [texts[start:start + slice_size] for start in range(0, len(texts), slice_size)]
    if not model.overlapping_calls:
        parts = []
        for piece in pieces:
            async with lock:
                parts.append(await asyncio.to_thread(model.embed, piece, batch_size, tick))
        return np.concatenate(parts)
    return np.concatenate(await _overlapped(model, pieces, lock, batch_size, tick))


async def _overlapped(model: Embedder, pieces: list[list[str]], lock: asyncio.Lock, batch_size: int,
                      tick: Callable[[int], None]) -> list[np.ndarray]:
    parts: list[np.ndarray] = []
    running: asyncio.Future[np.ndarray] | None = None
    try:
        for piece in pieces:
            async with lock:  # the next slice is queued behind the running one, which is then waited for
                previous, running = running, asyncio.ensure_future(asyncio.to_thread(model.embed, piece,
                                                                                     batch_size, tick))
                if previous is not None:
                    parts.append(await previous)
        assert running is not None  # there is at least one piece
        async with lock:
            parts.append(await running)
        running = None
        return parts
    finally:
        # A slice failed or the caller was cancelled: the queued slice runs on (a worker thread cannot be
        # stopped); its outcome is not wanted, and is retrieved so that it is not reported as lost.
        if running is not None:
            running.add_done_callback(_discard)


def _discard(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()
