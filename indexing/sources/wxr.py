"""WordPress eXtended RSS (WXR) exports: `<rss>` with `wp:` elements, one `<item>` per post, page,
attachment or menu entry, and the post's `<wp:comment>`s inside it.

One thread per published post or page (`wp:post_type` post/page, `wp:status` publish) that has
text or approved comments; its `content:encoded` HTML (stored the WordPress way: blank lines are
paragraph breaks) gives the paragraphs. Only approved comments (`wp:comment_approved` 1) are kept;
pingbacks, trackbacks, unapproved, spam and trashed comments are left out and counted. Namespaced
tags are matched by local name, so every WXR version's namespace URI works, and the XML is read
with recovery because real exports are sometimes not well-formed (an undeclared `atom:` prefix).

The pieces the other importers share live here too: `read_xml` (the dispatcher's XML reader),
`html_paragraphs` (HTML to plain-text paragraphs), `drop_broken_links` (reply links that point
nowhere or loop) and namespace-blind element access (`child`, `children`, `element_text`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from email.utils import parsedate_to_datetime

import lxml.html
from lxml import etree

from ..errors import ParseError
from ..records import Comment, Thread

FORMAT = "wordpress-wxr"

_THREAD_TYPES = ("post", "page")
_PING_TYPES = {"pingback": "pingbacks", "trackback": "trackbacks", "pings": "pingbacks", "webmention": "webmentions"}
_APPROVAL_SKIPS = {"0": "unapproved comments", "spam": "spam comments", "trash": "trashed comments",
                   "post-trashed": "trashed comments"}
_NO_DATE = "0000-00-00 00:00:00"
# Shortcodes whose brackets are markup, not text: "[caption id=...]<img> A caption[/caption]".
_SHORTCODES = frozenset({"caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist",
                         "sourcecode", "source", "code", "youtube", "vimeo", "googlemaps", "slideshow"})
_TITLE_WORDS = 10


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


def detect(data: object) -> bool:
    """An `<rss>` root whose channel carries WordPress export elements (wxr_version, wp:post_type)."""
    if not isinstance(data, etree._Element) or local_name(data) != "rss":
        return False
    if any("wordpress.org/export" in (uri or "") for uri in data.nsmap.values()):
        return True
    channel = child(data, "channel")
    if channel is None:
        return False
    if child(channel, "wxr_version", namespaced=True) is not None:
        return True
    item = child(channel, "item")
    return item is not None and child(item, "post_type", namespaced=True) is not None


def parse(data: object, source: str) -> list[Thread]:
    try:
        return _parse(data, source)
    except RecursionError as exc:
        raise ParseError(source, "the export is nested too deeply to read") from exc


def _parse(root: object, source: str) -> list[Thread]:
    if not isinstance(root, etree._Element) or local_name(root) != "rss":
        raise ParseError(source, "not a WordPress export: the root element is not <rss>")
    channel = child(root, "channel")
    if channel is None:
        raise ParseError(source, "not a WordPress export: no <channel> element")
    site = element_text(child(channel, "title")) or None
    file_skips: dict[str, int] = {}
    threads: list[Thread] = []
    for item in children(channel, "item"):
        post_type = element_text(child(item, "post_type", namespaced=True))
        if post_type not in _THREAD_TYPES:
            _bump(file_skips, "non-post items")  # attachments, menu entries, custom types
            continue
        if element_text(child(item, "status", namespaced=True)) != "publish":
            _bump(file_skips, "unpublished posts")  # drafts, pending, private, trashed
            continue
        thread = _thread(item, site, source)
        if thread is None:
            _bump(file_skips, "empty posts")
        else:
            threads.append(thread)
    if not threads:
        raise ParseError(source, "the WordPress export holds no published post with text or comments")
    if file_skips:  # what the file left out outside any thread is reported once, on the first thread
        first = threads[0]
        threads[0] = Thread(first.title, first.paragraphs, first.comments, first.url, first.published,
                            first.source, first.source_file, first.format, {**first.skipped, **file_skips})
    return threads


def _thread(item: etree._Element, site: str | None, source: str) -> Thread | None:
    content = next((el for el in children(item, "encoded") if "excerpt" not in _namespace(el)), None)
    paragraphs = [p for p in map(_strip_shortcodes, html_paragraphs(element_text(content), autop=True)) if p]
    skipped: dict[str, int] = {}
    comments: list[Comment] = []
    seen: set[str] = set()
    for index, element in enumerate(children(item, "comment", namespaced=True)):
        comment_type = element_text(child(element, "comment_type", namespaced=True)).lower()
        approval = child(element, "comment_approved", namespaced=True)
        approved = "1" if approval is None else element_text(approval)  # the exporter always writes it
        if comment_type in _PING_TYPES:
            _bump(skipped, _PING_TYPES[comment_type])
            continue
        if approved != "1":
            _bump(skipped, _APPROVAL_SKIPS.get(approved, "unapproved comments"))
            continue
        cid = element_text(child(element, "comment_id", namespaced=True)) or f"c{index}"
        if cid in seen:
            _bump(skipped, "duplicate comments")
            continue
        body = element_text(child(element, "comment_content", namespaced=True))
        text = "\n\n".join(html_paragraphs(body, autop=True))
        if not text:
            _bump(skipped, "empty comments")
            continue
        seen.add(cid)
        parent = element_text(child(element, "comment_parent", namespaced=True))
        author = html.unescape(element_text(child(element, "comment_author", namespaced=True))).strip()
        comments.append(Comment(
            id=cid,
            author=author or None,
            text=text,
            parent=parent if parent and parent != "0" else None,
            posted=_wp_date(element, "comment_date_gmt", "comment_date"),
            score=None,
        ))
    comments = drop_broken_links(comments)
    if not paragraphs and not comments:
        return None
    title = html.unescape(element_text(child(item, "title"))).strip()
    if not title:
        words = paragraphs[0].split() if paragraphs else []
        post_id = element_text(child(item, "post_id", namespaced=True))
        title = (" ".join(words[:_TITLE_WORDS]) + ("…" if len(words) > _TITLE_WORDS else "")
                 if words else f"Untitled post {post_id}".strip())
    return Thread(
        title=title,
        paragraphs=tuple(paragraphs),
        comments=tuple(comments),
        url=element_text(child(item, "link")) or None,
        published=_wp_date(item, "post_date_gmt", "post_date") or _rss_date(element_text(child(item, "pubDate"))),
        source=site,
        source_file=source,
        format=FORMAT,
        skipped=skipped,
    )


def _wp_date(element: etree._Element, gmt_name: str, local_field: str) -> str | None:
    """"2009-02-07 06:48:54" (GMT) as ISO 8601 with a Z; the local time (no zone) when GMT is unset."""
    gmt = element_text(child(element, gmt_name, namespaced=True))
    if _is_wp_date(gmt):
        return gmt.replace(" ", "T") + "Z"
    local = element_text(child(element, local_field, namespaced=True))
    return local.replace(" ", "T") if _is_wp_date(local) else None


def _is_wp_date(value: str) -> bool:
    return (len(value) == 19 and value != _NO_DATE and value[4] == "-" and value[10] == " "
            and value.replace("-", "").replace(":", "").replace(" ", "").isdigit())


def _rss_date(value: str) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _strip_shortcodes(text: str) -> str:
    """Drop the bracket tags of known WordPress shortcodes, keeping what they enclose (on rendered
    text: the brackets are WordPress markup, not HTML)."""
    if "[" not in text:
        return text
    out: list[str] = []
    i = 0
    while True:
        start = text.find("[", i)
        end = text.find("]", start) if start >= 0 else -1
        if end < 0:
            out.append(text[i:])
            return "".join(out).strip()
        nested = text.rfind("[", start + 1, end)
        if nested >= 0:  # "[[x]": only the innermost bracket can open a shortcode
            out.append(text[i:nested])
            i = nested
            continue
        name = text[start + 1:end].lstrip("/").split(" ", 1)[0].split("\n", 1)[0]
        out.append(text[i:start])
        if name.lower() in _SHORTCODES:
            i = end + 1
        else:
            out.append("[")
            i = start + 1


# --- namespace-blind element access (disqus.py uses it too) ----------------------------------------

def local_name(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].rpartition(":")[2]


def _namespace(el: etree._Element) -> str:
    """The namespace URI, or for a tag whose prefix was never declared, the prefix."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    if tag.startswith("{"):
        return tag[1:tag.find("}")]
    return tag.rpartition(":")[0]


def children(el: etree._Element, name: str, namespaced: bool | None = None) -> list[etree._Element]:
    """Children with this local name; `namespaced` True/False keeps only (un)namespaced ones."""
    return [c for c in el if local_name(c) == name and (namespaced is None or bool(_namespace(c)) == namespaced)]


def child(el: etree._Element | None, name: str, namespaced: bool | None = None) -> etree._Element | None:
    """The first child with this local name; RSS's own elements (no namespace) first when asked for any."""
    if el is None:
        return None
    found = children(el, name, namespaced)
    if namespaced is None and len(found) > 1:
        found.sort(key=lambda c: bool(_namespace(c)))
    return found[0] if found else None


def element_text(el: etree._Element | None) -> str:
    """All the text inside an element, stripped ("" for none)."""
    if el is None:
        return ""
    return "".join(t for t in el.itertext() if isinstance(t, str)).strip()


def _bump(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


def drop_broken_links(comments: list[Comment]) -> list[Comment]:
    """Reply links to a comment the thread does not hold become None, and a chain of replies that
    loops back on itself is cut where it closes, so every reply chain ends at a top-level comment."""
    parent = {c.id: c.parent for c in comments}
    for cid, pid in parent.items():
        if pid not in parent or pid == cid:
            parent[cid] = None
    done: set[str] = set()
    for start in parent:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node not in done:
            if node in on_path:
                parent[path[-1]] = None  # the link that closed the loop
                break
            path.append(node)
            on_path.add(node)
            node = parent[node]
        done.update(path)
    return [c if c.parent == parent[c.id] else replace(c, parent=parent[c.id]) for c in comments]


# --- HTML to plain text (discourse.py and disqus.py use it too) --------------------------------

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
