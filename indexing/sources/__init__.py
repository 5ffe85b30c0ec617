"""The sources wing: what people upload, turned into `Thread` records.

One module per input format (plain-text page scrapes, thread JSON and JSON Lines, HTML through
trafilatura, Markdown), the byte decoding they share (textio.py), and `parse_bytes` / `parse_file`,
which pick the format by content (detect.py) and raise `ParseError` (never anything else) on bad
input, so a broken upload writes nothing; and fetching a thread from a URL (fetch.py: aiohttp with
size, time and redirect limits, robots.txt, and no private addresses). Imports only the records,
errors, config and text wings.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputTooLargeError, ParseError
from ..records import Thread

if TYPE_CHECKING:  # fetch.py imports aiohttp: a process that only reads files or asks should not wait for it
    from .fetch import Fetched

SUPPORTED_EXTENSIONS = (".txt", ".json", ".jsonl", ".html", ".htm", ".md", ".markdown", ".xml")
DEFAULT_MAX_BYTES = 8 * 1024 * 1024

log = logging.getLogger(__name__)


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
    # The parsers (a module per format) load on the first upload: a process that only asks never needs them.
    from .detect import read_document, sniff
    from .textio import decode_bytes, normalise_newlines

    source = safe_file_name(name)
    if len(data) > max_bytes:
        raise InputTooLargeError(source, f"the file is {len(data) / 1e6:.1f} MB, over the "
                                         f"{max_bytes / 1e6:.1f} MB limit")
    ext = os.path.splitext(source)[1].lower()
    if not data.strip():
        raise ParseError(source, "the file is empty")
    text = normalise_newlines(decode_bytes(data, source))
    if not text.strip():
        raise ParseError(source, "the file holds only whitespace")
    # The content decides (a WordPress export named .txt is still an export); only plain text
    # needs a text extension, so a stray document or image of another type is refused.
    if ext not in SUPPORTED_EXTENSIONS and sniff(text, ext) == "text":
        raise ParseError(source, f"unsupported file type {ext or '(none)'}; use one of "
                                 + ", ".join(SUPPORTED_EXTENSIONS))
    try:
        return read_document(text, source, ext)
    except RecursionError as exc:
        raise ParseError(source, "the file is nested too deeply to parse") from exc


def parse_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Thread]:
    return parse_bytes(read_file_limited(Path(path), max_bytes), Path(path).name, max_bytes)


def read_file_limited(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, never more than `max_bytes` + 1 read whatever `st_size` says: a device
    (/dev/zero), a pipe or a file that grows while it is read is cut off there and refused as too
    large. Devices and sockets are refused outright; a named pipe is read to its end (bounded)."""
    source = safe_file_name(path.name)
    try:
        # O_NONBLOCK: opening a named pipe that no one writes to must not hang.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ParseError(source, f"cannot read the file ({exc.strerror})") from exc
    with os.fdopen(fd, "rb", buffering=0) as f:
        try:
            info = os.fstat(fd)
            if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) or stat.S_ISSOCK(info.st_mode):
                raise ParseError(source, "not a regular file (a device or socket): give a thread file")
            if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                raise InputTooLargeError(source, f"the file is {info.st_size / 1e6:.1f} MB, over the "
                                                 f"{max_bytes / 1e6:.1f} MB limit")
            os.set_blocking(fd, True)
            data = _read_at_most(f, max_bytes + 1)
        except OSError as exc:
            raise ParseError(source, f"cannot read the file ({exc.strerror})") from exc
    if len(data) > max_bytes:
        raise InputTooLargeError(source, f"the file is over the {max_bytes / 1e6:.1f} MB limit "
                                         f"(it grew while being read, or is not a plain file)")
    return data


def _read_at_most(f, limit: int) -> bytes:
    """Up to `limit` bytes: an unbuffered read returns what one system call gave, so loop."""
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = f.read(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_fetched(fetched: Fetched, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Thread]:
    """The threads of a fetched document. A link post (no text of its own) gets the linked page's
    article as its paragraphs, so its digest can say what the story is; a thread without a URL of
    its own gets the address it was fetched from."""
    threads = parse_bytes(fetched.data, fetched.name, max_bytes)
    article: tuple[str, ...] = ()
    unreadable = False
    if fetched.linked_article is not None and any(not t.paragraphs for t in threads):
        try:
            linked = parse_bytes(fetched.linked_article.data, fetched.linked_article.name, max_bytes)
            article = linked[0].paragraphs if linked else ()
        except ParseError as exc:  # the discussion still goes in; the article is counted as left out
            unreadable = True
            log.info("the linked article of %s could not be read: %s", fetched.url, exc.reason)
    out = []
    for t in threads:
        changes: dict = {}
        if not t.url:
            changes["url"] = fetched.url
        if not t.paragraphs and article:
            changes["paragraphs"] = article
        if not t.paragraphs and unreadable:
            changes["skipped"] = {**t.skipped, "unreadable linked article": 1}
        out.append(replace(t, **changes) if changes else t)
    return out


def find_thread_files(paths: list[str | Path], confine: bool = False) -> list[Path]:
    """Expand directories (recursively) into the supported files inside them, sorted."""
    return scan_paths(paths, confine)[0]


def scan_paths(paths: list[str | Path], confine: bool = False) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files to read (folders expanded recursively, sorted), and every file of a folder that
    is passed over with the reason, so that nothing is skipped without a word.

    Linked folders are never descended into. With `confine` (a watched folder, which one server
    controls), a linked file is read only if it resolves inside the folder, so a link cannot make
    the bot read another server's file or any other file on the host."""
    found: list[Path] = []
    passed_over: list[tuple[Path, str]] = []
    for p in map(Path, paths):
        if not p.is_dir():
            found.append(p)
            continue
        base = p.resolve()
        for f in sorted(p.rglob("*")):
            if f.is_dir():
                continue
            if confine and base not in f.resolve().parents:
                passed_over.append((f, "a link to a file outside the watched folder"))
            elif not f.is_file():
                if not f.is_symlink():  # a dangling link is no file to mention
                    passed_over.append((f, "not a regular file (a device, pipe or socket)"))
            elif f.suffix.lower() in SUPPORTED_EXTENSIONS:
                found.append(f)
            else:
                passed_over.append((f, f"not a thread file type ({f.suffix or 'no extension'}); "
                                       f"threadbot reads {', '.join(SUPPORTED_EXTENSIONS)}"))
    return found, passed_over


__all__ = ["SUPPORTED_EXTENSIONS", "Thread", "find_thread_files", "parse_bytes", "parse_file", "read_fetched",
           "safe_file_name", "scan_paths"]
