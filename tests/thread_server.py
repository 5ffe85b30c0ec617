"""A local site on 127.0.0.1 serving one thread in threadbot's JSON at /thread.json, for the
following tests: the thread can grow between requests (new comments) or the site can fail. No
test reaches the internet; robots.txt is a 404 (everything allowed)."""

from __future__ import annotations

import json

from tests.helpers import QuietHandler, serve, stop

OPINIONS = [
    "Fees are too high for small fishing boats.",
    "The harbour needs the money for its old piers.",
    "Ferries will pass the fees on to passengers.",
    "The council should have asked the fishermen first.",
    "Tourists with yachts can easily pay more.",
    "Small boats keep the harbour alive in winter.",
    "The piers are falling apart, so fees must rise.",
    "Why not charge the cruise ships instead of boats?",
    "I moved my boat to the next town last year.",
    "Fishing families have paid these fees for decades.",
]


class ThreadServer:
    def __init__(self, title: str = "Harbour fees rise", comments: int = 2):
        self.title = title
        self.comments: list[tuple[str, str]] = []
        self.status = 200  # set to 500 to make every request fail
        self.requests: list[str] = []
        self.grow(comments)
        server = self

        class Handler(QuietHandler):
            def do_GET(self):  # noqa: N802 (the http.server name)
                server.requests.append(self.path)
                if self.path != "/thread.json":
                    self.send_error(404)
                    return
                if server.status != 200:
                    self.send_error(server.status)
                    return
                self.send_body(server.body())

        self.httpd, self.base = serve(Handler)

    @property
    def url(self) -> str:
        return f"{self.base}/thread.json"

    def grow(self, n: int) -> None:
        """`n` new comments, each by a new author with its own text."""
        for _ in range(n):
            i = len(self.comments)
            self.comments.append((f"reader{i}", f"{OPINIONS[i % len(OPINIONS)]} (comment {i})"))

    def body(self) -> bytes:
        return json.dumps({
            "title": self.title,
            "url": "https://example.org/harbour-fees-rise",
            "paragraphs": ["The council voted to raise the harbour fees by a third.",
                           "The harbour master said the money would repair the piers."],
            "comments": [{"id": f"c{i}", "author": a, "text": t} for i, (a, t) in enumerate(self.comments)],
        }).encode()

    @property
    def fetches(self) -> int:
        return self.requests.count("/thread.json")

    def close(self) -> None:
        stop(self.httpd)
