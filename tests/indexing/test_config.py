"""The one configuration: precedence, validation, documentation, and a token that never prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexing.config import ENVIRONMENT, KEYS, load_config
from indexing.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config.example.toml"


def config_file(tmp_path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return str(path)


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(environ={})
    assert config.index.db_path == "threadbot.db" and config.index.max_upload_bytes == 8 * 2**20
    assert config.discord.token == "" and config.discord.rate_limit_count == 5
    assert config.discord.watch_dir is None and config.discord.watch_root is None and config.llm is None
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        config.discord.require_token()


def test_flag_beats_environment_beats_file(tmp_path):
    path = config_file(tmp_path, '[index]\ndb_path = "file.db"\nann_min_passages = 50\n')
    assert load_config(path, environ={}).index.db_path == "file.db"
    assert load_config(path, environ={"THREADBOT_DB": "env.db"}).index.db_path == "env.db"
    assert load_config(path, "flag.db", environ={"THREADBOT_DB": "env.db"}).index.db_path == "flag.db"
    assert load_config(path, environ={}).index.ann_min_passages == 50
    assert load_config(path, environ={"THREADBOT_ANN_MIN_PASSAGES": "7"}).index.ann_min_passages == 7


def test_a_postgresql_url_by_flag_environment_or_file_and_a_file_named_higher_wins(tmp_path):
    url = "postgresql://bot:pw@db.example.com/threadbot"
    path = config_file(tmp_path, f'[index]\ndb_path = "file.db"\ndb_url = "{url}"\npool_size = 8\n')
    config = load_config(path, environ={}).index
    assert (config.location, config.pool_size) == (url, 8) and "pw" not in repr(config)
    assert load_config(path, environ={"THREADBOT_DB": "env.db"}).index.location == "env.db"
    assert load_config(path, "flag.db", environ={}).index.location == "flag.db"
    env_url = "postgresql://other@/x"
    assert load_config(path, environ={"THREADBOT_DB_URL": env_url}).index.location == env_url
    assert load_config(None, "postgresql://flag@/y", environ={"THREADBOT_DB": "env.db"}).index.location == \
        "postgresql://flag@/y"
    assert load_config(config_file(tmp_path, ""), environ={}).index.location == "threadbot.db"
    with pytest.raises(ConfigError, match="db_url must be a PostgreSQL URL"):
        load_config(config_file(tmp_path, '[index]\ndb_url = "mysql://x"\n'), environ={})


def test_environment_token_wins_and_never_prints(tmp_path):
    path = config_file(tmp_path, '[discord]\ntoken = "file-secret-token"\nrate_limit_count = 3\n'
                                 '[index]\nmax_upload_mb = 2\n')
    config = load_config(path, environ={"DISCORD_TOKEN": "env-secret-token"})
    assert config.discord.require_token() == "env-secret-token"
    assert "secret" not in repr(config) and "secret" not in str(config)
    assert config.index.max_upload_bytes == 2 * 2**20 and config.discord.rate_limit_count == 3


@pytest.mark.parametrize("section, key, value", [
    ("index", "max_upload_mb", "0"), ("discord", "rate_limit_count", '"five"'),
    ("discord", "rate_limit_seconds", "-1"), ("discord", "watch_interval", "true"), ("discord", "watch_dir", "3"),
    ("discord", "token", "12"), ("index", "backend", '"gpu"'), ("index", "ann_min_passages", "0"),
    ("discord", "upload_limit_count", "0"), ("discord", "server_upload_limit_count", '"many"'),
    ("discord", "upload_limit_seconds", "inf"), ("discord", "watch_interval", "1e400"),
])
def test_bad_values_are_clear_errors(tmp_path, section, key, value):
    path = config_file(tmp_path, f"[{section}]\n{key} = {value}\n")
    with pytest.raises(ConfigError, match=key):
        load_config(path, environ={})


def test_unknown_and_moved_keys_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="unknown key 'db_pth'"):
        load_config(config_file(tmp_path, '[index]\ndb_pth = "x.db"\n'), environ={})
    with pytest.raises(ConfigError, match=r"moved to \[index\] max_upload_mb"):
        load_config(config_file(tmp_path, "[discord]\nmax_upload_mb = 4\n"), environ={})
    with pytest.raises(ConfigError, match=r"unknown section \[indx\]"):
        load_config(config_file(tmp_path, "[indx]\n"), environ={})


def documented_keys() -> dict[str, set[str]]:
    """Keys of config.example.toml per section, commented-out ones (`# key = value`) included."""
    found: dict[str, set[str]] = {}
    section = None
    for line in EXAMPLE.read_text().splitlines():
        if m := re.match(r"^\[(\w+)\]", line):
            section = m.group(1)
            found[section] = set()
        elif section and (m := re.match(r"^#?\s?([a-z_]+) = ", line)):
            found[section].add(m.group(1))
    return found


def test_example_config_documents_every_key_the_code_reads_and_no_other():
    assert documented_keys() == {section: set(keys) for section, keys in KEYS.items()}


def test_example_config_names_every_environment_variable():
    text = EXAMPLE.read_text()
    missing = [name for name in ENVIRONMENT if name not in text]
    assert not missing, f"config.example.toml does not mention {missing}"


def test_example_config_loads(tmp_path):
    config = load_config(str(EXAMPLE), environ={})
    assert config.index.max_upload_bytes == 8 * 2**20 and config.llm is None


LLM = '[llm]\nbase_url = "http://127.0.0.1:1/v1"\nmodel = "m"\n'


@pytest.mark.parametrize("key, value", [
    ("max_tokens", '"lots"'), ("max_tokens", "0"), ("max_tokens", "1.5"), ("max_tokens", "true"),
    ("timeout", "1e400"), ("timeout", "nan"), ("timeout", '"30"'), ("timeout", "0"),
    ("temperature", '"warm"'), ("temperature", "-1"), ("temperature", "inf"),
    ("enabled", '"yes"'), ("api_key_env", "3"),
])
def test_wrong_llm_values_are_one_clear_line(tmp_path, key, value):
    with pytest.raises(ConfigError, match=rf"\[llm\] {key} must") as info:
        load_config(config_file(tmp_path, LLM + f"{key} = {value}\n"), environ={})
    assert "\n" not in str(info.value)


def test_wrong_llm_url_and_model_types(tmp_path):
    with pytest.raises(ConfigError, match="base_url must"):
        load_config(config_file(tmp_path, '[llm]\nbase_url = 3\nmodel = "m"\n'), environ={})
    with pytest.raises(ConfigError, match="http"):
        load_config(config_file(tmp_path, '[llm]\nbase_url = "ftp://x"\nmodel = "m"\n'), environ={})
    config = load_config(config_file(tmp_path, LLM + "max_tokens = 50\ntimeout = 2.5\n"), environ={})
    assert config.llm is not None and (config.llm.max_tokens, config.llm.timeout) == (50, 2.5)


def test_upload_limits_have_defaults(tmp_path):
    config = load_config(config_file(tmp_path, "[discord]\nupload_limit_count = 2\n"), environ={})
    assert (config.discord.upload_limit_count, config.discord.server_upload_limit_count,
            config.discord.upload_limit_seconds) == (2, 20, 300.0)
