"""Reddit comments-page JSON: `[Listing of the t3 post, Listing of t1 comments]`.

The shape `https://www.reddit.com/comments/ID.json` serves (and `/r/SUB/comments/ID/slug.json`, or a
single comment's permalink page). Bodies are Reddit markdown and stay markdown; without `raw_json=1`
Reddit entity-escapes them (`&gt;`, `&amp;`, `&lt;`), so titles, self text, bodies and URLs are
`html.unescape`d (harmless on `raw_json=1` text). Comments nest through `replies` (a Listing, or ""
when there are none); `kind == "more"` stubs (the "load more comments" links) hold no text and are
skipped and counted, as are comments whose body is a "[deleted]"/"[removed]" placeholder. A comment by
a deleted account with a real body is kept, with author None. `parent_id` "t1_ID" names the parent
comment; "t3_ID" (the post) means a top-level comment.

`Thread.url` is the post's permalink on www.reddit.com; a link post's target URL goes in
`Thread.source` (a self post's `source` is "reddit.com/r/SUB"). The post's author and score are
`Thread.author` and `Thread.score`.
"""

from __future__ import annotations

import html

from ..errors import ParseError
from ..records import Comment, Thread
from .values import no_surrogates, number, unix_time

FORMAT = "reddit"
SITE = "https://www.reddit.com"
_PLACEHOLDER_BODIES = frozenset({"[deleted]", "[removed]", "[ removed by reddit ]", "[removed by reddit]"})


def detect(data: object) -> bool:
    """A JSON list whose first item is a Listing holding a t3 (post) thing."""
    if not isinstance(data, list) or not data or len(data) > 4:
        return False
    first = data[0]
    if not isinstance(first, dict) or first.get("kind") != "Listing":
        return False
    children = _listing_children(first)
    return children is not None and bool(children) and isinstance(children[0], dict) and children[0].get("kind") == "t3"


def parse(data: object, source: str) -> list[Thread]:
    try:
        return [_parse(data, source)]
    except RecursionError as exc:  # nothing here recurses, but be sure the contract holds
        raise ParseError(source, "the JSON is nested too deeply") from exc


def _parse(data: object, source: str) -> Thread:
    if not isinstance(data, list) or not data:
        raise ParseError(source, "a Reddit comments page is a JSON list of two Listings (the post, then its comments)")
    post_things = _listing_children(data[0])
    if post_things is None:
        raise ParseError(source, "the first item is not a Reddit Listing (an object with data.children)")
    post = next((t["data"] for t in post_things
                 if isinstance(t, dict) and t.get("kind") == "t3" and isinstance(t.get("data"), dict)), None)
    if post is None:
        raise ParseError(source, "the first Listing holds no post (a thing of kind t3)")
    skipped: dict[str, int] = {}
    paragraphs = _post_paragraphs(post, skipped)
    title = _text(post.get("title"))
    if not title:
        raise ParseError(source, "the post has no title")
    comments: list[Comment] = []
    if len(data) > 1:
        comment_things = _listing_children(data[1])
        if comment_things is None:
            raise ParseError(source, "the second item is not a Reddit Listing of comments")
        comments = _comments(comment_things, skipped)
    permalink = _permalink(post)
    target = _link_target(post, permalink)
    subreddit = _text(post.get("subreddit"))
    site = f"reddit.com/r/{subreddit}" if subreddit else "reddit.com"
    return Thread(
        title=title,
        paragraphs=tuple(paragraphs),
        comments=tuple(comments),
        url=permalink,
        published=unix_time(post.get("created_utc")),
        source=target or site,
        source_file=source,
        format=FORMAT,
        skipped={k: v for k, v in skipped.items() if v},
        author=_author(post.get("author")),
        score=number(post.get("score")),
    )


def _listing_children(listing: object) -> list | None:
    """`listing["data"]["children"]` when `listing` is a Listing-shaped object, else None."""
    if not isinstance(listing, dict):
        return None
    body = listing.get("data")
    if not isinstance(body, dict):
        return None
    children = body.get("children")
    return children if isinstance(children, list) else None


