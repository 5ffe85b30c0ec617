"""Which folders on the bot's host a server may have watched: only its own, inside `watch_root`.

A server's own folder is `watch_root/<server id>` (the operator creates it); `/config watch-folder`
may pick it or a folder inside it, and nothing else: not the root itself (which holds every server's
folder), not a sibling, and not a path that gets out through `..` or a symbolic link, since the
check is made on the fully resolved path. The scan of a folder is confined the same way
(`indexing.sources.scan_paths(confine=True)` skips links that point out of it).
"""

from __future__ import annotations

from pathlib import Path

from indexing.errors import ConfigError


def own_folder(root: Path | None, guild_id: int, folder: str) -> Path:
    """The resolved folder `folder` (relative to `watch_root`, or absolute) if it is the guild's own
    folder or inside it; else ConfigError. Symbolic links are resolved before the check, and the
    own folder itself must not be a link (`watch_root/<id>` pointing at another server's folder)."""
    if root is None:
        raise ConfigError(
            "watched folders per server are off: the bot's operator has not set [discord] watch_root in the config file"
        )
    root = root.resolve()
    own = root / str(guild_id)
    candidate = (root / folder).resolve()
    if candidate != own and own not in candidate.parents:
        raise ConfigError(
            f"the folder must be this server's own folder inside the bot's watch root: `{guild_id}` "
            f"or a folder inside it"
        )
    if not candidate.is_dir():
        raise ConfigError(f"no folder named {folder[:80]} in the watch root (the bot's operator creates "
                          f"`{guild_id}` there)")
    return candidate
