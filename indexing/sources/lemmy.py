"""Lemmy post JSON with its comments, as saved from the v3 API.

The shape is `{"post_view": PostView, "comments": [CommentView, ...]}`: `post_view` as
`GET /api/v3/post?id=ID` returns it (beside `community_view`, `moderators`, `cross_posts`), and
`comments` the list `GET /api/v3/comment/list?post_id=ID` returns (also accepted still wrapped as
that response, `{"comments": [...]}`). A PostView holds `post` (`id`, `name` the title, `body`
markdown, `url` a link post's target, `ap_id` the post's canonical address, `published`,
`deleted`, `removed`), `creator` (`name`), `community` (`name`, `actor_id`) and `counts` (`score`);
a CommentView holds `comment` (`id`, `content` markdown, `path`, `published`, `deleted`, `removed`,
`post_id`), `creator` (`name`) and `counts` (`score`).

A comment's `path` is its ancestry, "0.PARENT.ID": the second-to-last element is the parent
comment's id, and "0" means it answers the post. Deleted and removed comments (their content is
blanked) are skipped and counted, as are empty, repeated and malformed entries and comments of
another post; a reply to a comment that is left out has no parent. Markdown stays markdown, but
Lemmy 0.18 stored `&` as `&amp;` (and `<`, `>` likewise) in titles, bodies and comments, so the
text is `html.unescape`d, as for Reddit. `Thread.url` is the post's `ap_id`; a link post's target
goes in `Thread.source` (else the community, "host/c/name"). Times without a zone (Lemmy before 0.19
wrote UTC without one) are given one.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from urllib.parse import urlsplit

from ..errors import ParseError
from ..records import Comment, Thread
from .reply_links import drop_broken_links
from .values import no_surrogates, number

FORMAT = "lemmy"


def detect(data: object) -> bool:
    """An object whose `post_view` holds a `post` object (and `comments`, if any, a list)."""
    if not isinstance(data, dict):
        return False
    view = data.get("post_view")
    return (isinstance(view, dict) and isinstance(view.get("post"), dict)
            and isinstance(data.get("comments", []), (list, dict)))


def parse(data: object, source: str) -> list[Thread]:
    try:
        return [_parse(data, source)]
    except RecursionError as exc:  # nothing here recurses, but the contract holds whatever happens
        raise ParseError(source, "the Lemmy JSON is nested too deeply") from exc


def _parse(data: object, source: str) -> Thread:
    if not isinstance(data, dict):
        raise ParseError(source, 'a Lemmy post file must be a JSON object with "post_view" and "comments"')
    view = data.get("post_view")
    post = view.get("post") if isinstance(view, dict) else None
    if not isinstance(post, dict):
        raise ParseError(source, 'no "post_view.post" object: not a Lemmy post')
    title = _text(post.get("name"))
    if not title:
        raise ParseError(source, "the Lemmy post has no title (post.name)")
    skipped: dict[str, int] = {}
    paragraphs = _blocks(_text(post.get("body")))
    if paragraphs and (post.get("deleted") is True or post.get("removed") is True):
        paragraphs = []
        skipped["removed post text"] = 1
    comments = _comments(_comment_views(data.get("comments"), source), _id(post.get("id")), skipped)
    link = _text(post.get("url"))
    return Thread(
        title=title,
        paragraphs=tuple(paragraphs),
        comments=tuple(comments),
        url=_web(post.get("ap_id")),
        published=_time(post.get("published")),
        source=_web(link) or _community(view.get("community") if isinstance(view, dict) else None),
        source_file=source,
        format=FORMAT,
        skipped=skipped,
        author=_person(view.get("creator")) if isinstance(view, dict) else None,
        score=_score(view.get("counts") if isinstance(view, dict) else None),
    )


def _score(counts: object) -> float | None:
    return number(counts.get("score")) if isinstance(counts, dict) else None


def _comment_views(raw: object, source: str) -> list:
    if raw is None:
        return []
    if isinstance(raw, dict):  # the whole /comment/list response
        raw = raw.get("comments", [])
    if not isinstance(raw, list):
        raise ParseError(source, '"comments" must be a list of Lemmy CommentView objects')
    return raw


def _comments(views: list, post_id: str | None, skipped: dict[str, int]) -> list[Comment]:
    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    out: list[Comment] = []
    seen: set[str] = set()
    for view in views:
        comment = view.get("comment") if isinstance(view, dict) else None
        if not isinstance(comment, dict):
            skip("malformed comments")
            continue
        ancestry = _path(comment.get("path"))
        cid = _id(comment.get("id")) or (ancestry[-1] if ancestry else None)
        if cid is None:
            skip("malformed comments")
        elif cid in seen:
            skip("duplicate comments")
        elif post_id is not None and _id(comment.get("post_id")) not in (None, post_id):
            skip("comments of other posts")
        elif comment.get("removed") is True:
            skip("removed comments")
        elif comment.get("deleted") is True:
            skip("deleted comments")
        elif not _text(comment.get("content")):
            skip("empty comments")
        else:
            seen.add(cid)
            parent = ancestry[-2] if len(ancestry) >= 2 and ancestry[-1] == cid else None
            counts = view.get("counts")
            out.append(Comment(id=cid, author=_person(view.get("creator")), text=_text(comment.get("content")),
                               parent=None if parent in (None, "0") else parent,
                               posted=_time(comment.get("published")),
                               score=_score(counts)))
    return drop_broken_links(out)


def _path(value: object) -> list[str]:
    """The ids of a comment's path "0.12.34" (empty when it is not one)."""
    if not isinstance(value, str):
        return []
    parts = value.strip().split(".")
    return parts if all(p.isascii() and p.isdigit() for p in parts) else []


def _blocks(text: str) -> list[str]:
    """Markdown paragraphs: the runs of lines between blank lines, kept as markdown."""
    lines = "\n".join(line.rstrip() for line in text.split("\n"))
    return [block.strip() for block in lines.split("\n\n") if block.strip()]


def _person(value: object) -> str | None:
    return _text(value.get("name")) or None if isinstance(value, dict) else None


def _community(value: object) -> str | None:
    if not isinstance(value, dict):
        return None
    name = _text(value.get("name"))
    host = None
    try:
        host = urlsplit(_text(value.get("actor_id"))).hostname
    except ValueError:
        pass
    if name:
        return f"{host}/c/{name}" if host else f"c/{name}"
    return host


def _time(value: object) -> str | None:
    """ISO 8601 text with a zone (UTC when Lemmy wrote none), or None."""
    text = _text(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _web(value: object) -> str | None:
    text = _text(value)
    return text if text.startswith(("https://", "http://")) else None


def _id(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    text = _text(value)
    return text or None


def _text(value: object) -> str:
    """A string field, entity-decoded and stripped ("" when absent or not a string)."""
    if not isinstance(value, str):
        return ""
    return no_surrogates(html.unescape(value)).strip()
