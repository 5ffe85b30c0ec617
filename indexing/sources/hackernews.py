"""Hacker News item JSON, from either public API.

* `hn-algolia`: `https://hn.algolia.com/api/v1/items/ID`, one item with its whole reply tree nested in
  `children` (`author`, `created_at`/`created_at_i`, HTML `text`, `title`, `url`, `points`,
  `parent_id`, `story_id`, and `options` for a poll). Null children and deleted or dead comments
  (null author and text, or a "[deleted]"/"[dead]"/"[flagged]" text) are skipped and counted; their
  replies are kept, as top-level comments of the thread.
* `hn-api`: the official Firebase API item (`https://hacker-news.firebaseio.com/v0/item/ID.json`:
  `by`, `id`, `kids`, `parent`, `text`, `time`, `title`, `type`, `url`, `score`, `dead`,
  `deleted`, `parts`), as one item or a JSON list of items: a story (or poll, job) and its comments,
  linked by `parent` and `kids`. Each story in the list becomes a thread; comments whose story is
  not in the list go to the one story there is, or to a thread titled by the story id.

Item text is HTML (`<p>` between paragraphs, `<a>`, `<i>`, `<pre><code>`), rendered to plain text
with paragraphs separated by blank lines. A story's own text (Ask HN, Show HN) becomes the
paragraphs; a link story has none, and its `url` is `Thread.url` (else the item page on
news.ycombinator.com). The submitter and points have no field in `Thread` and are not kept.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

import lxml.etree
import lxml.html

from ..errors import ParseError
from ..records import Comment, Thread
from .reply_links import UniqueIds, cut_cycles, top_ancestors
from .values import no_surrogates, number, unix_time

FORMAT_ALGOLIA = "hn-algolia"
FORMAT_API = "hn-api"
SITE_NAME = "Hacker News"
ITEM_URL = "https://news.ycombinator.com/item?id="
_STORY_TYPES = frozenset({"story", "job", "poll"})
_API_TYPES = _STORY_TYPES | {"comment", "pollopt"}
_DEAD_TEXTS = frozenset({"[deleted]", "[dead]", "[flagged]", "[removed]"})
_BLOCK_TAGS = frozenset({"p", "div", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "tr", "h1", "h2",
                         "h3", "h4", "h5", "h6", "hr", "section", "article", "header", "footer", "figure",
                         "figcaption", "address", "pre"})
_SKIP_TAGS = frozenset({"script", "style", "template", "head", "title"})
_TITLE_WORDS = 12


# --- HN Algolia -------------------------------------------------------------------------------------

def detect_algolia(data: object) -> bool:
    """An object with nested `children` and Algolia's `created_at`/`created_at_i` and `author` keys."""
    return (isinstance(data, dict) and isinstance(data.get("children"), list) and "type" in data
            and ("created_at_i" in data or "created_at" in data) and "author" in data and "by" not in data)


def parse_algolia(data: object, source: str) -> list[Thread]:
    try:
        return [_parse_algolia(data, source)]
    except RecursionError as exc:
        raise ParseError(source, "the JSON is nested too deeply") from exc