def _post_paragraphs(post: dict, skipped: dict[str, int]) -> list[str]:
    selftext = _text(post.get("selftext"))
    if selftext.lower() in _PLACEHOLDER_BODIES:
        skipped["removed post text"] = 1
        return []
    return _split_paragraphs(selftext)


def _split_paragraphs(text: str) -> list[str]:
    """Markdown paragraphs: runs of lines separated by blank lines, each kept as markdown."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            paragraphs.append("\n".join(current).strip())
            current = []
    if current:
        paragraphs.append("\n".join(current).strip())
    return [p for p in paragraphs if p]


def _comments(things: list, skipped: dict[str, int]) -> list[Comment]:
    """Walk the comment tree depth-first in page order (iteratively: threads can nest deeply)."""
    out: list[Comment] = []
    kept: set[str] = set()
    # (thing, id of the comment it is nested under or None)
    stack: list[tuple[object, str | None]] = [(t, None) for t in reversed(things)]
    position = 0
    while stack:
        thing, nest_parent = stack.pop()
        position += 1
        if not isinstance(thing, dict) or not isinstance(thing.get("data"), dict):
            skipped["malformed entries"] = skipped.get("malformed entries", 0) + 1
            continue
        kind, data = thing.get("kind"), thing["data"]
        if kind == "more":
            skipped["more stubs"] = skipped.get("more stubs", 0) + 1
            continue
        if kind != "t1":
            skipped["malformed entries"] = skipped.get("malformed entries", 0) + 1
            continue
        cid = _comment_id(data, position)
        replies = _listing_children(data.get("replies"))
        if replies:
            stack.extend((r, cid) for r in reversed(replies))
        body = _text(data.get("body"))
        if body.lower() in _PLACEHOLDER_BODIES:
            skipped["removed comments"] = skipped.get("removed comments", 0) + 1
            continue
        if not body:
            skipped["empty comments"] = skipped.get("empty comments", 0) + 1
            continue
        if cid in kept:  # ids must be unique within the thread; a repeated id keeps the comment under a new one
            cid = f"{cid}#{position}"
        kept.add(cid)
        out.append(Comment(id=cid, author=_author(data.get("author")), text=body,
                           parent=_parent(data.get("parent_id"), nest_parent),
                           posted=unix_time(data.get("created_utc")), score=number(data.get("score"))))
    # A parent that was skipped (removed, or never in the file) is not a comment of this thread.
    return [c if c.parent is None or c.parent in kept and c.parent != c.id
            else Comment(c.id, c.author, c.text, None, c.posted, c.score) for c in out]


def _comment_id(data: dict, position: int) -> str:
    cid = data.get("id")
    if isinstance(cid, str) and cid.strip():
        return cid.strip()
    name = data.get("name")
    if isinstance(name, str) and name.startswith("t1_") and name[3:].strip():
        return name[3:].strip()
    return f"c{position}"


def _parent(parent_id: object, nest_parent: str | None) -> str | None:
    """The parent comment's id: from `parent_id` ("t1_ID"; "t3_..." is the post), else the nesting."""
    if isinstance(parent_id, str):
        if parent_id.startswith("t1_") and parent_id[3:].strip():
            return parent_id[3:].strip()
        if parent_id.startswith("t3_"):
            return None
    return nest_parent


def _permalink(post: dict) -> str | None:
    link = _text(post.get("permalink"))
    if link.startswith("/"):
        return SITE + link
    if link.startswith(("https://", "http://")):
        return link
    pid = _text(post.get("id"))
    return f"{SITE}/comments/{pid}/" if pid else None


def _link_target(post: dict, permalink: str | None) -> str | None:
    """A link post's target URL (None for a self post, whose `url` is its own permalink)."""
    if post.get("is_self") is True:
        return None
    url = _text(post.get("url_overridden_by_dest")) or _text(post.get("url"))
    if not url:
        return None
    if url.startswith("/"):
        url = SITE + url
    if permalink and url.rstrip("/") == permalink.rstrip("/"):
        return None
    return url


def _author(value: object) -> str | None:
    name = _text(value)
    return None if not name or name == "[deleted]" else name


def _text(value: object) -> str:
    """A string field, entity-decoded and stripped ("" when absent or not a string)."""
    if not isinstance(value, str):
        return ""
    return no_surrogates(html.unescape(value)).strip()
