"""Output helpers shared by the CLI's command modules."""

from __future__ import annotations

import json
import sys


def print_json(value, indent: int | None = 1) -> None:
    """JSON on stdout, UTF-8 as is; `indent=None` gives one line (JSON Lines)."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=indent)
    sys.stdout.write("\n")
