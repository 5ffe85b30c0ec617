"""Saved Hacker News item pages (news.ycombinator.com/item?id=...), 2013-2025 markup.

The page is a flat table of comment rows; a row's depth is its `td.ind` `indent` attribute or the width of
its spacer image (40 px a level), and its parent is the nearest row above it one level up. Older pages
(2013-2015) have no `athing comtr` rows: each comment is a `td.default` cell with a `span.comhead` and a
`span.comment`. The story is the `td.title` link (`titleline` since 2022, `storylink`/`titlelink` before),
its time the `span.age` title, and an Ask HN text the `div.toptext` (older pages: the row under the
subtext). Vote arrows, "reply" links and navigation are never text; `[flagged]`, `[dead]` and deleted
comments are skipped and counted.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html
from lxml import etree

from ..errors import ParseError
from ..records import Comment, Thread
from .markup import all_text as _text
from .markup import class_names as _classes
from .markup import tag_name as _tag
from .reply_links import UniqueIds

FORMAT = "hn-item-html"
SITE = "Hacker News"
BASE = "https://news.ycombinator.com/"
_LEVEL_PX = 40
_BLOCKS = frozenset("p div blockquote li ul ol pre h1 h2 h3 h4 h5 h6 table tr section article hr".split())
_NEVER_TEXT = frozenset("script style noscript form button input textarea select svg iframe head".split())
_SKIP_CLASSES = frozenset("reply votelinks votearrow navs togg comhead hnuser age score".split())
_PLACEHOLDERS = {"[flagged]": "flagged comments", "[dead]": "dead comments", "[deleted]": "deleted comments"}








def _find(el, cls: str, tag: str = "*") -> list:
    return el.xpath(f".//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]")


def _is_ui(el) -> bool:
    """Vote arrows, reply links, navigation: never part of a comment's text."""
    href = el.get("href")
    return bool(_classes(el) & _SKIP_CLASSES) or (isinstance(href, str) and href.startswith(("reply?", "vote?")))


def _render(el) -> str:
    """Plain text: paragraphs (<p>, block elements) separated by a blank line, whitespace collapsed, <pre> kept."""
    paras: list[list[str]] = [[]]

    def brk() -> None:
        if paras[-1]:
            paras.append([])

    def walk(node, depth: int) -> None:
        for child in node:
            tag = _tag(child)
            if tag and tag not in _NEVER_TEXT and not _is_ui(child) and depth < 400:
                if tag == "br":
                    paras[-1].append("\n")
                elif tag == "pre":
                    brk()
                    paras[-1].append("\x00" + _text(child))
                    brk()
                else:
                    if tag in _BLOCKS:
                        brk()
                    paras[-1].append(child.text or "")
                    walk(child, depth + 1)
                    if tag in _BLOCKS:
                        brk()
            paras[-1].append(child.tail or "")

    paras[-1].append(el.text or "")
    walk(el, 0)
    out = []
    for pieces in paras:
        raw = "".join(pieces)
        if raw.startswith("\x00"):
            lines = [line.rstrip() for line in raw[1:].split("\n")]
        else:
            lines = [" ".join(line.split()) for line in raw.split("\n")]
        text = "\n".join(line for line in lines if line.strip())
        if text.strip():
            out.append(text)
    return "\n\n".join(out)


def _root(data: object, source: str):
    if isinstance(data, etree._ElementTree):
        data = data.getroot()
    if isinstance(data, etree._Element):
        return data
    if isinstance(data, (bytes, bytearray, str)):
        if not data.strip():
            raise ParseError(source, "the page is empty")
        try:
            try:
                return lxml.html.fromstring(bytes(data) if isinstance(data, bytearray) else data)
            except ValueError:  # a str with an XML encoding declaration
                if isinstance(data, str):
                    return lxml.html.fromstring(data.encode("utf-8", "replace"))
                raise
        except (etree.LxmlError, ValueError, TypeError) as exc:
            raise ParseError(source, f"the HTML could not be parsed ({exc})") from exc
    raise ParseError(source, f"expected a saved Hacker News page, not {type(data).__name__}")


def _page_title(root) -> str:
    for el in root.iter("title"):
        return " ".join((_text(el) or "").split())
    return ""


