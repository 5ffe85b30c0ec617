"""WordPress eXtended RSS (WXR) exports: `<rss>` with `wp:` elements, one `<item>` per post, page,
attachment or menu entry, and the post's `<wp:comment>`s inside it.

One thread per published post or page (`wp:post_type` post/page, `wp:status` publish) that has
text or approved comments; its `content:encoded` HTML (stored the WordPress way: blank lines are
paragraph breaks) gives the paragraphs. Only approved comments (`wp:comment_approved` 1) are kept;
pingbacks, trackbacks, unapproved, spam and trashed comments are left out and counted. Namespaced
tags are matched by local name, so every WXR version's namespace URI works, and the XML is read
with recovery because real exports are sometimes not well-formed (an undeclared `atom:` prefix).

The markup helpers it shares with the other importers are in markup.py.
"""

from __future__ import annotations

import html
from dataclasses import replace
from email.utils import parsedate_to_datetime

from lxml import etree

from ..errors import ParseError
from ..records import Comment, Thread
from .markup import child, children, element_text, html_paragraphs, local_name, namespace
from .reply_links import drop_broken_links

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
        threads[0] = replace(first, skipped={**first.skipped, **file_skips})
    return threads


def _thread(item: etree._Element, site: str | None, source: str) -> Thread | None:
    content = next((el for el in children(item, "encoded") if "excerpt" not in namespace(el)), None)
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
        author=html.unescape(element_text(child(item, "creator", namespaced=True))).strip() or None,
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


def _bump(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1
