"""A video's yt-dlp metadata (`.info.json`), written with `--write-comments`.

yt-dlp's info dict has `title`, `description` (plain text), `webpage_url`, `uploader`,
`upload_date` (YYYYMMDD) or `timestamp` (Unix), `extractor`/`extractor_key`, and with
`--write-comments` a flat `comments` list, each comment `{"id", "text" (or "html"), "author",
"parent", "timestamp", "like_count"}`, where `parent` is "root" for a comment on the video and
otherwise the id of the comment it answers (YouTube replies have ids "PARENT.REPLY"). The video
is the article: its description gives the paragraphs (blank lines separate them), so an info.json
written without comments is still a thread. Any site yt-dlp extracts comments from has the same
shape; `Thread.source` says which ("YouTube" for YouTube).

Comments without text, repeated ids and entries that are not comments are skipped and counted; a
reply to a comment that is not in the file has no parent.
"""

from __future__ import annotations

from datetime import datetime

from ..errors import ParseError
from ..records import Comment, Thread
from .markup import html_paragraphs
from .reply_links import drop_broken_links
from .values import no_surrogates, number, unix_time

FORMAT = "youtube"
_ROOT = "root"
_SITE_NAMES = {"youtube": "YouTube"}


def detect(data: object) -> bool:
    """A yt-dlp info dict of one video: an extractor name and its `webpage_url` or `comments`."""
    if not isinstance(data, dict) or data.get("_type") not in (None, "video"):
        return False
    extractor = data.get("extractor_key", data.get("extractor"))
    return (isinstance(extractor, str) and bool(extractor.strip()) and "title" in data
            and ("webpage_url" in data or isinstance(data.get("comments"), list)))


def parse(data: object, source: str) -> list[Thread]:
    try:
        return [_parse(data, source)]
    except RecursionError as exc:  # nothing here recurses, but the contract holds whatever happens
        raise ParseError(source, "the info.json is nested too deeply") from exc


def _parse(data: object, source: str) -> Thread:
    if not isinstance(data, dict):
        raise ParseError(source, "a yt-dlp .info.json must be a JSON object")
    raw = data.get("comments")
    if raw is not None and not isinstance(raw, list):
        raise ParseError(source, '"comments" must be a list of comment objects')
    video_id = _str(data.get("id"))
    title = _str(data.get("title")) or _str(data.get("fulltitle"))
    if not title:
        if not video_id:
            raise ParseError(source, "the info.json has no title and no video id")
        title = f"Video {video_id}"
    skipped: dict[str, int] = {}
    description = _str(data.get("description")) or ""
    lines = "\n".join(line.rstrip() for line in description.replace("\r\n", "\n").split("\n"))
    paragraphs = [block.strip() for block in lines.split("\n\n") if block.strip()]
    comments = _comments(raw or [], skipped)
    return Thread(
        title=title,
        paragraphs=tuple(paragraphs),
        comments=tuple(comments),
        url=_web(data.get("webpage_url")) or _web(data.get("original_url")),
        published=_published(data),
        source=_site(data),
        source_file=source,
        format=FORMAT,
        skipped=skipped,
        author=_uploader(data, raw or []),
        score=number(data.get("like_count")),
    )


def _uploader(data: dict, raw: list) -> str | None:
    """The uploader as their comments name them (`author_is_uploader`), else `uploader`/`channel`."""
    for item in raw:
        if isinstance(item, dict) and item.get("author_is_uploader") is True and _str(item.get("author")):
            return _str(item.get("author"))
    return _str(data.get("uploader")) or _str(data.get("channel")) or _str(data.get("uploader_id"))


def _comments(raw: list, skipped: dict[str, int]) -> list[Comment]:
    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    out: list[Comment] = []
    seen: set[str] = set()
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            skip("malformed comments")
            continue
        text = _str(item.get("text"))
        if not text and isinstance(item.get("html"), str):
            text = "\n\n".join(html_paragraphs(no_surrogates(item["html"])))
        if not text:
            skip("empty comments")
            continue
        cid = _id(item.get("id")) or f"c{position}"
        if cid in seen:
            skip("duplicate comments")
            continue
        seen.add(cid)
        parent = _id(item.get("parent"))
        out.append(Comment(id=cid, author=_str(item.get("author")), text=text,
                           parent=None if parent in (None, _ROOT) else parent,
                           posted=unix_time(item.get("timestamp")), score=number(item.get("like_count"))))
    return drop_broken_links(out)


def _published(data: dict) -> str | None:
    """The upload time (`timestamp`), else the upload date (YYYYMMDD) as YYYY-MM-DD."""
    when = unix_time(data.get("timestamp")) if data.get("timestamp") is not None else None
    if when:
        return when
    for key in ("upload_date", "release_date"):
        day = _str(data.get(key))
        if day and len(day) == 8 and day.isascii() and day.isdigit():
            try:
                return datetime.strptime(day, "%Y%m%d").date().isoformat()
            except ValueError:
                continue
    return None


def _site(data: dict) -> str | None:
    name = _str(data.get("extractor_key")) or _str(data.get("extractor"))
    if not name:
        return _str(data.get("webpage_url_domain"))
    base = name.split(":")[0]
    return _SITE_NAMES.get(base.lower(), base)


def _web(value: object) -> str | None:
    text = _str(value)
    return text if text and text.startswith(("https://", "http://")) else None


def _id(value: object) -> str | None:
    """A comment id: yt-dlp writes text; a number is accepted as its digits."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else _str(value)


def _str(value: object) -> str | None:
    return no_surrogates(value.strip()) or None if isinstance(value, str) else None
