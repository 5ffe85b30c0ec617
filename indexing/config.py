"""Settings from `config.toml` (see config.example.toml), the environment, and command-line flags.

Precedence: flag > environment variable > config file > default.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

DEFAULT_CONFIG_FILE = "config.toml"


@dataclass
class Settings:
    db_path: str = "threadbot.db"
    model_path: str | None = None  # None: the bundled all-MiniLM-L6-v2
    embed_backend: str = "auto"  # "onnx" | "torch" | "auto" (onnx when installed)
    max_upload_bytes: int = 8 * 1024 * 1024
    raw: dict = field(default_factory=dict, repr=False)

    def section(self, name: str) -> dict:
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] in the config file must be a table")
        return value


def load_settings(config_path: str | None = None, db_path: str | None = None) -> Settings:
    path = config_path or os.environ.get("THREADBOT_CONFIG") or DEFAULT_CONFIG_FILE
    raw: dict = {}
    if Path(path).is_file():
        try:
            with open(path, "rb") as f:
                raw = tomllib.load(f)
        except (tomllib.TOMLDecodeError, OSError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    elif config_path:
        raise ConfigError(f"config file not found: {config_path}")
    index = raw.get("index", {})
    if not isinstance(index, dict):
        raise ConfigError("[index] in the config file must be a table")
    settings = Settings(raw=raw)
    settings.db_path = db_path or os.environ.get("THREADBOT_DB") or index.get("db_path") or settings.db_path
    settings.model_path = os.environ.get("THREADBOT_MODEL") or index.get("model_path") or None
    settings.embed_backend = os.environ.get("THREADBOT_BACKEND") or index.get("backend") or "auto"
    if settings.embed_backend not in ("auto", "onnx", "torch"):
        raise ConfigError('[index] backend must be "onnx", "torch" or "auto"')
    ann_min = index.get("ann_min_passages")
    if ann_min is not None:
        if not isinstance(ann_min, int) or ann_min < 1:
            raise ConfigError("[index] ann_min_passages must be a positive whole number")
        # The store reads it where it opens the index (bot, CLI, benchmarks alike); env still wins.
        os.environ.setdefault("THREADBOT_ANN_MIN_PASSAGES", str(ann_min))
    max_mb = index.get("max_upload_mb")
    if max_mb is not None:
        if not isinstance(max_mb, (int, float)) or max_mb <= 0:
            raise ConfigError("[index] max_upload_mb must be a positive number")
        settings.max_upload_bytes = int(max_mb * 1024 * 1024)
    return settings
