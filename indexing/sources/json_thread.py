"""Thread JSON (`.json`: one object or a list) and JSON Lines (`.jsonl`: one thread per line)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from ..errors import ParseError
from ..records import Comment, Thread
from .reply_links import drop_broken_links
from .values import number as finite_number

_MAX_DEPTH = 64


def load_json(text: str, source: str) -> object:
    """The JSON document, or a ParseError saying where it is broken."""
    try:
        return _loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(source, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise ParseError(source, "JSON is nested too deeply") from exc
    except ValueError as exc:  # an integer over Python's digit limit (sys.get_int_max_str_digits)
        raise ParseError(source, f"a number in the JSON is too long to read ({_TOO_LONG})") from exc


# Keys of threadbot's own thread JSON (README "Thread formats"); keys starting with "_" are notes.
THREAD_KEYS = frozenset({"title", "url", "published", "source", "paragraphs", "body", "comments", "source_file", "id"})
CONTENT_KEYS = frozenset({"paragraphs", "body", "comments"})


def is_thread_json(data: object) -> bool:
    """Whether to read `data` as threadbot's own shape (and explain what is wrong with it if it is
    broken): anything but an object that has no content key and a key of some other format, which
    is another site's JSON (a title beside `children` or `post_stream`) that would otherwise be
    indexed with every comment dropped."""
    items = data if isinstance(data, list) else [data]

    def foreign(item: object) -> bool:
        return (isinstance(item, dict) and not CONTENT_KEYS & set(item)
                and any(k not in THREAD_KEYS and not str(k).startswith("_") for k in item))

    return not any(foreign(item) for item in items)


def parse_json(text: str, source: str) -> list[Thread]:
    return parse_thread_json(load_json(text, source), source)


def parse_thread_json(data: object, source: str) -> list[Thread]:
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ParseError(source, "the JSON list holds no threads")
    return [thread_from_object(item, source, f"item {i + 1}" if isinstance(data, list) else None)
            for i, item in enumerate(items)]


def parse_jsonl(text: str, source: str) -> list[Thread]:
    """Every line must be a valid thread: one bad line rejects the file, so nothing is half-indexed."""
    threads = []
    for number, line in _numbered_lines(text):
        try:
            data = _loads(line)
        except json.JSONDecodeError as exc:
            raise ParseError(source, f"line {number}: invalid JSON ({exc.msg})") from exc
        except RecursionError as exc:
            raise ParseError(source, f"line {number}: JSON is nested too deeply") from exc
        except ValueError as exc:
            raise ParseError(source, f"line {number}: a number is too long to read ({_TOO_LONG})") from exc
        threads.append(thread_from_object(data, source, f"line {number}"))
    if not threads:
        raise ParseError(source, "the file is empty (no JSON lines)")
    return threads


_TOO_LONG = "over 4,300 digits"
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _loads(text: str) -> object:
    """json.loads, with lone surrogates (legal JSON escapes such as "\\ud800", but not encodable text)
    replaced by U+FFFD in every string a thread is built from; they would break hashing and storage."""
    if not _ESCAPED_SURROGATE.search(text):
        return json.loads(text)
    return json.loads(text, object_hook=_replace_surrogates)


def _clean(value: object) -> object:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_LONE_SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v for v in value]
    return value


def _replace_surrogates(obj: dict) -> dict:
    return {_clean(k): _clean(v) for k, v in obj.items()}


def _numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield number, line


def thread_from_object(data: object, source: str, where: str | None = None) -> Thread:
    prefix = f"{where}: " if where else ""

    def fail(reason: str) -> ParseError:
        return ParseError(source, prefix + reason)

    if not isinstance(data, dict):
        raise fail(f"a thread must be a JSON object, not {_type_name(data)}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise fail('missing "title" (a non-empty string is required)')
    paragraphs = _paragraphs(data, fail)
    comments = _comments(data.get("comments"), fail)
    return Thread(
        title=title.strip(),  # as given: callers match the titles `index --json` reports to their own
        paragraphs=tuple(paragraphs),
        comments=tuple(comments),
        url=_optional_str(data, "url", fail),
        published=_optional_str(data, "published", fail),
        source=_optional_str(data, "source", fail),
        source_file=source,
        format="threadbot-json",
    )


def _paragraphs(data: dict, fail) -> list[str]:
    paragraphs = data.get("paragraphs")
    if paragraphs is None:
        body = data.get("body")
        if body is None:
            return []
        if not isinstance(body, str):
            raise fail(f'"body" must be a string, not {_type_name(body)}')
        return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    if not isinstance(paragraphs, list):
        raise fail(f'"paragraphs" must be a list of strings, not {_type_name(paragraphs)}')
    out = []
    for i, p in enumerate(paragraphs):
        if not isinstance(p, str):
            raise fail(f'"paragraphs"[{i}] must be a string, not {_type_name(p)}')
        if p.strip():
            out.append(p.strip())
    return out


def _comments(raw: object, fail) -> list[Comment]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise fail(f'"comments" must be a list, not {_type_name(raw)}')
    comments: list[Comment] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise fail(f'"comments"[{i}] must be an object, not {_type_name(item)}')
        text = item.get("text")
        if not isinstance(text, str):
            raise fail(f'"comments"[{i}]["text"] must be a string, not {_type_name(text)}')
        if not text.strip():
            continue
        cid = item.get("id")
        if cid is None:
            cid = f"c{i}"
        elif isinstance(cid, (int, float)) and not isinstance(cid, bool):
            cid = str(cid)
        elif not isinstance(cid, str):
            raise fail(f'"comments"[{i}]["id"] must be a string, not {_type_name(cid)}')
        if cid in seen:
            # Keep both comments; a duplicate id would make reply links ambiguous, so the later one is renamed.
            cid = f"{cid}#{i}"
        seen.add(cid)
        author = item.get("author")
        if author is not None and not isinstance(author, str):
            raise fail(f'"comments"[{i}]["author"] must be a string or null, not {_type_name(author)}')
        parent = item.get("parent")
        if isinstance(parent, (int, float)) and not isinstance(parent, bool):
            parent = str(parent)
        if parent is not None and not isinstance(parent, str):
            raise fail(f'"comments"[{i}]["parent"] must be a string or null, not {_type_name(parent)}')
        posted = item.get("posted")
        if posted is not None and not isinstance(posted, str):
            raise fail(f'"comments"[{i}]["posted"] must be an ISO-8601 string or null')
        score = item.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
            raise fail(f'"comments"[{i}]["score"] must be a number or null, not {_type_name(score)}')
        comments.append(Comment(id=cid, author=(author or "").strip() or None, text=text.strip(),
                                parent=parent, posted=posted, score=finite_number(score)))  # NaN is no score
    return drop_broken_links(comments)


def _optional_str(data: dict, key: str, fail) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(f'"{key}" must be a string or null, not {_type_name(value)}')
    return value.strip() or None


def _type_name(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)
