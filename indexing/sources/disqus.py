"""Disqus XML exports: a `<disqus>` root (namespace http://disqus.com) holding `<thread dsq:id>`
elements (the pages: `<link>`, `<title>`, `<createdAt>`) and then `<post dsq:id>` elements (the
comments: `<message>` HTML, `<author><name>`, `<thread dsq:id>`, `<parent dsq:id>`, `<isDeleted>`,
`<isSpam>`, `<createdAt>`).

One thread per Disqus thread that has at least one kept post. A Disqus export holds only the
comments, never the page's text, so a thread has no paragraphs. Deleted and spam posts are left
out and counted; a post id listed twice is kept once ("duplicate posts"); posts that point at a
thread the file does not hold are left out and counted (reported on the first thread returned).
Tags and the `dsq:id` attribute are matched by local name, whatever the namespace URIs.
"""

from __future__ import annotations

import html

from lxml import etree

from ..errors import ParseError
from ..records import Comment, Thread
from .markup import child, children, element_text, html_paragraphs, local_name, read_xml
from .reply_links import drop_broken_links

FORMAT = "disqus"
__all__ = ["FORMAT", "detect", "parse", "read_xml"]  # read_xml: the XML reader shared with wxr.py

_TRUE = "true"


def detect(data: object) -> bool:
    """A `<disqus>` root element."""
    return isinstance(data, etree._Element) and local_name(data) == "disqus"


def parse(data: object, source: str) -> list[Thread]:
    try:
        return _parse(data, source)
    except RecursionError as exc:
        raise ParseError(source, "the export is nested too deeply to read") from exc


class _Page:
    """A Disqus thread while its posts are collected."""

    def __init__(self, element: etree._Element):
        self.element = element
        self.comments: list[Comment] = []
        self.skipped: dict[str, int] = {}


def _parse(root: object, source: str) -> list[Thread]:
    if not isinstance(root, etree._Element) or local_name(root) != "disqus":
        raise ParseError(source, "not a Disqus export: the root element is not <disqus>")
    pages: dict[str, _Page] = {}
    order: list[_Page] = []
    for element in children(root, "thread"):
        tid = _dsq_id(element)
        if tid and tid not in pages:
            pages[tid] = _Page(element)
            order.append(pages[tid])
    file_skips: dict[str, int] = {}
    seen: set[str] = set()
    for index, element in enumerate(children(root, "post")):
        page = pages.get(_dsq_id(child(element, "thread")) or "")
        if page is None:
            _bump(file_skips, "posts in unknown threads")
            continue
        pid = _dsq_id(element) or f"p{index}"
        if pid in seen:
            _bump(page.skipped, "duplicate posts")
            continue
        seen.add(pid)
        if _flag(element, "isDeleted"):
            _bump(page.skipped, "deleted posts")
            continue
        if _flag(element, "isSpam"):
            _bump(page.skipped, "spam posts")
            continue
        text = "\n\n".join(html_paragraphs(element_text(child(element, "message")), autop=True))
        if not text:
            _bump(page.skipped, "empty posts")
            continue
        author = child(element, "author")
        page.comments.append(Comment(
            id=pid,
            author=_author(author) if author is not None else None,
            text=text,
            parent=_dsq_id(child(element, "parent")) or None,
            posted=element_text(child(element, "createdAt")) or None,
            score=None,
        ))
    threads = [_thread(page, source) for page in order if page.comments]
    if not threads:
        raise ParseError(source, "the Disqus export holds no thread with a kept comment")
    if file_skips:  # posts outside any thread are reported once, on the first thread
        first = threads[0]
        threads[0] = Thread(first.title, first.paragraphs, first.comments, first.url, first.published,
                            first.source, first.source_file, first.format, {**first.skipped, **file_skips})
    return threads


def _thread(page: _Page, source: str) -> Thread:
    element = page.element
    link = element_text(child(element, "link"))
    title = html.unescape(element_text(child(element, "title"))).strip()
    if not title:
        title = f"Comments on {link}" if link else f"Disqus thread {_dsq_id(element)}"
    return Thread(
        title=title,
        paragraphs=(),
        comments=tuple(drop_broken_links(page.comments)),
        url=link or None,
        published=element_text(child(element, "createdAt")) or None,
        source=element_text(child(element, "forum")) or None,
        source_file=source,
        format=FORMAT,
        skipped=page.skipped,
    )


def _author(author: etree._Element) -> str | None:
    for name in ("name", "username"):
        value = html.unescape(element_text(child(author, name))).strip()
        if value:
            return value
    return None


def _flag(element: etree._Element, name: str) -> bool:
    return element_text(child(element, name)).lower() == _TRUE


def _dsq_id(element: etree._Element | None) -> str | None:
    """The `dsq:id` attribute (any namespace), else an un-namespaced `id` attribute."""
    if element is None:
        return None
    plain = None
    for key, value in element.attrib.items():
        if key.rpartition("}")[2].rpartition(":")[2] == "id":
            if key.startswith("{") or ":" in key:
                return value.strip() or None
            plain = value.strip() or None
    return plain


def _bump(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1
