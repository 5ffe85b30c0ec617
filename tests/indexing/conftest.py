"""Fixtures shared by the CLI tests."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from indexing import cli
from indexing.following import utc_now


@pytest.fixture
def run(monkeypatch, capsys, tmp_path, fake_embedder):
    """Run `threadbot ARGS` in-process against a real database file, with the fake embedder."""
    monkeypatch.chdir(tmp_path)
    for var in ("THREADBOT_DB", "THREADBOT_CONFIG", "THREADBOT_MODEL"):
        monkeypatch.delenv(var, raising=False)

    def run_cli(*args: str, stdin: str | None = None, now: datetime | None = None) -> tuple[int, str, str]:
        """`now`: the time the command believes it is (the default: the real time)."""
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        clock = utc_now if now is None else (lambda: now)
        code = cli.main(["--db", str(tmp_path / "cli.db"), *args], make_embedder=lambda config: fake_embedder,
                        clock=clock)
        out, err = capsys.readouterr()
        return code, out, err

    return run_cli