def _parse_algolia(data: object, source: str) -> Thread:
    if not isinstance(data, dict):
        raise ParseError(source, "an HN Algolia item must be a JSON object")
    if not isinstance(data.get("children", []), list):
        raise ParseError(source, '"children" of the item must be a list')
    root_id = _id(data.get("id"))
    skipped: dict[str, int] = {}
    paragraphs = _paragraphs(data.get("text"))
    if _str(data.get("type")) == "poll":
        paragraphs += _poll_options(data.get("options"), "points", skipped)
    title = _title(data.get("title"), data.get("author"), paragraphs, root_id, source)
    comments: list[Comment] = []
    kept = UniqueIds(sep="#", first=2)
    # (node, id of the kept comment it is nested under), depth-first in the file's order
    stack: list[tuple[object, str | None]] = [(c, None) for c in reversed(data.get("children") or [])]
    while stack:
        node, parent = stack.pop()
        if node is None:
            _count(skipped, "null nodes")
            continue
        if not isinstance(node, dict):
            _count(skipped, "malformed entries")
            continue
        children = node.get("children")
        node_type = _str(node.get("type"))
        if node_type == "pollopt":
            _count(skipped, "poll options")
            continue
        author = _str(node.get("author")) or None
        raw_text = node.get("text")
        text = _render(raw_text)
        cid: str | None = None
        if author is None and not text:
            _count(skipped, "deleted comments")
        elif text.strip().lower() in _DEAD_TEXTS:
            _count(skipped, "dead comments")
        elif not text:
            _count(skipped, "empty comments")
        else:
            cid = kept.take(_id(node.get("id")) or f"c{len(comments) + 1}")
            comments.append(Comment(id=cid, author=author, text=text, parent=parent,
                                    posted=_algolia_time(node), score=number(node.get("points"))))
        if isinstance(children, list):
            stack.extend((c, cid) for c in reversed(children))
    url = _str(data.get("url")) or (ITEM_URL + root_id if root_id else None)
    return Thread(title=title, paragraphs=tuple(paragraphs), comments=tuple(comments), url=url,
                  published=_algolia_time(data), source=SITE_NAME, source_file=source, format=FORMAT_ALGOLIA,
                  skipped=skipped, author=_str(data.get("author")) or None, score=number(data.get("points")))


def _algolia_time(node: dict) -> str | None:
    value = node.get("created_at")
    if isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
            return moment.isoformat(timespec="seconds")
        except (ValueError, OverflowError):  # not ISO text, or out of datetime's range once in UTC
            pass
    return unix_time(node.get("created_at_i"))


# --- HN official (Firebase) API ---------------------------------------------------------------------

def detect_api(data: object) -> bool:
    """One official-API item object, or a list of them (the first few are checked)."""
    if isinstance(data, list):
        return bool(data) and all(_is_api_item(item) for item in data[:20])
    return _is_api_item(data)


def _is_api_item(item: object) -> bool:
    return (isinstance(item, dict) and _api_type(item) in _API_TYPES and _id(item.get("id")) != ""
            and any(key in item for key in ("by", "time", "kids", "parent", "deleted"))
            and not any(key in item for key in ("children", "author", "created_at", "paragraphs")))


def parse_api(data: object, source: str) -> list[Thread]:
    try:
        return _parse_api(data, source)
    except RecursionError as exc:
        raise ParseError(source, "the JSON is nested too deeply") from exc


def _parse_api(data: object, source: str) -> list[Thread]:
    raw = data if isinstance(data, list) else [data]
    if not raw:
        raise ParseError(source, "the JSON list holds no Hacker News items")
    skipped: dict[str, int] = {}
    items: dict[str, dict] = {}
    order: list[str] = []
    for item in raw:
        if not isinstance(item, dict):
            _count(skipped, "malformed entries")
            continue
        iid = _id(item.get("id"))
        if not iid or _api_type(item) not in _API_TYPES:
            _count(skipped, "malformed entries")
            continue
        if iid in items:
            _count(skipped, "duplicate items")
            continue
        items[iid] = item
        order.append(iid)
    if not items:
        raise ParseError(source, "no Hacker News items (objects with an id and a type) were found")
    parent_of: dict[str, str] = {}
    for iid in order:  # `parent` first; a parent's `kids` fill in items that lack it
        parent = _id(items[iid].get("parent"))
        if parent:
            parent_of[iid] = parent
    for iid in order:
        kids = items[iid].get("kids")
        for kid in kids if isinstance(kids, list) else ():
            kid_id = _id(kid)
            if kid_id in items and kid_id not in parent_of and kid_id != iid:
                parent_of[kid_id] = iid
    parent_of = {iid: pid for iid, pid in cut_cycles(order, parent_of).items() if pid is not None}
    tops = top_ancestors(parent_of)
    stories = [i for i in order if _api_type(items[i]) in _STORY_TYPES]
    groups: dict[str, list[str]] = {s: [] for s in stories}
    orphans: dict[str, list[str]] = {}
    for iid in order:
        if _api_type(items[iid]) != "comment":
            continue
        top = tops.get(iid, iid)
        if top in groups:
            groups[top].append(iid)
        elif len(stories) == 1:
            groups[stories[0]].append(iid)
        else:
            orphans.setdefault(top, []).append(iid)
    for iid in order:
        if _api_type(items[iid]) == "pollopt" and tops.get(iid, iid) not in groups:
            _count(skipped, "poll options")
    threads = [_api_thread(s, groups[s], items, parent_of, dict(skipped), source) for s in stories]
    threads += [_api_thread(top, ids, items, parent_of, dict(skipped), source) for top, ids in orphans.items()]
    if not threads:
        raise ParseError(source, "the items hold neither a story nor comments")
    return threads


