"""The embed wing: text to L2-normalised vectors.

Owns the `Embedder` interface (base.py), its two backends (int8 ONNX through onnxruntime, and
sentence-transformers on torch), the one-off ONNX export (export.py, run in a subprocess so a
serving process never imports torch), and the factory below that picks a backend from the config.
Imports only `errors` and `config`; nothing above it.
"""

from __future__ import annotations

from pathlib import Path

from ..config import EmbedBackend
from ..errors import EmbedderError
from .base import Embedder, default_model_path, normalise

BACKENDS: tuple[EmbedBackend, ...] = ("auto", "onnx", "torch")

__all__ = ["BACKENDS", "EmbedBackend", "Embedder", "default_model_path", "load_embedder", "normalise"]


def load_embedder(model_path: str | None = None, backend: str = "auto", cache_dir: Path | None = None) -> Embedder:
    """The configured embedder. "auto" is ONNX when onnxruntime and tokenizers are installed (about
    2x faster, and no torch import: a CLI query starts in well under a second), else torch.
    `cache_dir` holds the exported ONNX model (the config's `[index] cache_dir`).

    Both backends record the same model id: their vectors agree to cosine >= 0.99, so a database
    built with one is searched with the other without re-embedding.
    """
    if backend not in BACKENDS:
        raise EmbedderError(f"unknown embedding backend {backend!r}; use one of {', '.join(BACKENDS)}")
    if backend != "torch":
        from .onnx_runtime import OnnxEmbedder, onnx_available

        if backend == "onnx" or onnx_available():
            return OnnxEmbedder(model_path, cache_dir=cache_dir)
    from .sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model_path)
