"""The sources wing: what people upload, turned into `Thread` records.

One module per input format (plain-text page scrapes, thread JSON and JSON Lines, HTML through
trafilatura, Markdown), the byte decoding they share (textio.py), and `parse_bytes` / `parse_file`,
which pick the format and raise `ParseError` (never anything else) on bad input, so a broken upload
writes nothing. Imports only the records, errors and text wings.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import InputTooLargeError, ParseError
from ..records import Thread
from .html import parse_html
from .json_thread import parse_json, parse_jsonl
from .markdown import parse_markdown
from .scrape_text import has_comment_section, parse_scrape_text
from .textio import decode_bytes, normalise_newlines

SUPPORTED_EXTENSIONS = (".txt", ".json", ".jsonl", ".html", ".htm", ".md", ".markdown")
DEFAULT_MAX_BYTES = 8 * 1024 * 1024


def safe_file_name(name: str) -> str:
    """A file name safe to show and store: no directories, no control characters, at most 120 chars."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch if ch.isprintable() else "?" for ch in base).strip() or "upload"
    if base in {".", ".."}:
        base = "upload"
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 110] + "…." + ext) if dot and len(ext) <= 8 else base[:120]
    return base


def parse_bytes(data: bytes, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Thread]:
    """Parse an uploaded file's content. Raises ParseError (never anything else) on bad input."""
    source = safe_file_name(name)
    if len(data) > max_bytes:
        raise InputTooLargeError(source, f"the file is {len(data) / 1e6:.1f} MB, over the "
                                         f"{max_bytes / 1e6:.1f} MB limit")
    ext = os.path.splitext(source)[1].lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise ParseError(source, f"unsupported file type {ext or '(none)'}; use one of "
                                 + ", ".join(SUPPORTED_EXTENSIONS))
    if not data.strip():
        raise ParseError(source, "the file is empty")
    text = normalise_newlines(decode_bytes(data, source))
    if not text.strip():
        raise ParseError(source, "the file holds only whitespace")
    try:
        if ext == ".json":
            return parse_json(text, source)
        if ext == ".jsonl":
            return parse_jsonl(text, source)
        if ext in (".html", ".htm"):
            return [parse_html(text, source)]
        if ext in (".md", ".markdown"):
            return [parse_markdown(text, source)]
        if has_comment_section(text):
            return [parse_scrape_text(text, source)]
        return [parse_markdown(text, source)]
    except RecursionError as exc:
        raise ParseError(source, "the file is nested too deeply to parse") from exc


def parse_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Thread]:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ParseError(safe_file_name(str(path)), f"cannot read the file ({exc.strerror})") from exc
    if size > max_bytes:
        raise InputTooLargeError(safe_file_name(path.name), f"the file is {size / 1e6:.1f} MB, over the "
                                                          f"{max_bytes / 1e6:.1f} MB limit")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(safe_file_name(path.name), f"cannot read the file ({exc.strerror})") from exc
    return parse_bytes(data, path.name, max_bytes)


def find_thread_files(paths: list[str | Path]) -> list[Path]:
    """Expand directories (recursively) into the supported files inside them, sorted."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_EXTENSIONS)
        else:
            found.append(p)
    return found


__all__ = ["parse_bytes", "parse_file", "find_thread_files", "safe_file_name", "SUPPORTED_EXTENSIONS", "Thread"]