def _api_type(item: dict) -> str:
    """The item's type; a deleted or dead item that lost its `type` is taken for a comment."""
    kind = _str(item.get("type"))
    return kind or ("comment" if item.get("deleted") is True or item.get("dead") is True else "")


def _api_thread(root: str, comment_ids: list[str], items: dict[str, dict], parent_of: dict[str, str],
                skipped: dict[str, int], source: str) -> Thread:
    story = items.get(root)
    paragraphs: list[str] = []
    url: str | None = ITEM_URL + root
    published = title = author = None
    score: float | None = None
    if story is not None:
        author, score = _str(story.get("by")) or None, number(story.get("score"))
        if story.get("deleted") is True or story.get("dead") is True:
            _count(skipped, "deleted story text")
        else:
            paragraphs = _paragraphs(story.get("text"))
            parts = story.get("parts")
            if _str(story.get("type")) == "poll" and isinstance(parts, list):
                options = [items[_id(p)] for p in parts if _id(p) in items]
                paragraphs += _poll_options(options, "score", skipped)
        title = _title(story.get("title"), story.get("by"), paragraphs, root, source)
        url = _str(story.get("url")) or url
        published = unix_time(story.get("time"))
    kept: list[tuple[str, dict, str]] = []
    for iid in _reading_order(root, comment_ids, items):
        item = items[iid]
        text = _render(item.get("text"))
        if item.get("deleted") is True or not text and not _str(item.get("by")):
            _count(skipped, "deleted comments")
        elif item.get("dead") is True or text.lower() in _DEAD_TEXTS:
            _count(skipped, "dead comments")
        elif not text:
            _count(skipped, "empty comments")
        else:
            kept.append((iid, item, text))
    kept_ids = {iid for iid, _, _ in kept}
    comments = tuple(Comment(id=iid, author=_str(item.get("by")) or None, text=text,
                             parent=parent_of.get(iid) if parent_of.get(iid) in kept_ids else None,
                             posted=unix_time(item.get("time")), score=number(item.get("score")))
                     for iid, item, text in kept)
    if title is None:
        title = f"Hacker News discussion (item {root}; the story is not in the file)"
    return Thread(title=title, paragraphs=tuple(paragraphs), comments=comments, url=url, published=published,
                  source=SITE_NAME, source_file=source, format=FORMAT_API, skipped=skipped, author=author,
                  score=score)


def _reading_order(root: str, comment_ids: list[str], items: dict[str, dict]) -> list[str]:
    """Depth-first by `kids` (HN's ranking) from the story, then any comments not reached, in file order."""
    wanted = set(comment_ids)
    out: list[str] = []
    seen: set[str] = set()
    starts = [root] + comment_ids
    for start in starts:
        stack = [start]
        while stack:
            iid = stack.pop()
            if iid in seen:
                continue
            seen.add(iid)
            if iid in wanted:
                out.append(iid)
            kids = items.get(iid, {}).get("kids")
            if isinstance(kids, list):
                stack.extend(k for k in (_id(kid) for kid in reversed(kids)) if k in wanted and k not in seen)
    return out


# --- shared -----------------------------------------------------------------------------------------

def _poll_options(options: object, points_key: str, skipped: dict[str, int]) -> list[str]:
    out = []
    for option in options if isinstance(options, list) else ():
        if not isinstance(option, dict):
            continue
        text = _render(option.get("text"))
        if text:
            points = number(option.get(points_key))
            shown = int(points) if isinstance(points, float) and points.is_integer() else points
            out.append(f"Poll option: {text}" + (f" ({shown} points)" if points is not None else ""))
        _count(skipped, "poll options")
    return out


