"""Mastodon conversations as people save them: a status's context, with or without the status.

Accepted shapes (every status a Mastodon `Status` entity):

* `{"ancestors": [...], "descendants": [...]}`, the response of `GET /api/v1/statuses/:id/context`
  (optionally with the status itself beside them as `"status"`);
* `{"status": {...}, "context": {"ancestors": [...], "descendants": [...]}}`, the status and its context;
* a JSON list of statuses, or one status (`GET /api/v1/statuses/:id`).

A status has `id`, `created_at` (ISO 8601), `content` (HTML), `account` (`acct`, `username`,
`display_name`), `in_reply_to_id`, `url`/`uri`, `spoiler_text` (a content warning), `reblog` (the
boosted status, for a boost), `visibility` ("public", "unlisted", "private", "direct"),
`favourites_count` and `media_attachments`. Statuses are read in conversation order (ancestors,
the status, descendants) and the root of the conversation is the article: the first ancestor of
a context, else the saved status when there are no ancestors, else (a list) the first status that
replies to nothing in the file. Its text becomes the paragraphs and, since Mastodon has no titles,
its first sentence (or first 80 characters) the title. Every other status is a comment; a reply to
the root answers the post itself (parent None).

Left out and counted in `skipped`: boosts (their `reblog` is someone else's status), followers-only
and direct statuses (not public: they are not republished into an index), statuses without text,
repeated statuses and entries that are not statuses. A reply to a status left out has no parent.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..errors import ParseError
from ..records import Comment, Thread
from ..text.sentences import split_sentences
from ..text.shorten import truncate
from .markup import html_paragraphs
from .reply_links import drop_broken_links
from .values import no_surrogates, number

FORMAT = "mastodon"
TITLE_LIMIT = 80
_NOT_PUBLIC = {"private": "followers-only statuses", "limited": "followers-only statuses",
               "direct": "direct messages"}
_STATUS_KEYS = ("content", "account", "created_at")


def detect(data: object) -> bool:
    """A status context, a status with its context, one status, or a list of statuses."""
    if isinstance(data, list):
        first = next((item for item in data[:5] if isinstance(item, dict)), None)
        return first is not None and _is_status(first)
    if not isinstance(data, dict):
        return False
    if _is_context(data):
        return True
    if isinstance(data.get("status"), dict) and _is_context(data.get("context")):
        return True
    return _is_status(data)


def _is_context(value: object) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("ancestors"), list)
            and isinstance(value.get("descendants"), list))


def _is_status(value: dict) -> bool:
    return all(key in value for key in _STATUS_KEYS) and isinstance(value.get("account"), dict) and "id" in value


def parse(data: object, source: str) -> list[Thread]:
    try:
        return [_parse(data, source)]
    except RecursionError as exc:  # nothing here recurses, but the contract holds whatever happens
        raise ParseError(source, "the Mastodon JSON is nested too deeply") from exc


def _parse(data: object, source: str) -> Thread:
    raw, root_hint = _statuses(data, source)
    skipped: dict[str, int] = {}

    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    statuses: list[dict] = []
    seen: set[str] = set()
    for item in raw:
        sid = _id(item.get("id")) if isinstance(item, dict) else None
        if sid is None:
            skip("malformed statuses")
        elif sid in seen:
            skip("duplicate statuses")
        elif item.get("reblog") not in (None, False):
            seen.add(sid)
            skip("boosts")
        else:
            seen.add(sid)
            statuses.append(item)
    if not statuses and not skipped:
        raise ParseError(source, "the Mastodon file holds no statuses")
    root = _root(statuses, root_hint)
    root_id = _id(root.get("id")) if root is not None else None

    paragraphs: list[str] = []
    root_text: list[str] = []
    author: str | None = None
    score: float | None = None
    if root is not None:
        reason = _NOT_PUBLIC.get(_str(root.get("visibility")) or "")
        if reason:
            skip(reason)
        else:
            root_text = _content(root)
            paragraphs = _warning(root) + root_text + _media(root)
            author, score = _author(root), number(root.get("favourites_count"))
    comments: list[Comment] = []
    for status in statuses:
        sid = _id(status.get("id"))
        if status is root or sid is None:
            continue
        reason = _NOT_PUBLIC.get(_str(status.get("visibility")) or "")
        if reason:
            skip(reason)
            continue
        text = "\n\n".join(_warning(status) + _content(status) + _media(status))
        if not text:
            skip("empty statuses")
            continue
        parent = _id(status.get("in_reply_to_id"))
        comments.append(Comment(id=sid, author=_author(status), text=text,
                                parent=None if parent == root_id else parent,
                                posted=_str(status.get("created_at")), score=number(status.get("favourites_count"))))
    comments = drop_broken_links(comments)
    url = _url(root) if root is not None else None
    return Thread(
        title=_title(root_text or paragraphs, root, root_hint),
        paragraphs=tuple(paragraphs),
        comments=tuple(comments),
        url=url,
        published=_str(root.get("created_at")) if root is not None else None,
        source=_host(url or next((u for u in map(_url, statuses) if u), None)),
        source_file=source,
        format=FORMAT,
        skipped=skipped,
        author=author,
        score=score,
    )


def _statuses(data: object, source: str) -> tuple[list, object]:
    """The file's statuses in conversation order, and what says which one is the root: a status
    (the first ancestor, or the saved status), None for a context whose root is missing, or
    "list" for a plain list (the root is found by its reply links)."""
    if isinstance(data, list):
        return data, "list"
    if not isinstance(data, dict):
        raise ParseError(source, "a Mastodon file must be a JSON object (a status context) or a list of statuses")
    if _is_status(data) and not any(key in data for key in ("ancestors", "descendants", "context")):
        return [data], data  # one status on its own
    context = data.get("context", data)
    if not _is_context(context):
        raise ParseError(source, 'no "ancestors" and "descendants" lists of statuses: not a Mastodon status context')
    ancestors, descendants, status = context["ancestors"], context["descendants"], data.get("status")
    middle = [status] if isinstance(status, dict) else []
    everything = [*ancestors, *middle, *descendants]
    hint = ancestors[0] if ancestors else (status if isinstance(status, dict) else None)
    return everything, hint


def _root(statuses: list[dict], hint: object) -> dict | None:
    if hint != "list":
        return hint if isinstance(hint, dict) and any(s is hint for s in statuses) else None
    ids = {_id(s.get("id")) for s in statuses}
    for status in statuses:
        if _id(status.get("in_reply_to_id")) is None:
            return status
    return next((s for s in statuses if _id(s.get("in_reply_to_id")) not in ids), None)


def _content(status: dict) -> list[str]:
    content = status.get("content")
    return html_paragraphs(no_surrogates(content)) if isinstance(content, str) else []


def _warning(status: dict) -> list[str]:
    """A content warning, shown before the text as Mastodon shows it."""
    warning = _str(status.get("spoiler_text"))
    return [f"Content warning: {warning}"] if warning else []


def _media(status: dict) -> list[str]:
    """Attachments as "[image: description]" lines, so a picture-only status still says something."""
    attachments = status.get("media_attachments")
    out = []
    for item in attachments if isinstance(attachments, list) else ():
        if not isinstance(item, dict):
            continue
        kind = _str(item.get("type")) or "media"
        description = " ".join((_str(item.get("description")) or "").split())
        out.append(f"[{kind}: {description}]" if description else f"[{kind}]")
    return ["\n".join(out)] if out else []


def _author(status: dict) -> str | None:
    account = status.get("account")
    if not isinstance(account, dict):
        return None
    for key in ("acct", "username", "display_name"):
        name = _str(account.get(key))
        if name:
            return name
    return None


def _title(text: list[str], root: dict | None, hint: object) -> str:
    """The root's first sentence, or its first 80 characters (Mastodon has no titles)."""
    first = " ".join(text[0].split()) if text else ""
    if first:
        sentences = split_sentences(first)
        sentence = sentences[0] if sentences else first
        return sentence if len(sentence) <= TITLE_LIMIT else truncate(first, TITLE_LIMIT)
    author = _author(root) if root is not None else None
    if author:
        return f"Mastodon post by {author}"
    return "Mastodon conversation" if hint is not None else "Replies to a Mastodon post"


def _url(status: dict) -> str | None:
    for key in ("url", "uri"):
        value = _str(status.get(key))
        if value and value.startswith(("https://", "http://")):
            return value
    return None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).hostname or None
    except ValueError:
        return None


def _id(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return _str(value)


def _str(value: object) -> str | None:
    return no_surrogates(value.strip()) or None if isinstance(value, str) else None