def detect(data: object) -> bool:
    """A saved HN item page: HN's comment rows or story table, or an HN <title> with its comment headers."""
    if not isinstance(data, etree._Element) or not isinstance(data.tag, str):
        return False
    try:
        if data.xpath("//tr[contains(concat(' ', normalize-space(@class), ' '), ' comtr ')]"
                      "|//table[contains(concat(' ', normalize-space(@class), ' '), ' comment-tree ')]"
                      "|//table[contains(concat(' ', normalize-space(@class), ' '), ' fatitem ')]"):
            return True
        hn_title = _page_title(data).endswith("| Hacker News")
        return (hn_title or bool(data.xpath("//*[@id='hnmain']"))) and bool(
            _find(data, "comhead") or _find(data, "subtext"))
    except (etree.LxmlError, ValueError, TypeError):
        return False


def _query_id(href: object, key: str = "id") -> str | None:
    if not isinstance(href, str):
        return None
    values = parse_qs(urlsplit(href).query).get(key)
    return values[0] if values and values[0].strip().isdigit() else None


def _age(el) -> str | None:
    """The ISO time of an `span.age` title ("2025-01-02T03:04:05" or "2025-01-02T03:04:05 1735787045"), UTC."""
    for age in _find(el, "age"):
        title = (age.get("title") or "").split()
        if title:
            try:
                moment = datetime.fromisoformat(title[0].rstrip("Z"))
            except ValueError:
                continue
            return moment.isoformat() + ("Z" if moment.tzinfo is None else "")
    return None


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip().removesuffix("px"))
    except (TypeError, ValueError):
        return None


