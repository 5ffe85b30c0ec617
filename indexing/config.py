"""The one configuration: `config.toml` (see config.example.toml), the environment and flags, read
once, here, into frozen dataclasses that are passed down. Nothing else reads the environment or the
config file, and nothing writes `os.environ`.

Precedence: flag > environment variable > config file > default. Every key the code reads is in
`KEYS` (and documented in config.example.toml: a test keeps the two equal); an unknown key is an
error, so a typo never silently does nothing.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from .errors import ConfigError

DEFAULT_CONFIG_FILE = "config.toml"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
EmbedBackend = Literal["auto", "onnx", "torch"]
Background = Literal["here", "worker"]

# Every key of every section, as config.example.toml documents them.
KEYS: dict[str, tuple[str, ...]] = {
    "index": ("db_path", "db_url", "pool_size", "hnsw_ef_search", "model_path", "backend", "ann_min_passages",
              "snapshot_min_passages", "cache_dir", "max_upload_mb"),
    "discord": ("token", "rate_limit_count", "rate_limit_seconds", "upload_limit_count", "server_upload_limit_count",
                "upload_limit_seconds", "watch_dir", "watch_root", "watch_interval", "threads_per_page",
                "follow_check_interval", "conversation_batch_seconds", "channel_summary_max_messages", "shard_ids",
                "shard_count", "background"),
    "llm": ("enabled", "base_url", "model", "api_key_env", "timeout", "max_tokens", "temperature"),
    "fetch": ("allow_private", "timeout", "max_redirects", "respect_robots", "reddit_base", "hn_algolia_base",
              "follow_interval", "follow_threshold"),
}
# Every environment variable read (besides the one named by [llm] api_key_env).
ENVIRONMENT: tuple[str, ...] = (
    "THREADBOT_CONFIG", "THREADBOT_DB", "THREADBOT_DB_URL", "THREADBOT_MODEL", "THREADBOT_BACKEND",
    "THREADBOT_ANN_MIN_PASSAGES", "THREADBOT_SNAPSHOT_MIN_PASSAGES", "THREADBOT_CACHE",
    "XDG_CACHE_HOME", "DISCORD_TOKEN",
)
TOKEN_ENV = "DISCORD_TOKEN"


@dataclass(frozen=True)
class IndexConfig:
    db_path: str = "threadbot.db"
    # A PostgreSQL database (postgresql://...) instead of the SQLite file; None: the file.
    db_url: str | None = field(default=None, repr=False)  # may carry a password
    pool_size: int = 5  # PostgreSQL connections per process
    hnsw_ef_search: int = 100  # PostgreSQL's HNSW search width: about 700 for recall@10 0.95 at 1M passages
    model_path: str | None = None  # None: the bundled all-MiniLM-L6-v2
    backend: EmbedBackend = "auto"  # onnx when installed
    # Dense search turns approximate (clustered) at this many passages.
    ann_min_passages: int = 50_000  # store.dense.DEFAULT_ANN_MIN_PASSAGES (measured there)
    # The dense index is saved beside the database from this many passages (below, the BLOBs load fast).
    snapshot_min_passages: int = 20_000
    cache_dir: Path = field(default_factory=lambda: default_cache_dir({}))  # the exported ONNX model
    max_upload_bytes: int = 8 * 1024 * 1024

    @property
    def location(self) -> str:
        """What the store opens: the PostgreSQL URL when one is set, else the SQLite file."""
        return self.db_url or self.db_path


@dataclass(frozen=True)
class DiscordConfig:
    token: str = field(default="", repr=False)  # a secret: never in a repr, a log or a traceback
    # At most `rate_limit_count` /ask, /summary and mention questions per user per `rate_limit_seconds`.
    rate_limit_count: int = 5
    rate_limit_seconds: float = 60.0
    # At most `upload_limit_count` uploads (/upload, the upload channel) per member, and
    # `server_upload_limit_count` per server, in any `upload_limit_seconds`: each parses and embeds a file.
    upload_limit_count: int = 5
    server_upload_limit_count: int = 20
    upload_limit_seconds: float = 300.0
    watch_dir: Path | None = None  # global watched folder: indexed for every guild the bot is in
    watch_root: Path | None = None  # `/config watch-folder` may only pick folders inside this one
    watch_interval: float = 30.0
    threads_per_page: int = 10
    follow_check_interval: float = 60.0  # seconds between two looks for followed threads that are due
    # Members' messages in discussion threads and listened channels are indexed in batches this far apart.
    conversation_batch_seconds: float = 2.0
    # /summary and /ask over a channel's history read at most this many messages (pages of 100).
    channel_summary_max_messages: int = 3000
    # Sharding: this process serves the shards `shard_ids` of `shard_count` in all (None: Discord's
    # single connection; a count alone: every shard in this process).
    shard_ids: tuple[int, ...] | None = None
    shard_count: int | None = None
    # Who polls the watched folders and followed threads: "here" (the bot process) or "worker"
    # (a separate `threadbot worker`; the bot processes then only answer).
    background: Background = "here"

    def require_token(self) -> str:
        if not self.token:
            raise ConfigError(f"no Discord bot token: set {TOKEN_ENV} or `token` under [discord] in the config file")
        return self.token


@dataclass(frozen=True)
class LlmConfig:
    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)  # read from the variable named by api_key_env
    timeout: float = 30.0
    max_tokens: int = 600
    temperature: float = 0.0


@dataclass(frozen=True)
class FetchConfig:
    """Fetching threads from a URL (`threadbot index URL`, `/upload url:`, and followed threads)."""

    # Hosts or networks that may be fetched although they are private, loopback or link-local
    # (by default none: no request forgery into the bot's own network).
    allow_private: tuple[str, ...] = ()
    timeout: float = 20.0
    max_redirects: int = 5
    respect_robots: bool = True
    # Where the sites' public JSON lives (tests point these at a local server).
    reddit_base: str = "https://www.reddit.com"
    hn_algolia_base: str = "https://hn.algolia.com/api/v1"
    # A followed thread is fetched again this many seconds after the last check; the wait doubles
    # (up to 6 hours) while no comments arrive, and starts again here when some do.
    follow_interval: float = 900.0
    follow_threshold: int = 5  # new comments since the last digest that make a digest update


@dataclass(frozen=True)
class Config:
    index: IndexConfig = field(default_factory=IndexConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    llm: LlmConfig | None = None  # None: everything is extractive
    fetch: FetchConfig = field(default_factory=FetchConfig)
    path: str | None = None  # the config file read, if any


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """$THREADBOT_CACHE, else $XDG_CACHE_HOME/threadbot, else ~/.cache/threadbot."""
    env = os.environ if environ is None else environ
    explicit = env.get("THREADBOT_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "threadbot"


def load_config(config_path: str | None = None, db_path: str | None = None,
                environ: Mapping[str, str] | None = None) -> Config:
    """The configuration from flags (`config_path`, `db_path`), the environment and the file."""
    env = os.environ if environ is None else environ
    path = config_path or env.get("THREADBOT_CONFIG") or DEFAULT_CONFIG_FILE
    raw: dict = {}
    if Path(path).is_file():
        try:
            with open(path, "rb") as f:
                raw = tomllib.load(f)
        except (tomllib.TOMLDecodeError, OSError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    elif config_path:
        raise ConfigError(f"config file not found: {config_path}")
    sections = {name: _section(raw, name) for name in KEYS}
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise ConfigError(f"unknown section [{unknown[0]}] in the config file; known: "
                          + ", ".join(f"[{s}]" for s in KEYS))
    return Config(index=_index(sections["index"], env, db_path), discord=_discord(sections["discord"], env),
                  llm=llm_config(sections["llm"], env), fetch=_fetch(sections["fetch"]), path=path if raw else None)


def _section(raw: dict, name: str) -> dict:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] in the config file must be a table")
    unknown = sorted(set(value) - set(KEYS[name]))
    if unknown:
        hint = " (it moved to [index] max_upload_mb)" if name == "discord" and unknown[0] == "max_upload_mb" else ""
        raise ConfigError(f"unknown key {unknown[0]!r} in [{name}]{hint}; known: {', '.join(KEYS[name])}")
    return value


def _positive(section: str, values: dict, key: str, default: float) -> float:
    value = values.get(key, default)
    # 1e400 reads as infinity, and no timeout or interval can be infinite (nor a NaN)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ConfigError(f"[{section}] {key} must be a positive number")
    return float(value)


def _between(section: str, values: dict, key: str, default: float, low: float, high: float) -> float:
    value = values.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(f"[{section}] {key} must be a number from {low:g} to {high:g}")
    return float(value)


def _text(section: str, values: dict, key: str) -> str | None:
    value = values.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(f"[{section}] {key} must be a non-empty string")
    return value.strip() if value else None


def _whole(section: str, values: dict, key: str, default: int, env_value: str | None = None) -> int:
    if env_value is not None and env_value.strip():
        if not env_value.strip().isdigit() or int(env_value) < 1:
            raise ConfigError(f"the environment's value for [{section}] {key} must be a positive whole number")
        return int(env_value)
    value = values.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"[{section}] {key} must be a positive whole number")
    return value


def _folder(values: dict, key: str) -> Path | None:
    value = values.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ConfigError(f"[discord] {key} must be a folder path")
    return Path(value).expanduser()


def _index(values: dict, env: Mapping[str, str], db_path: str | None) -> IndexConfig:
    defaults = IndexConfig()
    backend = env.get("THREADBOT_BACKEND") or values.get("backend") or "auto"
    if backend not in ("auto", "onnx", "torch"):
        raise ConfigError('[index] backend must be "onnx", "torch" or "auto"')
    cache = env.get("THREADBOT_CACHE") or values.get("cache_dir")
    return IndexConfig(
        db_path=str(db_path if db_path and not is_url(db_path) else None or env.get("THREADBOT_DB")
                    or values.get("db_path") or defaults.db_path),
        db_url=_db_url(values, env, db_path),
        pool_size=_whole("index", values, "pool_size", defaults.pool_size),
        hnsw_ef_search=_whole("index", values, "hnsw_ef_search", defaults.hnsw_ef_search),
        model_path=env.get("THREADBOT_MODEL") or values.get("model_path") or None,
        backend=cast(EmbedBackend, backend),  # checked against the three above
        ann_min_passages=_whole("index", values, "ann_min_passages", defaults.ann_min_passages,
                                env.get("THREADBOT_ANN_MIN_PASSAGES")),
        snapshot_min_passages=_whole("index", values, "snapshot_min_passages", defaults.snapshot_min_passages,
                                     env.get("THREADBOT_SNAPSHOT_MIN_PASSAGES")),
        cache_dir=Path(cache).expanduser() if cache else default_cache_dir(env),
        max_upload_bytes=int(_positive("index", values, "max_upload_mb", 8) * 1024 * 1024),
    )


def is_url(location: str | None) -> bool:
    return location is not None and str(location).startswith(POSTGRES_SCHEMES)


def _db_url(values: dict, env: Mapping[str, str], flag: str | None) -> str | None:
    """The PostgreSQL URL, if the store is PostgreSQL: flag > environment > file, where a SQLite file
    named at a higher level (`--db FILE`, THREADBOT_DB) wins over a URL at a lower one."""
    if flag:
        return flag if is_url(flag) else None
    url: object
    if env.get("THREADBOT_DB_URL"):
        url = env["THREADBOT_DB_URL"]
    elif env.get("THREADBOT_DB"):
        return None
    else:
        url = values.get("db_url") or None
    if url is None:
        return None
    if not isinstance(url, str) or not is_url(url):
        raise ConfigError('[index] db_url must be a PostgreSQL URL: "postgresql://user:password@host/database"')
    return url


def _discord(values: dict, env: Mapping[str, str]) -> DiscordConfig:
    token = env.get(TOKEN_ENV) or values.get("token") or ""
    if not isinstance(token, str):
        raise ConfigError("[discord] token must be a string")
    shard_ids, shard_count = shards(values.get("shard_ids"), values.get("shard_count"))
    return DiscordConfig(
        token=token.strip(),
        rate_limit_count=_whole("discord", values, "rate_limit_count", 5),
        rate_limit_seconds=_positive("discord", values, "rate_limit_seconds", 60.0),
        upload_limit_count=_whole("discord", values, "upload_limit_count", 5),
        server_upload_limit_count=_whole("discord", values, "server_upload_limit_count", 20),
        upload_limit_seconds=_positive("discord", values, "upload_limit_seconds", 300.0),
        watch_dir=_folder(values, "watch_dir"),
        watch_root=_folder(values, "watch_root"),
        watch_interval=_positive("discord", values, "watch_interval", 30.0),
        threads_per_page=min(25, _whole("discord", values, "threads_per_page", 10)),
        follow_check_interval=_positive("discord", values, "follow_check_interval", 60.0),
        conversation_batch_seconds=_between("discord", values, "conversation_batch_seconds", 2.0, 0.0, 3600.0),
        channel_summary_max_messages=min(10_000, _whole("discord", values, "channel_summary_max_messages", 3000)),
        shard_ids=shard_ids,
        shard_count=shard_count,
        background=_background(values),
    )


def shards(ids: object, count: object, where: str = "[discord]") -> tuple[tuple[int, ...] | None, int | None]:
    """Checked shard settings: ids need a count, and each id is one of 0 .. count - 1, once."""
    if count is None:
        if ids is not None:
            raise ConfigError(f"{where} shard_ids needs shard_count (the number of shards across all processes)")
        return None, None
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ConfigError(f"{where} shard_count must be a positive whole number")
    if ids is None:
        return None, count
    if (not isinstance(ids, (list, tuple)) or not ids
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)):
        raise ConfigError(f"{where} shard_ids must be a list of shard numbers, e.g. [0, 1]")
    wrong = [i for i in ids if not 0 <= i < count]
    if wrong:
        raise ConfigError(f"{where} shard id {wrong[0]} is out of range: shards are numbered 0 to {count - 1}")
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{where} shard_ids names a shard twice")
    return tuple(sorted(ids)), count


def shard_list(text: str) -> list[int]:
    """`--shard-ids 0,1` as a list (checked by `shards` with the count)."""
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise ConfigError(f"--shard-ids takes shard numbers separated by commas, e.g. 0,1 (not {text[:40]!r})"
                          ) from None


def _background(values: dict) -> Background:
    value = values.get("background", "here")
    if value not in ("here", "worker"):
        raise ConfigError('[discord] background must be "here" (this bot polls) or "worker" (a threadbot worker does)')
    return cast(Background, value)


def llm_config(values: dict, env: Mapping[str, str]) -> LlmConfig | None:
    """`[llm]` (the API key read from the variable its `api_key_env` names); None when the section
    is absent or `enabled = false`. Every value is checked here, so a wrong type is one line at start-up."""
    enabled = values.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError("[llm] enabled must be true or false")
    if not values or not enabled:
        return None
    base_url, model = _text("llm", values, "base_url"), _text("llm", values, "model")
    if not base_url or not model:
        raise ConfigError("[llm] needs base_url and model (or enabled = false)")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError("[llm] base_url must be an http(s) URL")
    key_env = _text("llm", values, "api_key_env")
    max_tokens = values.get("max_tokens", 600)
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or not 1 <= max_tokens <= 100_000:
        raise ConfigError("[llm] max_tokens must be a whole number from 1 to 100000")
    return LlmConfig(base_url=base_url.rstrip("/"), model=model,
                     api_key=env.get(key_env) if key_env else None,
                     timeout=_between("llm", values, "timeout", 30.0, 0.1, 3600),
                     max_tokens=max_tokens,
                     temperature=_between("llm", values, "temperature", 0.0, 0.0, 2.0))


def _fetch(values: dict) -> FetchConfig:
    defaults = FetchConfig()
    allowed = values.get("allow_private", [])
    if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
        raise ConfigError('[fetch] allow_private must be a list of host names or networks, e.g. ["10.0.0.0/8"]')
    robots = values.get("respect_robots", True)
    if not isinstance(robots, bool):
        raise ConfigError("[fetch] respect_robots must be true or false")
    bases = {}
    for key in ("reddit_base", "hn_algolia_base"):
        value = values.get(key, getattr(defaults, key))
        if not isinstance(value, str) or not value.startswith(("http://", "https://")):
            raise ConfigError(f"[fetch] {key} must be an http(s) URL")
        bases[key] = value.rstrip("/")
    return FetchConfig(allow_private=tuple(allowed), timeout=_positive("fetch", values, "timeout", defaults.timeout),
                       max_redirects=_whole("fetch", values, "max_redirects", defaults.max_redirects),
                       respect_robots=robots,
                       follow_interval=_positive("fetch", values, "follow_interval", defaults.follow_interval),
                       follow_threshold=_whole("fetch", values, "follow_threshold", defaults.follow_threshold), **bases)
