"""Fixtures shared by every test package: embedders, database paths, an open library."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
import warnings
from pathlib import Path

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


@pytest.fixture(scope="session")
def pg_server():
    """A private PostgreSQL 16 with pgvector (the pgserver wheel: nothing installed by hand), started
    on a Unix socket on the first test that needs it and stopped at the end of the session. A
    template database already migrated makes each test's fresh database a quick copy."""
    import pgserver

    from indexing.store.postgres import PostgresStore

    # Not under pytest's temporary folder: run as root, pgserver runs the server as its own user,
    # which must be able to reach the data folder (pytest's folders are private to their owner).
    folder = Path(tempfile.mkdtemp(prefix="threadbot-pg-"))
    folder.chmod(0o755)
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        server = pgserver.get_server(folder / "data", cleanup_mode="stop")
    try:
        server.psql("CREATE DATABASE threadbot_template;")

        async def migrate() -> None:
            await (await PostgresStore.open(pg_url_of(server, "threadbot_template"))).close()

        asyncio.run(migrate())
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def pg_url_of(server, database: str) -> str:
    socket_dir = server.get_uri().rpartition("host=")[2]
    return f"postgresql://postgres@/{database}?host={socket_dir}"


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh, migrated PostgreSQL database of its own for one test."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    pg_server.psql(f"CREATE DATABASE {name} TEMPLATE threadbot_template;")
    return pg_url_of(pg_server, name)


@pytest.fixture(params=["sqlite", "postgres"])
def store_location(request, tmp_path) -> str:
    """The store under test, on each backend in turn: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "threadbot.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
async def any_library(store_location, fake_embedder):
    """`library` on each backend in turn."""
    lib = await ThreadLibrary.open(store_location, fake_embedder)
    yield lib
    await lib.close()


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
