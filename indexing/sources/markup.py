"""Markup helpers the importers share: XML read with recovery, namespace-blind element access,
HTML rendered to plain-text paragraphs, lxml element basics, and reply links kept consistent."""

from __future__ import annotations

import html
from collections.abc import Callable

import lxml.html
from lxml import etree

from ..errors import ParseError


def read_xml(text: str, source: str) -> etree._Element:
    """The root element of an XML document, read with recovery (no entities, no network)."""
    if not isinstance(text, str):
        raise ParseError(source, "the XML document must be text")
    data = text.lstrip("\ufeff \t\r\n").encode("utf-8", "replace")
    if not data:
        raise ParseError(source, "the XML document is empty")
    parser = etree.XMLParser(recover=True, huge_tree=False, resolve_entities=False, no_network=True,
                             encoding="utf-8")
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as exc:
        raise ParseError(source, f"the XML could not be read ({exc})") from exc
    if root is None:
        raise ParseError(source, "the XML document has no root element")
    return root


def local_name(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].rpartition(":")[2]


def namespace(el: etree._Element) -> str:
    """The namespace URI, or for a tag whose prefix was never declared, the prefix."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    if tag.startswith("{"):
        return tag[1:tag.find("}")]
    return tag.rpartition(":")[0]


def children(el: etree._Element, name: str, namespaced: bool | None = None) -> list[etree._Element]:
    """Children with this local name; `namespaced` True/False keeps only (un)namespaced ones."""
    return [c for c in el if local_name(c) == name and (namespaced is None or bool(namespace(c)) == namespaced)]


def child(el: etree._Element | None, name: str, namespaced: bool | None = None) -> etree._Element | None:
    """The first child with this local name; RSS's own elements (no namespace) first when asked for any."""
    if el is None:
        return None
    found = children(el, name, namespaced)
    if namespaced is None and len(found) > 1:
        found.sort(key=lambda c: bool(namespace(c)))
    return found[0] if found else None


def element_text(el: etree._Element | None) -> str:
    """All the text inside an element, stripped ("" for none)."""
    if el is None:
        return ""
    return "".join(t for t in el.itertext() if isinstance(t, str)).strip()


def tag_name(el: etree._Element) -> str:
    """The lower-cased local tag name ("" for comments and processing instructions)."""
    return el.tag.rsplit("}", 1)[-1].lower() if isinstance(el.tag, str) else ""


def all_text(el: etree._Element) -> str:
    """lxml.html's text_content(), for any lxml element (unstripped)."""
    return "".join(el.itertext())


def class_names(el: etree._Element) -> set[str]:
    value = el.get("class")
    return set(value.lower().split()) if isinstance(value, str) else set()


_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
    "tfoot", "thead", "tr", "ul"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg",
                        "audio", "video", "button", "select", "textarea"})
_CELL_TAGS = frozenset({"td", "th"})


class _TextOut:
    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.parts: list[str] = []
        self.images = 0

    def add(self, text: str | None, pre: bool) -> None:
        if text:
            self.parts.append(text if pre else text.replace("\r", " ").replace("\n", " "))

    def flush(self) -> None:
        """Close the current block: blank lines inside it separate paragraphs, whitespace collapses."""
        lines: list[str] = []
        for line in "".join(self.parts).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            line = " ".join(line.split())
            if line:
                lines.append(line)
            elif lines:
                self.paragraphs.append("\n".join(lines))
                lines = []
        if lines:
            self.paragraphs.append("\n".join(lines))
        self.parts = []


def _render(el: etree._Element, out: _TextOut, pre: bool) -> None:
    tag = el.tag.lower() if isinstance(el.tag, str) else None
    if tag is None or tag in _SKIP_TAGS:  # comments, processing instructions, scripts
        out.add(el.tail, pre)
        return
    if tag == "br":
        out.parts.append("\n")
    elif tag == "img":
        classes = el.get("class") or ""
        if "emoji" in classes or "smiley" in classes:
            out.add(el.get("alt"), pre)
        else:
            out.images += 1
    else:
        block = tag in _BLOCK_TAGS
        inner_pre = pre or tag in ("pre", "textarea")
        if block:
            out.flush()
        out.add(el.text, inner_pre)
        for sub in el:
            _render(sub, out, inner_pre)
        if block:
            out.flush()
        elif tag in _CELL_TAGS:
            out.add(" ", pre)
    out.add(el.tail, pre)


def html_paragraphs(markup: str, autop: bool = False,
                    prepare: Callable[[etree._Element], None] | None = None) -> list[str]:
    """HTML rendered to plain-text paragraphs (entities decoded, whitespace collapsed). With `autop`,
    blank lines in the text separate paragraphs and single newlines break lines, as WordPress shows
    its stored content. An image-only fragment gives "[image]"."""
    markup = markup.replace("\x00", "")
    if not markup.strip():
        return []
    try:
        parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True)
        root = lxml.html.document_fromstring(markup.encode("utf-8", "replace"), parser=parser)
        if prepare is not None:
            prepare(root)
        out = _TextOut()
        _render(root, out, autop)
        out.flush()
    except (etree.LxmlError, ValueError):
        text = " ".join(html.unescape(markup).split())
        return [text] if text else []
    if not out.paragraphs and out.images:
        return ["[image]"]
    return out.paragraphs
