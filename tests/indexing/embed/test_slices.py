"""Indexing embeds in slices: overlapping ones for an embedder that allows it, one at a time otherwise,
the vectors in the texts' order either way, and the model lock free between slices."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from indexing.embed.slices import embed_in_slices
from tests.fakes import FakeEmbedder

TEXTS = [f"text number {i} about the bridge" for i in range(10)]


class RecordingEmbedder(FakeEmbedder):
    """Records how many calls ran at once; with `wait_for_next`, a call (but the last) returns only once
    the next one has started, or after two seconds without it (`saw_next` says which)."""

    def __init__(self, overlapping: bool, wait_for_next: bool = False):
        super().__init__()
        self.overlapping_calls = overlapping
        self.wait_for_next = wait_for_next
        self.started: list[threading.Event] = []
        self.saw_next: list[bool] = []
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()
        self._new_call = threading.Condition(self._lock)

    def embed(self, texts, batch_size=16, progress=None):
        with self._lock:
            self.started.append(threading.Event())
            me = len(self.started) - 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self._new_call.notify_all()
        try:
            out = super().embed(texts, batch_size, progress)
            if self.wait_for_next and len(texts) == 3:  # a full slice: another follows
                with self._lock:
                    self.saw_next.append(self._new_call.wait_for(lambda: len(self.started) > me + 1, 2))
            return out
        finally:
            with self._lock:
                self.running -= 1


async def test_overlapping_slices_queue_the_next_before_the_current_ends():
    model = RecordingEmbedder(overlapping=True, wait_for_next=True)
    seen: list[tuple[int, int]] = []
    vectors = await asyncio.wait_for(embed_in_slices(model, TEXTS, asyncio.Lock(), 3, 8,
                                                     lambda done, total: seen.append((done, total))), 10)
    assert model.saw_next == [True, True, True] and model.most_at_once == 2
    np.testing.assert_array_equal(vectors, np.concatenate([FakeEmbedder().embed(TEXTS[i:i + 3], 8)
                                                           for i in range(0, len(TEXTS), 3)]))
    assert seen[-1] == (len(TEXTS), len(TEXTS)) and [d for d, _ in seen] == sorted(d for d, _ in seen)


async def test_slices_of_an_embedder_without_overlap_run_one_at_a_time():
    model = RecordingEmbedder(overlapping=False)
    vectors = await embed_in_slices(model, TEXTS, asyncio.Lock(), 3, 8)
    assert model.most_at_once == 1 and len(model.started) == 4
    np.testing.assert_array_equal(vectors, FakeEmbedder().embed(TEXTS, 8))


@pytest.mark.parametrize("overlapping", [True, False])
async def test_the_model_lock_is_free_between_slices(overlapping):
    """A question asked while a thread is indexed gets the model before the last slice is done."""
    lock = asyncio.Lock()
    model = RecordingEmbedder(overlapping)
    indexing = asyncio.create_task(embed_in_slices(model, TEXTS * 20, lock, 3, 8))
    while not model.started:
        await asyncio.sleep(0.001)
    async with lock:
        slices_started = len(model.started)
    await indexing
    assert slices_started < len(model.started)


async def test_no_texts_no_call():
    model = RecordingEmbedder(overlapping=True)
    assert (await embed_in_slices(model, [], asyncio.Lock(), 3, 8)).shape == (0, model.dim)
    assert not model.started
