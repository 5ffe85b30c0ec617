"""Shared test helpers (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "examples" / "putin-trump-phone-call.txt"
EVAL = REPO.parent / "shared" / "eval"
SEED_GOLDEN = EVAL / "seed-golden.json"
DEV_THREADS = EVAL / "dev" / "threads-dev.jsonl"


def db_checksum(path: str | Path) -> str:
    """A digest of every row of every table, on either backend (see sqlite_checksum, pg_checksum)."""
    return pg_checksum(str(path)) if str(path).startswith("postgresql://") else sqlite_checksum(path)


def run_async(coro):
    """Run a coroutine to its end from sync code, even inside a running event loop (a thread of its own)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def pg_checksum(url: str) -> str:
    """A digest of every row of every table of a PostgreSQL database (sequences aside: they never roll back)."""
    import asyncpg

    async def digest() -> str:
        conn = await asyncpg.connect(url)
        try:
            tables = [r[0] for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
            parts = [f"{t}:" + str(await conn.fetchval(
                f'SELECT md5(COALESCE(string_agg(r::text, \'|\' ORDER BY r::text), \'\')) FROM "{t}" r'))
                for t in tables]
        finally:
            await conn.close()
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    return run_async(digest())


def sqlite_checksum(path: str | Path) -> str:
    """A digest of every row of every table (FTS shadow tables included), independent of page layout.

    Two databases with the same checksum hold the same content; WAL frames are read through
    SQLite, so uncheckpointed writes count too.
    """
    digest = hashlib.sha256()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            digest.update(f"\x00table {table}\x00".encode())
            try:
                rows = db.execute(f'SELECT * FROM "{table}"').fetchall()
            except sqlite3.OperationalError:  # virtual tables are covered by their shadow tables
                continue
            for row in sorted(rows, key=repr):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def table_rows(path: str | Path, sql: str, args: tuple = ()) -> list[tuple]:
    """The rows of a query (SQLite's `?` or PostgreSQL's `$1` placeholders, by backend)."""
    if str(path).startswith("postgresql://"):
        import asyncpg

        async def fetch() -> list[tuple]:
            conn = await asyncpg.connect(str(path))
            try:
                return [tuple(r) for r in await conn.fetch(sql, *args)]
            finally:
                await conn.close()

        return run_async(fetch())
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute(sql, args).fetchall()


@contextmanager
def small_tmpfs(mount: Path, size: str = "4m") -> Iterator[Path]:
    """A real tmpfs of `size` mounted on `mount` (as root; the test is skipped where it cannot be)."""
    mount.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


# ---- local HTTP servers (127.0.0.1 only) --------------------------------------------------------
class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the test output clean."""

    def log_message(self, *args) -> None:
        pass

    def send_body(self, body: bytes, status: int = 200, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    """A server for `handler` on a free port of 127.0.0.1, serving in a daemon thread, and its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def stop(httpd: ThreadingHTTPServer) -> None:
    httpd.shutdown()
    httpd.server_close()
