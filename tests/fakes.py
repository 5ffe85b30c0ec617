"""Test doubles that stand in for heavy parts in unit tests (integration tests use the real ones)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from indexing.embed.base import Embedder


class FakeEmbedder(Embedder):
    """Deterministic bag-of-words hashing embedder for unit tests: shared words mean similar vectors."""

    def __init__(self, dim: int = 64, model_id: str = "fake-hashing-64"):
        self.dim = dim
        self.model_id = model_id

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                digest = hashlib.md5(word.encode()).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dim] += 1.0 if digest[4] % 2 else -1.0
            if not out[row].any():
                out[row, 0] = 1.0
        return out
