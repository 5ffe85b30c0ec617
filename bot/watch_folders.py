"""Which folders on the bot's host a server may have watched: only its own, inside `watch_root`."""

from __future__ import annotations

from pathlib import Path

from indexing.errors import ConfigError


def inside_watch_root(root: Path | None, folder: str) -> Path:
    """A guild may only watch a folder inside the operator's `watch_root`: server admins must not
    be able to make the bot read arbitrary paths on the host."""
    if root is None:
        raise ConfigError(
            "watched folders per server are off: the bot's operator has not set [discord] watch_root in the config file"
        )
    root = root.resolve()
    candidate = (root / folder).resolve()
    if candidate != root and root not in candidate.parents:
        raise ConfigError("the folder must be inside the bot's watch root")
    if not candidate.is_dir():
        raise ConfigError(f"no folder named {folder[:80]} in the watch root")
    return candidate
