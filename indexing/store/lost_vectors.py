"""Passages whose vector was lost with the saved dense index (its only home once the rows have moved
into it: snapshot.py) get it back from their text, embedded again by the library's model."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

import aiosqlite
import numpy as np

from .thread_rows import vector_to_blob
from .transactions import chunked, marks

log = logging.getLogger(__name__)

# Embeds passage texts again (the library's model, in its worker thread).
Reembed = Callable[[list[str]], Awaitable[np.ndarray]]
# (the write lock or a no-op when the caller holds it, one write transaction on the writer)
Transaction = Callable[[], tuple[AbstractAsyncContextManager, AbstractAsyncContextManager[aiosqlite.Connection]]]
CHUNK = 2_000


async def embed_again(reader: aiosqlite.Connection, transaction: Transaction, lost: list[int],
                      reembed: Reembed | None) -> bool:
    """Embed the text of the `lost` passages again and store the vectors as rows (the next save
    moves them into the copy); True when rows were written, and the caller reloads the index.
    Without a model they stay reported and out of dense search."""
    if not lost:
        return False
    if reembed is None:
        log.error("%d passages have no vector (their saved index is gone) and are left out of dense search "
                  "until the database is opened with the model, which embeds their text again", len(lost))
        return False
    log.warning("embedding the text of %d passages again: their vectors were only in the saved index, "
                "which is gone", len(lost))
    written = False
    for chunk in chunked(list(lost), CHUNK):
        rows = await reader.execute_fetchall(
            f"SELECT content_hash, text FROM passages WHERE id IN ({marks(chunk)})", chunk)
        texts = {row[0]: row[1] for row in rows}
        if not texts:  # deleted meanwhile
            continue
        vectors = await reembed(list(texts.values()))
        lock, atomic = transaction()
        async with lock, atomic as db:
            await db.executemany("INSERT OR IGNORE INTO embeddings (content_hash, vector) VALUES (?, ?)",
                                 [(h, vector_to_blob(v)) for h, v in zip(texts, vectors, strict=True)])
        written = True
    return written
