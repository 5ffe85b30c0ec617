"""`python -m bot [--db PATH] [--config FILE]` is `threadbot [--db PATH] [--config FILE] run`."""

from __future__ import annotations

import sys

from indexing.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    return cli_main([*(argv if argv is not None else sys.argv[1:]), "run"])


if __name__ == "__main__":
    sys.exit(main())