def _depth(row, cell) -> int:
    for ind in _find(row, "ind", "td"):
        level = _int(ind.get("indent"))
        if level is not None:
            return max(level, 0)
        for img in ind.iter("img"):
            width = _int(img.get("width"))
            if width is not None:
                return max(width // _LEVEL_PX, 0)
    for img in row.iter("img"):  # 2013-2015: a spacer s.gif before the vote arrow, outside the comment cell
        src = img.get("src") or ""
        if src.endswith("s.gif") and cell not in img.iterancestors():
            return max((_int(img.get("width")) or 0) // _LEVEL_PX, 0)
    return 0


def _comment_id(row, cell) -> str | None:
    row_id = (row.get("id") or "").strip()
    if row_id.isdigit():
        return row_id
    for a in row.iter("a"):
        a_id = a.get("id") or ""
        if a_id.startswith("up_") and a_id[3:].isdigit():
            return a_id[3:]
    for a in cell.iter("a"):
        href = a.get("href") or ""
        if href.startswith(("item?", "reply?")) and _query_id(href):
            return _query_id(href)
    return None


def _author(cell) -> str | None:
    for a in [*_find(cell, "hnuser", "a"), *cell.xpath(".//a[starts-with(@href, 'user?id=')]")]:
        name = " ".join(_text(a).split())
        if name:
            return name
    return None


def _comment_units(root, story_table) -> list[tuple[object, object]]:
    """(row, cell) per comment in page order: `tr.comtr` rows, else (older markup) `td.default` cells."""
    rows = root.xpath("//tr[contains(concat(' ', normalize-space(@class), ' '), ' comtr ')]")
    units = []
    if rows:
        for row in rows:
            cells = _find(row, "default", "td")
            units.append((row, cells[0] if cells else row))
    else:
        for cell in _find(root, "default", "td"):
            row = cell.getparent() if cell.getparent() is not None else cell
            units.append((row, cell))
    if story_table is not None:
        units = [(r, c) for r, c in units if r is not story_table and story_table not in r.iterancestors()]
    return units


def _story(root):
    """(title, url, published, story table, paragraphs) of the item at the top of the page."""
    links = root.xpath("//span[contains(concat(' ', normalize-space(@class), ' '), ' titleline ')]/a"
                       "|//a[contains(concat(' ', normalize-space(@class), ' '), ' storylink ')]"
                       "|//a[contains(concat(' ', normalize-space(@class), ' '), ' titlelink ')]")
    if not links:
        links = [a for td in _find(root, "title", "td") for a in td.iterchildren("a")
                 if not (a.get("href") or "").startswith(("vote?", "from?"))]
    link = next((a for a in links if _text(a).strip()), None)
    fat = _find(root, "fatitem", "table")
    table = fat[0] if fat else None
    if table is None and link is not None:
        table = next(link.iterancestors("table"), None)
    title = " ".join(_text(link).split()) if link is not None else ""
    url = link.get("href") if link is not None else None
    url = urljoin(BASE, url.strip()) if isinstance(url, str) and url.strip() else None
    published = None
    paragraphs: list[str] = []
    if table is not None:
        subtext = _find(table, "subtext", "td")
        published = _age(subtext[0]) if subtext else _age(table)
        top = _find(table, "toptext", "div")
        if top:
            paragraphs = _render(top[0]).split("\n\n")
        elif subtext:  # older pages: the text sits in the rows after the subtext row, before the form
            row = subtext[0].getparent()
            for after in row.itersiblings("tr") if row is not None else []:
                if after.xpath(".//form|.//textarea") or _find(after, "default"):
                    break
                text = _render(after)
                if text:
                    paragraphs += text.split("\n\n")
        if link is None:  # the page of a comment: its text opens the thread, "on: <story>" names it
            texts = _find(table, "commtext") or _find(table, "comment")
            paragraphs = _render(texts[0]).split("\n\n") if texts and not paragraphs else paragraphs
            title = next((" ".join(_text(a).split()) for a in table.xpath(
                ".//span[contains(concat(' ', normalize-space(@class), ' '), ' onstory ')]//a")), "")
        if not url:
            item = next((_query_id(a.get("href")) for a in table.iter("a") if _query_id(a.get("href"))), None)
            url = f"{BASE}item?id={item}" if item else None
    return title, url, published, table, [p for p in paragraphs if p.strip()]


def parse(data: object, source: str) -> list[Thread]:
    root = _root(data, source)
    try:
        return [_parse(root, source)]
    except (etree.LxmlError, ValueError, TypeError, RecursionError) as exc:
        raise ParseError(source, f"the Hacker News page could not be read ({exc})") from exc


def _parse(root, source: str) -> Thread:
    title, url, published, story_table, paragraphs = _story(root)
    skipped: Counter = Counter()
    comments: list[Comment] = []
    stack: list[tuple[int, str | None]] = []  # (depth, kept comment id or None) of the rows above
    used = UniqueIds()
    for row, cell in _comment_units(root, story_table):
        depth = _depth(row, cell)
        texts = _find(cell, "commtext") or _find(cell, "comment")
        text = _render(texts[0]) if texts else ""
        heads = _find(cell, "comhead")
        head = " ".join(_text(heads[0]).split()) if heads else ""
        author = _author(cell)
        marks = [v for k, v in _PLACEHOLDERS.items() if k in head.split() or text.strip().lower() == k]
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1] if stack else None
        if marks or (not author and not text):
            if marks:
                skipped[marks[0]] += 1
            stack.append((depth, None))
            continue
        if not text:
            skipped["empty comments"] += 1
            stack.append((depth, None))
            continue
        cid = _comment_id(row, cell) or f"c{len(comments) + 1}"
        cid = used.take(cid)
        comments.append(Comment(id=cid, author=author, text=text, parent=parent, posted=_age(cell)))
        stack.append((depth, cid))
    if not (title or paragraphs or comments):
        raise ParseError(source, "no Hacker News story or comments were found in the page")
    if not title:
        title = _page_title(root).removesuffix("| Hacker News").strip()
    if not title:
        words = (paragraphs[0] if paragraphs else comments[0].text).split()
        title = " ".join(words[:12]) + ("…" if len(words) > 12 else "")
    author, score = _submitter(story_table)
    return Thread(title=title, paragraphs=tuple(paragraphs), comments=tuple(comments), url=url,
                  published=published, source=SITE, source_file=source, format=FORMAT, skipped=dict(skipped),
                  author=author, score=score)


def _submitter(story_table) -> tuple[str | None, float | None]:
    """The story's `hnuser` and "N points" from its subtext row (None for what the page lacks)."""
    subtext = _find(story_table, "subtext", "td") if story_table is not None else []
    if not subtext:
        return None, None
    points = [_text(span) for span in subtext[0].iter("span")
              if "score" in _classes(span) or (span.get("id") or "").startswith("score_")]
    found = re.match(r"\s*(\d+)\s+points?", points[0]) if points else None
    return _author(subtext[0]), float(found.group(1)) if found else None
