"""Child process: `threadbot ARGS` with the fake embedder, for tests that need a real process (does
it exit? what does it print on stderr?). Run as `python -m tests.indexing.store.cli_runner ARGS...`."""

from __future__ import annotations

import sys

from indexing import cli
from tests.fakes import FakeEmbedder

if __name__ == "__main__":
    raise SystemExit(cli.main(sys.argv[1:], make_embedder=lambda config: FakeEmbedder()))
