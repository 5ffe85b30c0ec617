"""Fixtures shared by every test package: embedders, database paths, an open library."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from indexing.embed.sentence_transformer import SentenceTransformerEmbedder
from indexing.library import ThreadLibrary  # noqa: E402
from tests.fakes import FakeEmbedder


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    """Deterministic hashing embedder: fast, no model, shared words mean similar vectors."""
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """The bundled all-MiniLM-L6-v2, loaded once per test session (about 10 s on this machine)."""
    return SentenceTransformerEmbedder()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "threadbot.db"


@pytest.fixture
async def library(db_path, fake_embedder):
    """A ThreadLibrary on a fresh database file with the fake embedder."""
    lib = await ThreadLibrary.open(db_path, fake_embedder)
    yield lib
    await lib.close()


@pytest.fixture
def thread_server():
    """A thread served on 127.0.0.1 that grows when the test says so (tests/thread_server.py)."""
    from tests.thread_server import ThreadServer

    server = ThreadServer()
    yield server
    server.close()