def _title(value: object, author: object, paragraphs: list[str], item_id: str, source: str) -> str:
    title = _str(html.unescape(value)) if isinstance(value, str) else ""
    if title:
        return title
    if paragraphs:  # a comment item (or a story without a title): its first words
        words = paragraphs[0].split()
        head = " ".join(words[:_TITLE_WORDS]) + ("…" if len(words) > _TITLE_WORDS else "")
        name = _str(author)
        return f"Hacker News comment by {name}: {head}" if name else f"Hacker News item: {head}"
    if item_id:
        return f"Hacker News item {item_id}"
    raise ParseError(source, "the item has no title, no text and no id")


def _paragraphs(value: object) -> list[str]:
    text = _render(value)
    return [p for p in text.split("\n\n") if p.strip()] if text else []


def _render(value: object) -> str:
    """HN item HTML as plain text: entities decoded, paragraphs separated by "\\n\\n", links spelled out."""
    if not isinstance(value, str) or not value.strip():
        return ""
    markup = "".join(ch for ch in no_surrogates(value) if ch >= " " or ch in "\n\t")
    if "<" not in markup and "&" not in markup:  # plain text: blank lines separate its paragraphs
        return _assemble([("p" if not line.strip() else "t", line + "\n") for line in markup.split("\n")])
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.LxmlError, ValueError, TypeError):
        text = html.unescape(markup)
        return _assemble([("p" if not line.strip() else "t", line + "\n") for line in text.split("\n")])
    tokens: list[tuple[str, str]] = []
    skip = pre = 0
    for event, el in lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if not isinstance(el.tag, str):  # a comment or processing instruction: only its tail is text
            if not skip and el.tail:
                tokens.append(("pre" if pre else "t", el.tail))
            continue
        tag = el.tag.lower()
        if event == "start":
            if tag in _SKIP_TAGS or skip:
                skip += 1
                continue
            if tag in _BLOCK_TAGS:
                tokens.append(("p", ""))
            if tag == "pre":
                pre += 1
            elif tag == "br":
                tokens.append(("pre" if pre else "br", "\n"))
            if tag == "a" and _truncated_link(el):
                tokens.append(("t", el.get("href", "").strip()))
                skip += 1  # the shown text is a shortened copy of the href
                continue
            if el.text:
                tokens.append(("pre" if pre else "t", el.text))
        else:
            if skip:
                skip -= 1
            else:
                if tag == "pre":
                    pre -= 1
                if tag in _BLOCK_TAGS:
                    tokens.append(("p", ""))
            if not skip and el.tail and el is not root:
                tokens.append(("pre" if pre else "t", el.tail))
    return _assemble(tokens)


def _truncated_link(el) -> bool:
    shown = el.text_content().strip()
    href = (el.get("href") or "").strip()
    return shown.endswith("...") and len(shown) > 3 and href.startswith(shown[:-3]) and href != shown


def _assemble(tokens: list[tuple[str, str]]) -> str:
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        lines = [" ".join(line.split()) if "\x00" not in line else line.replace("\x00", "").rstrip()
                 for line in "".join(current).split("\n")]
        block = "\n".join(line for line in lines if line.strip())
        if block:
            paragraphs.append(block)
        current.clear()

    for kind, text in tokens:
        if kind == "p":
            flush()
        elif kind == "br":
            current.append("\n")
        elif kind == "pre":  # keep code lines as they are (marked so flush does not squeeze them)
            current.append("\n".join("\x00" + line for line in text.split("\n")))
        else:  # HTML text: whitespace runs are one space
            current.append(" ".join(text.split()).join((" " if text[:1].isspace() else "",
                                                        " " if text[-1:].isspace() else "")))
    flush()
    return "\n\n".join(paragraphs)


def _count(skipped: dict[str, int], key: str) -> None:
    skipped[key] = skipped.get(key, 0) + 1


def _id(value: object) -> str:
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    return ""


def _str(value: object) -> str:
    return no_surrogates(value).strip() if isinstance(value, str) else ""
