"""`threadbot index URL` against a local server replaying a real capture (no test reaches the internet)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.indexing.sources.dev_formats import FORMATS

CAPTURE = "reddit-self-postit-note-1cebxh.json"


class Replay(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server name)
        Replay.requests.append(self.path)
        if self.path.startswith("/comments/1cebxh.json"):
            body = (FORMATS / CAPTURE).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    if not (FORMATS / CAPTURE).is_file():
        pytest.skip(f"the dev captures are absent ({FORMATS})")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Replay.requests = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


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
