"""The `[discord]` section of config.toml (see config.example.toml), with the token from the environment.

The token is a secret: it lives in `DISCORD_TOKEN` (preferred) or the config file, is never logged,
and `BotSettings.__repr__` leaves it out so it cannot leak through a debug print or a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from indexing.config import Settings
from indexing.errors import ConfigError

TOKEN_ENV = "DISCORD_TOKEN"


@dataclass(frozen=True)
class BotSettings:
    token: str = field(default="", repr=False)
    max_upload_bytes: int = 8 * 1024 * 1024
    # At most `rate_limit_count` /ask, /summary and mention questions per user per `rate_limit_seconds`.
    rate_limit_count: int = 5
    rate_limit_seconds: float = 60.0
    watch_dir: Path | None = None  # global watched folder: indexed for every guild the bot is in
    watch_root: Path | None = None  # `/config watch-folder` may only pick folders inside this one
    watch_interval: float = 30.0
    threads_per_page: int = 10

    def require_token(self) -> str:
        if not self.token:
            raise ConfigError(f"no Discord bot token: set {TOKEN_ENV} or `token` under [discord] in the config file")
        return self.token


def _positive(section: dict, key: str, default: float, kind=float) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"[discord] {key} must be a positive number")
    return kind(value)


def _folder(section: dict, key: str) -> Path | None:
    value = section.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ConfigError(f"[discord] {key} must be a folder path")
    return Path(value).expanduser()


def load_bot_settings(settings: Settings) -> BotSettings:
    section = settings.section("discord")
    token = os.environ.get(TOKEN_ENV) or section.get("token") or ""
    if not isinstance(token, str):
        raise ConfigError("[discord] token must be a string")
    max_mb = section.get("max_upload_mb")
    max_bytes = settings.max_upload_bytes if max_mb is None else int(_positive(section, "max_upload_mb", 8) * 2**20)
    return BotSettings(
        token=token.strip(),
        max_upload_bytes=max_bytes,
        rate_limit_count=int(_positive(section, "rate_limit_count", 5, int)),
        rate_limit_seconds=_positive(section, "rate_limit_seconds", 60.0),
        watch_dir=_folder(section, "watch_dir"),
        watch_root=_folder(section, "watch_root"),
        watch_interval=_positive(section, "watch_interval", 30.0),
        threads_per_page=min(25, int(_positive(section, "threads_per_page", 10, int))),
    )


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
