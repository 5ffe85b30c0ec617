"""The torch backend: any sentence-transformers model directory, loaded offline on the CPU."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import cast

import numpy as np

from ..errors import EmbedderError
from .base import Embedder, default_model_path


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model directory, loaded offline on the CPU (`local_files_only`:
    a model directory on disk, never a hub)."""

    def __init__(self, model_path: str | None = None, model_id: str | None = None):
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
        self.dim = int(cast(int, dimension()))  # typed int | None; a loaded model has a size
        self.max_tokens = int(self._model.max_seq_length or 256)
        self.model_id = model_id or ("all-MiniLM-L6-v2" if model_path is None
                                     else os.path.basename(os.path.normpath(path)))

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.encode(list(texts), batch_size=len(texts), convert_to_numpy=True,
                                  normalize_embeddings=True, show_progress_bar=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        encoded = self._model.tokenizer(list(texts), add_special_tokens=True, truncation=False)
        return [len(ids) for ids in encoded["input_ids"]]
