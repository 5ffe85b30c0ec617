"""What every importer promises for any input, checked by the property tests of each importer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import lxml.html
from lxml import etree

from indexing.errors import ParseError
from indexing.records import Thread

# Time allowed for one generated case of any importer's property test: a hang or a parse that grows
# faster than the input fails the case (hypothesis retries a slow case before failing it, so a
# passing hiccup of a busy machine does not). The inputs are small: real cases take milliseconds.
FUZZ_DEADLINE = timedelta(seconds=3)


def assert_threads_or_parse_error(importer, data: object, source: str,
                                  each: Callable[[Thread], None] | None = None) -> None:
    """`detect` never raises; `parse` gives well-formed threads of the importer's format or a
    one-line ParseError: titled threads, unique comment ids, non-empty comments, replies to
    comments of the same thread, text that encodes (no lone surrogates)."""
    importer.detect(data)
    try:
        threads = importer.parse(data, source)
    except ParseError as exc:
        assert exc.reason and "\n" not in str(exc)
        return
    for thread in threads:
        assert thread.title.strip() and thread.format == importer.FORMAT
        ids = [c.id for c in thread.comments]
        assert len(set(ids)) == len(ids)
        for c in thread.comments:
            assert c.text.strip() and (c.parent is None or c.parent in ids)
            for text in (c.text, c.author or "", c.id, thread.title, *thread.paragraphs):
                text.encode("utf-8")
        if each is not None:
            each(thread)


def element(node) -> etree._Element:
    """An element from a generated (tag, class, id, attributes, text, tail, children) tuple."""
    tag, classes, el_id, attrs, text, tail, kids = node
    el = etree.Element(tag)
    for key, value in [("class", classes), ("id", el_id), *attrs.items()]:
        if value is not None:
            el.set(key, value)
    el.text, el.tail = text, tail
    for kid in kids:
        el.append(element(kid))
    return el


def page_of(nodes, as_html: bool) -> etree._Element:
    """A page whose body holds the generated elements, parsed again as HTML when `as_html`."""
    root = etree.Element("html")
    body = etree.SubElement(root, "body")
    for node in nodes:
        body.append(element(node))
    return lxml.html.fromstring(etree.tostring(root)) if as_html else root
