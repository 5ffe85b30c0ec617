"""The [discord] config section: precedence, validation, and a token that never prints."""

from __future__ import annotations

import pytest

from bot.settings import load_bot_settings
from indexing.config import Settings
from indexing.errors import ConfigError


def settings(**section) -> Settings:
    return Settings(raw={"discord": section})


def test_defaults(monkeypatch):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    s = load_bot_settings(settings())
    assert s.token == "" and s.max_upload_bytes == 8 * 2**20 and s.rate_limit_count == 5
    assert s.watch_dir is None and s.watch_root is None
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        s.require_token()


def test_environment_token_wins_and_never_prints(monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "env-secret-token")
    s = load_bot_settings(settings(token="file-secret-token", max_upload_mb=2, rate_limit_count=3))
    assert s.require_token() == "env-secret-token"
    assert "secret" not in repr(s) and "secret" not in str(s)
    assert s.max_upload_bytes == 2 * 2**20 and s.rate_limit_count == 3


@pytest.mark.parametrize(
    "key, value",
    [
        ("max_upload_mb", 0),
        ("rate_limit_count", "five"),
        ("rate_limit_seconds", -1),
        ("watch_interval", True),
        ("watch_dir", 3),
        ("token", 12),
    ],
)
def test_bad_values_are_clear_errors(key, value, monkeypatch):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    with pytest.raises(ConfigError, match=key):
        load_bot_settings(settings(**{key: value}))
