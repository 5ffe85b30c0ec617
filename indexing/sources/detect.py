"""Which importer reads a document: decided by its content, not its file name.

JSON goes to the first site importer whose `detect` accepts it (Reddit, Hacker News, Discourse,
Mastodon, Lemmy, YouTube comments from yt-dlp),
then to threadbot's own thread JSON; XML to the WordPress (WXR) or Disqus importer; HTML to the
page importer (a saved Hacker News item page, or an article with its comment section); anything
else is a page-scrape text or Markdown. A document that no importer recognises is refused with
what it looks like, never indexed empty.
"""

from __future__ import annotations

import io
from types import ModuleType

from ..errors import ParseError
from ..records import Thread
from . import discourse, disqus, hn_algolia, hn_api, lemmy, mastodon, reddit, wxr, youtube
from .html import parse_html
from .json_thread import is_thread_json, load_json, parse_jsonl, parse_thread_json
from .markdown import parse_markdown
from .markup import read_xml
from .scrape_text import has_comment_section, parse_scrape_text

JSON_IMPORTERS: tuple[ModuleType, ...] = (reddit, hn_algolia, hn_api, discourse, mastodon, lemmy, youtube)
XML_IMPORTERS: tuple[ModuleType, ...] = (wxr, disqus)
FORMATS_HELP = "the README's \"Thread formats\" lists what threadbot reads"


def sniff(text: str, ext: str) -> str:
    """"json", "jsonl", "xml", "html" or "text", from the first characters (the extension only
    breaks ties: JSON Lines, and plain text)."""
    head = text.lstrip("\ufeff \t\r\n")[:512].lower()
    if head.startswith(("{", "[")) or ext in (".json", ".jsonl"):
        if ext == ".jsonl" or _looks_like_json_lines(text):
            return "jsonl"
        return "json"
    if head.startswith("<?xml") or head.startswith(("<rss", "<disqus", "<feed")):
        return "html" if "<html" in head else "xml"
    if head.startswith(("<!doctype html", "<html", "<head", "<body")) or (head[:1] == "<" and ext in (".html", ".htm")):
        return "html"
    return "text"


def read_document(text: str, source: str, ext: str) -> list[Thread]:
    kind = sniff(text, ext)
    if kind == "jsonl":
        return parse_jsonl(text, source)
    if kind == "json":
        return _read_json(load_json(text, source), source)
    if kind == "xml":
        return _read_xml(text, source)
    if kind == "html":
        return parse_html(text, source)
    if ext in (".md", ".markdown"):
        return [parse_markdown(text, source)]
    if has_comment_section(text):
        return [parse_scrape_text(text, source)]
    return [parse_markdown(text, source)]


def _read_json(data: object, source: str) -> list[Thread]:
    for importer in JSON_IMPORTERS:
        if importer.detect(data):
            return _non_empty(importer.parse(data, source), source)
    if is_thread_json(data):
        return parse_thread_json(data, source)
    raise ParseError(source, f"{_describe_json(data)}: not a recognised thread format; {FORMATS_HELP}")


def _read_xml(text: str, source: str) -> list[Thread]:
    root = read_xml(text, source)
    for importer in XML_IMPORTERS:
        if importer.detect(root):
            return _non_empty(importer.parse(root, source), source)
    tag = str(root.tag).rpartition("}")[2]
    raise ParseError(source, f"XML with root element <{tag}>: not a recognised thread format; {FORMATS_HELP}")


def _non_empty(threads: list[Thread], source: str) -> list[Thread]:
    """An importer's threads, or an error when the file held nothing to index."""
    kept = [t for t in threads if t.paragraphs or t.comments]
    if not kept:
        skipped = sum(n for t in threads for n in t.skipped.values())
        why = f" ({skipped} entries skipped: deleted, spam or placeholders)" if skipped else ""
        raise ParseError(source, f"the file holds no article text and no comments{why}")
    return kept


def _describe_json(data: object) -> str:
    if isinstance(data, dict):
        keys = ", ".join(str(k) for k in list(data)[:6]) + (", ..." if len(data) > 6 else "")
        return f"JSON with top-level keys {keys}" if data else "an empty JSON object"
    if isinstance(data, list):
        first = data[0] if data else None
        inner = f" of objects with keys {', '.join(str(k) for k in list(first)[:6])}" if isinstance(first, dict) else ""
        return f"a JSON list{inner}" if data else "an empty JSON list"
    return f"a JSON {type(data).__name__}"


def _looks_like_json_lines(text: str) -> bool:
    """Two or more lines that each start an object: JSON Lines whatever the file is called."""
    lines = []
    for line in io.StringIO(text):  # the first three lines only: an 8 MB export is not split whole
        if line.strip():
            lines.append(line.strip())
            if len(lines) == 3:
                break
    return len(lines) > 1 and all(line.startswith("{") and line.endswith("}") for line in lines)
