"""`threadbot index URL` against a local server replaying a real capture (no test reaches the internet)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import QuietHandler, serve, stop
from tests.indexing.sources.dev_formats import FORMATS

CAPTURE = "reddit-self-postit-note-1cebxh.json"


class Replay(QuietHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server name)
        Replay.requests.append(self.path)
        if self.path.startswith("/comments/1cebxh.json"):
            self.send_body((FORMATS / CAPTURE).read_bytes())
            return
        self.send_error(404)


@pytest.fixture
def server():
    if not (FORMATS / CAPTURE).is_file():
        pytest.skip(f"the dev captures are absent ({FORMATS})")
    httpd, base = serve(Replay)
    Replay.requests = []
    yield base
    stop(httpd)


def test_index_a_reddit_url_through_its_json(run, tmp_path, server):
    (tmp_path / "config.toml").write_text(f'[fetch]\nallow_private = ["127.0.0.1"]\nreddit_base = "{server}"\n')
    code, out, err = run("index", "https://www.reddit.com/r/self/comments/1cebxh/my_wife/", "--json")
    assert code == 0, err
    [result] = json.loads(out)
    assert result["format"] == "reddit" and result["comments"] == 194
    assert result["skipped"] == {"more stubs": 125, "removed comments": 5}
    assert any(path.startswith("/comments/1cebxh.json") for path in Replay.requests)


def test_a_private_address_is_refused_unless_allowed(run, server):
    code, out, err = run("index", f"{server}/comments/1cebxh.json")
    assert code == 1 and out == ""
    assert "private address" in err and "[fetch] allow_private" in err
    assert Replay.requests == []  # refused before any connection
