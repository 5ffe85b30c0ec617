"""Parsing hostile files: every importer step must be linear in the file's size.

Deep reply chains (each comment replying to the one before), a loop of reply links closing that
chain, and one id on every comment, at 10,000 and 100,000 comments: a linear parser takes about ten
times longer for ten times the comments (a quadratic one a hundred times: the 100,000-deep chain
once took 817 s). Run: python bench/parse_hostile.py
"""

from __future__ import annotations

import json
import time

from common import REPO  # noqa: F401  (puts the repository on sys.path)

from indexing.errors import ParseError
from indexing.sources import parse_bytes


def threadbot_chain(n: int, loop: bool) -> tuple[bytes, str]:
    comments = [{"id": f"c{i}", "text": f"reply {i}", "parent": f"c{i - 1}" if i else (f"c{n - 1}" if loop else None)}
                for i in range(n)]
    return json.dumps({"title": "Deep", "paragraphs": ["p"], "comments": comments}).encode(), "deep.json"


def hn_api_chain(n: int, loop: bool) -> tuple[bytes, str]:
    items = [{"id": 1, "type": "story", "title": "Deep", "by": "x", "time": 1700000000}]
    items += [{"id": i + 2, "type": "comment", "by": "x", "time": 1700000000,
               "parent": i + 1 if i else (n + 1 if loop else 1), "text": f"reply {i}"} for i in range(n)]
    return json.dumps(items).encode(), "hn.json"


def html_same_id(n: int, loop: bool) -> tuple[bytes, str]:
    rows = "".join(f'<li class="comment" id="comment-7"><div class="comment-content">Reply {i}.</div></li>'
                   for i in range(n))
    return f"<html><body><article><h1>Deep</h1><p>Text.</p></article><ol class='commentlist'>{rows}</ol>" \
           f"</body></html>".encode(), "same-id.html"


def main() -> None:
    cases = [("threadbot JSON chain", threadbot_chain, False), ("threadbot JSON chain closed in a loop",
             threadbot_chain, True), ("HN API chain", hn_api_chain, False), ("HN API loop", hn_api_chain, True),
             ("HTML, one id on every comment", html_same_id, False)]
    print(f"{'case':40} {'comments':>9} {'MB':>6} {'seconds':>8}")
    for name, make, loop in cases:
        for n in (10_000, 100_000):
            data, file_name = make(n, loop)
            start = time.perf_counter()
            try:
                threads = parse_bytes(data, file_name, max_bytes=64 * 2**20)
                kept = sum(len(t.comments) for t in threads)
            except ParseError as exc:
                kept = -1
                print("   refused:", exc)
            print(f"{name:40} {n:>9} {len(data) / 1e6:>6.1f} {time.perf_counter() - start:>8.2f}  kept {kept}")


if __name__ == "__main__":
    main()
