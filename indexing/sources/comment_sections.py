"""Reader comments of saved article pages (WordPress, Drupal, Disqus, schema.org microdata, JSON-LD): authors,
text, parents by nesting, times, with pingbacks/trackbacks/deleted comments counted; interface text ("Reply",
"Like", vote counters, share buttons, login prompts, forms) is never a comment or part of one. Also a copy of
the page without its comment section and forms, so article extraction never sees comments."""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Callable, Iterator
from copy import deepcopy
from datetime import UTC, datetime
from typing import Any

import lxml.html
from lxml import etree

from ..errors import ParseError
from ..records import Comment
from .markup import all_text as _text
from .markup import class_names as _classes
from .markup import tag_name as _tag
from .reply_links import UniqueIds

_BLOCKS = frozenset("p div blockquote li ul ol dl dt dd h1 h2 h3 h4 h5 h6 table tr thead tbody tfoot section "
                    "article header footer figure figcaption hr address aside details summary main center".split())
_NEVER_TEXT = frozenset("script style noscript template form button input textarea select option svg iframe "
                        "object embed canvas menu nav audio video head title meta link".split())
_INTERFACE_CLASSES = frozenset(
    "reply comment-reply-link comment-reply-login reply-link sharedaddy sd-sharing-enabled sd-like sd-block "
    "likes like comment-like comment-likes wpl-likebox jetpack-likes-widget-wrapper share sharing social-share "
    "vote votes voting votelinks votearrow rating report flag comment-edit-link edit-link comment-awaiting-moderation "
    "says links comment-actions actions reactions screen-reader-text sr-only visually-hidden hidden element-hidden "
    "comment-subscription-form comment-respond respond navs togg epoch-comment-actions rdf-meta".split())
_INTERFACE_PARTS = ("reply-link", "report-link", "like-button", "likes-", "-likes", "sharing", "share-", "-share",
                    "vote-", "-vote", "reaction", "subscribe")
_META_CLASSES = frozenset(
    "comment-author vcard comment-meta commentmetadata comment-metadata comment__meta comment-header comment__header "
    "comment-footer comment__footer epoch-comment-meta post-byline post-meta submitted attribution comment-time "
    "comment__time comment-date avatar comment-avatar comment__author comment__permalink permalink fn "
    "comment-author-name commenter-name author username".split())
_PHRASES = frozenset(
    "reply|reply ↓|like|liked|unlike|likes|report|report comment|report abuse|share|flag|edit|delete|permalink|link|"
    "quote|upvote|downvote|vote up|vote down|loading|leave a reply|leave a comment|post a comment|add a comment|"
    "want to add to the discussion|cancel reply|log in to reply|login to reply|sign in to reply|show replies|"
    "hide replies|load more comments|view replies|share this|tweet|email|print|be the first to like this|log in|login|"
    "sign in|sign up|subscribe|follow|in reply to|says|said|awaiting moderation|read more|see more|show more|collapse|"
    "expand|next|prev|parent|context|you must be logged in to post a comment|sign in to comment|join the discussion|"
    "comments|0 comments|no comments yet".split("|"))
_COUNTED = frozenset("like likes point points vote votes reply replies upvote upvotes comment comments".split())
_ACTIONS = frozenset("reply upvote downvote vote flag share like report edit delete voting reply-link likes".split())
_STRIP = " .,!?:;|·•-–—()[]↓↑+*»«"
_CONTAINERS = frozenset("li div article section".split())
_CONTENT_CLASSES = ("comment-content", "comment_content", "epoch-comment-content", "field--name-comment-body",
                    "field-name-comment-body", "post-message", "comment-text", "comment-body", "comment-entry",
                    "commentbody", "comment__content", "comment_text", "wpd-comment-text", "wc-comment-text", "content")
_AUTHOR_CLASSES = (frozenset(["fn"]), frozenset("comment-author-name comment-author-link epoch-author-link "
                                                "comment__author commenter-name comment-author".split()),
                   frozenset("epoch-comment-author wpd-comment-author wc-comment-author username author-name user-name "
                             "author".split()))
_TIME_CLASSES = frozenset("comment-metadata commentmetadata comment-meta comment-date comment__time comment-time "
                          "epoch-comment-link time-ago date datetime post-meta submitted".split())
_SECTIONS = frozenset("comment-respond comments-area comment-form comments".split())
_DATE_PROPS = ("dateCreated", "datePublished", "commentTime", "dateModified")
_DELETED = frozenset(["this comment was deleted.", "this comment has been deleted.", "[deleted]", "[removed]",
                      "this comment was marked as spam.", "this comment has been removed by a moderator."])
_FORMATS = ("%B %d, %Y at %I:%M %p", "%B %d, %Y at %H:%M", "%B %d, %Y %I:%M %p", "%b %d, %Y at %I:%M %p",
            "%d %B %Y at %H:%M", "%d %B %Y at %I:%M %p", "%d %B, %Y at %I:%M %p", "%A, %B %d, %Y %I:%M %p",
            "%a, %m/%d/%Y - %H:%M", "%m/%d/%Y - %H:%M", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%Y/%m/%d")








def one_line(text: str) -> str:
    return " ".join(text.split())


def render(el, skip: Callable[[Any], bool] = lambda e: False) -> str:
    """The element's text: block elements make paragraphs ("\\n\\n"), <br> a line break, whitespace collapsed."""
    parts: list[str] = []  # "\x01" ends a paragraph, "\x02" starts a <pre> one

    def walk(node, depth: int) -> None:
        for child in node:
            tag = _tag(child)
            if tag and tag not in _NEVER_TEXT and not skip(child) and depth < 400:
                if tag in ("br", "img"):
                    smiley = tag == "img" and {"wp-smiley", "emoji", "smiley"} & _classes(child)
                    parts.append("\n" if tag == "br" else (child.get("alt") or "") if smiley else "")
                elif tag == "pre":
                    parts.append("\x01\x02" + _text(child) + "\x01")
                else:
                    block = "\x01" if tag in _BLOCKS else " " if tag in ("td", "th") else ""
                    parts.append(block.strip() + (child.text or ""))
                    walk(child, depth + 1)
                    parts.append(block)
            parts.append(child.tail or "")

    parts.append(el.text or "" if _tag(el) not in _NEVER_TEXT else "")
    walk(el, 0)
    out = []
    for raw in "".join(parts).split("\x01"):
        pre = raw.startswith("\x02")
        lines = [line.rstrip() if pre else one_line(line) for line in raw.lstrip("\x02").split("\n")]
        out.append("\n".join(line for line in lines if line.strip()))
    return "\n\n".join(p for p in out if p)


def is_interface_phrase(text: str) -> bool:
    """Button and counter text: "Reply", "LikeLiked by 21 people", "3 likes", "Want to add to the discussion?"."""
    t = one_line(text).lower().strip(_STRIP)
    if t in _PHRASES or (t.startswith("like") and "liked by" in t) or t.startswith("be the first to like"):
        return bool(t)
    words = t.replace(",", "").split()
    return len(words) == 2 and words[0].isdigit() and words[1] in _COUNTED


def _is_interface(el) -> bool:
    tag, classes = _tag(el), _classes(el)
    if tag and (classes & _INTERFACE_CLASSES or any(part in c for c in classes for part in _INTERFACE_PARTS)
                or (tag == "a" and (el.get("href") or "").strip().lower().startswith("javascript:"))
                or el.get("data-action") in _ACTIONS or el.get("data-role") in _ACTIONS or el.get("role") == "button"):
        return True
    if len(el) <= 3 and (tag in ("a", "span", "small", "label", "em", "strong", "b", "i", "u", "font") or (
            tag in ("p", "div", "li") and (el.get("class") or el.get("id")))):
        text = _text(el)
        return (len(text) <= 60 and is_interface_phrase(text)) or (tag == "a" and text.strip().isdigit())
    return False


def _no_ordinal(word: str) -> str:
    core = word.rstrip(",")  # "5th," -> "5,"
    return core[:-2] + word[len(core):] if core[:-2].isdigit() and core[-2:].lower() in ("st", "nd", "rd", "th") else (
        word)


def iso_time(value: object) -> str | None:
    """ISO 8601 text for a machine timestamp or a common human date ("March 10, 2017 at 12:20 AM"), else None."""
    text = " ".join(map(_no_ordinal, value.replace(" @ ", " at ").split())) if isinstance(value, str) else ""
    if text.isdigit() and 9 <= len(text) <= 10:  # a Unix timestamp
        return datetime.fromtimestamp(int(text), tz=UTC).isoformat()
    for fmt in ("iso", *_FORMATS) if 0 < len(text) <= 64 else ():
        try:
            if fmt == "iso":
                return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text).isoformat()
            return datetime.strptime(text, fmt).isoformat()
        except ValueError:
            continue
    return None


def _numeric_suffix(value: object, prefix: str) -> bool:
    return isinstance(value, str) and value.startswith(prefix) and value[len(prefix):].isdigit()


def _is_ping(el) -> bool:
    return _tag(el) == "li" and bool(_classes(el) & {"pingback", "trackback"})


def _find_candidates(root) -> tuple[list, Counter]:
    """Comment elements in document order, and the pingbacks/trackbacks seen (skipped)."""
    found: set = set()
    skipped: Counter = Counter()
    order: dict = {}
    for el in root.iter():
        order[el] = len(order)
        tag, classes = _tag(el), _classes(el)
        if _is_ping(el):
            skipped["trackbacks" if "trackback" in classes else "pingbacks"] += 1
        elif tag in _CONTAINERS and ((tag == "li" and "comment" in classes) or classes & {"wpd-comment", "wc-comment"}
                                     or _numeric_suffix(el.get("id"), "comment-")
                                     or (el.get("itemscope") is not None and any(t.rstrip("/").rsplit("/", 1)[-1] in (
                                         "Comment", "UserComments") for t in (el.get("itemtype") or "").split()))
                                     or ("comment" in classes and ("js-comment" in classes
                                                                   or "Comment" in (el.get("typeof") or "")
                                                                   or any(a.get("id") == "comments"
                                                                          or "comments" in _classes(a)
                                                                          for a in el.iterancestors())))):
            found.add(el)  # WordPress li.comment / #comment-N, microdata, Drupal 8+ and 7 (RDFa), .comments > .comment
        elif classes & {"field--name-comment-body", "field-name-comment-body", "username", "comment-author", "fn"}:
            holder = next((a for a in el.iterancestors()
                           if "comment" in _classes(a) and _tag(a) in _CONTAINERS), None)
            if holder is not None:
                found.add(holder)
        elif "post-message" in classes:  # Disqus: li.post (or #post-N) around .post-message
            holder = next((a for a in el.iterancestors() if (_tag(a) == "li" and "post" in _classes(a))
                           or _numeric_suffix(a.get("id"), "post-")), el.getparent())
            found.add(holder if holder is not None else el)
    found = {el for el in found if not _is_ping(el) and not any(_is_ping(a) for a in el.iterancestors())}
    return sorted(found, key=lambda e: order.get(e, 0)), skipped


def _own(el, cset: set) -> Iterator:
    """Descendants of a comment element that are not inside a nested comment."""
    stack = list(reversed(el))
    while stack:
        node = stack.pop()
        if node in cset:
            continue
        yield node
        stack.extend(reversed(node))


def _structure(cands: list) -> tuple[list, dict, dict]:
    """Comments, each one's enclosing comment, and the outermost wrapper (li#li-comment-2 > div#comment-2) of each."""
    cset = set(cands)
    anc: dict = {}
    children: dict = {}
    for el in cands:
        parent = None
        for a in el.iterancestors():  # Drupal: replies follow their parent, in a sibling div.indented
            parent = a if a in cset else next((s for s in a.itersiblings(preceding=True) if s in cset), None) if (
                "indented" in _classes(a)) else None
            if parent is not None:
                break
        anc[el] = parent
        children.setdefault(parent, []).append(el)
    outer: dict = {}
    kept = []
    for el in cands:  # document order: an outer wrapper is merged before the one inside it
        inner = children.get(el)
        if inner and inner[0].getparent() is el and not render(el, lambda e: e in cset or _is_interface(e)).strip():
            first, rest = inner[0], inner[1:]
            outer[first], anc[first] = outer.pop(el, el), anc[el]
            anc.update(dict.fromkeys(rest, first))
            children.setdefault(first, []).extend(rest)
        else:
            kept.append(el)
    return kept, anc, outer


def _first(elements: list, match: Callable[[Any], bool]):
    return next((e for e in elements if _tag(e) and match(e)), None)


def _has(names: set[str] | frozenset[str], props: tuple[str, ...] = ()) -> Callable[[Any], bool]:
    return lambda e: bool(_classes(e) & names) or e.get("itemprop") in props


def _author(own: list) -> str | None:
    prop = _first(own, lambda e: e.get("itemprop") == "author")
    name = None if prop is None else _first(list(prop.iter()), lambda e: e.get("itemprop") == "name")
    choices = [name if name is not None else prop]
    choices += [_first(own, _has(group)) for group in _AUTHOR_CLASSES]
    choices.append(_first(own, lambda e: _tag(e) == "cite"))
    for el in (c for c in choices if c is not None):
        name = el.get("content") if _tag(el) == "meta" else render(el, lambda e: _is_interface(e) or bool(
            _tag(e) == "time" or _classes(e) & (_TIME_CLASSES | {"avatar"})))
        name = one_line(name or _text(el)).strip(" ·•|:-–—")
        for suffix in (" says", " (not verified)", " said"):
            name = name[: -len(suffix)].strip() if name.lower().endswith(suffix) else name
        name = name[3:].strip() if name.lower().startswith("by ") else name
        if name and len(name) <= 120 and not is_interface_phrase(name):
            return name
    return None


def _time(own: list) -> str | None:
    stamps = (el.get(a) for el in own if _tag(el) for a in ("datetime", "content", "data-comment-timestamp")
              if a != "content" or el.get("itemprop") in _DATE_PROPS or "dc:date" in (el.get("property") or ""))
    times = (part for el in own if _tag(el) == "time" or (_tag(el) and _classes(el) & _TIME_CLASSES)
             for part in (el, *el.iterdescendants()) if _tag(part))
    return next(filter(None, map(iso_time, stamps)), None) or next(
        filter(None, (iso_time(_text(p)) or iso_time(p.get("title")) for p in times)), None)


def _element_id(*elements) -> str | None:
    for el in elements:
        value = (el.get("id") or "").strip()
        if (el.get("data-comment-id") or "").strip():
            return el.get("data-comment-id").strip()
        if any(_numeric_suffix(value, prefix) for prefix in ("li-comment-", "div-comment-", "comment-", "post-")):
            return value.lstrip("abcdefghijklmnopqrstuvwxyz-")
    return next((el.get(a).strip() for el in elements for a in ("itemid", "id") if (el.get(a) or "").strip()), None)


def _dom_comments(root) -> tuple[list[Comment], dict[str, int]] | None:
    cands, skipped = _find_candidates(root)
    kept, anc, outer = _structure(cands)
    cset = set(kept)
    ids: dict = {}
    used = UniqueIds()
    made: list[Comment] = []
    for el in kept:
        own = list(_own(el, cset))
        content = next((found for name in _CONTENT_CLASSES
                        if (found := _first(own, _has({name}, ("text", "commentText")))) is not None), el)
        text = render(content, lambda e: e in cset or _is_interface(e) or bool(_classes(e) & _META_CLASSES) or _tag(
            e) in ("header", "footer", "cite", "h1", "h2", "h3", "h4", "h5", "h6"))  # "cite": old themes' author
        text = "\n\n".join(p for p in text.split("\n\n") if not is_interface_phrase(p))  # a bare "Says:", "Reply"
        if text.lower() in _DELETED or not text:
            skipped["deleted comments" if text else "empty comments"] += 1
            continue
        cid = _element_id(*(e for e in (outer.get(el), el) if e is not None)) or f"c{len(made)}"
        cid = used.take(cid)  # ids are unique within the thread
        ids[el] = cid
        made.append(Comment(id=cid, author=_author(own), text=text, parent=anc.get(el), posted=_time(own)))
    comments = [Comment(c.id, c.author, c.text, ids.get(c.parent), c.posted, c.score) for c in made]
    counts = {k: v for k, v in skipped.items() if v}
    return (comments, counts) if comments or set(counts) - {"empty comments"} else None


def _ld_text(value: object) -> str:
    value = value if isinstance(value, str) else ""
    if "<" in value and ">" in value:
        try:
            return render(lxml.html.fragment_fromstring(value, create_parent="div"))
        except (etree.LxmlError, ValueError, TypeError):
            pass
    paragraphs = (one_line(p) for p in html.unescape(value).replace("\r", "").split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _ld_key(obj: object) -> str | None:
    keys = ("@id", "url", "identifier")
    values = [obj] if isinstance(obj, str) else [obj.get(k) for k in keys] if type(obj) is dict else []
    return next((str(v).strip() for v in values if type(v) in (str, int) and str(v).strip()), None)


def _json_ld_comments(root) -> tuple[list[Comment], dict[str, int]] | None:
    """schema.org Comment objects in JSON-LD scripts; replies are nested `comment` arrays or `parentItem` links."""
    found: list[tuple[dict, dict | None]] = []

    def walk(value: object, parent: dict | None, in_comment: bool) -> None:
        for item in value if isinstance(value, list) else ():
            walk(item, parent, in_comment)
        if isinstance(value, dict):
            kind = value.get("@type")
            is_comment = any(isinstance(t, str) and t.rsplit("/", 1)[-1] == "Comment" for t in (
                kind if isinstance(kind, list) else [kind])) or (in_comment and kind is None and "text" in value)
            if is_comment:
                found.append((value, parent))
            for key, item in value.items():
                walk(item, value if is_comment else parent, key == "comment")

    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json" and script.text:
            try:
                walk(json.loads(script.text.strip()), None, False)
            except (ValueError, RecursionError):
                continue
    comments: list[Comment] = []
    skipped: Counter = Counter()
    ids, by_key, used = {}, {}, UniqueIds()
    for obj, parent in found:
        key = _ld_key(obj)
        text = _ld_text(obj.get("text") if obj.get("text") is not None else obj.get("commentText"))
        skipped["deleted comments"] += text.lower() in _DELETED
        if not text or text.lower() in _DELETED or (key is not None and key in by_key):
            continue
        cid = key or f"ld{len(comments) + 1}"
        cid = used.take(cid)
        ids[id(obj)] = cid
        if key is not None:
            by_key[key] = cid
        ref = _ld_key(obj.get("parentItem"))  # a reply given by reference rather than by nesting
        parent_id = ids.get(id(parent)) if parent is not None else by_key.get(ref) if ref else None
        score, author = obj.get("upvoteCount"), obj.get("author")
        author = author[0] if isinstance(author, list) and author else author
        name = author.get("name") if isinstance(author, dict) else author
        posted = next(filter(None, map(iso_time, map(obj.get, _DATE_PROPS))), None)
        comments.append(Comment(id=cid, author=(one_line(name) or None) if isinstance(name, str) else None, text=text,
                                parent=parent_id, posted=posted,
                                score=score if isinstance(score, int) and not isinstance(score, bool) else None))
    counts = {k: v for k, v in skipped.items() if v}
    return (comments, counts) if comments or counts else None


def as_root(data: object, source: str):
    """The lxml element of a page given as an element, an ElementTree, bytes or str; ParseError otherwise."""
    data = data.getroot() if isinstance(data, etree._ElementTree) else data
    if isinstance(data, etree._Element):
        return data
    if not isinstance(data, (bytes, bytearray, str)) or not data.strip():
        raise ParseError(source, "the page is empty" if isinstance(data, (bytes, bytearray, str))
                         else f"expected an HTML page, not {type(data).__name__}")
    error: Exception | None = None  # a str with an XML encoding declaration is read again as UTF-8 bytes
    for attempt in (data, data.encode("utf-8", "replace") if isinstance(data, str) else bytes(data)):
        try:
            return lxml.html.fromstring(attempt)
        except (etree.LxmlError, ValueError, TypeError) as exc:
            error = exc
    raise ParseError(source, f"the HTML could not be parsed ({error})") from error


def extract_comments(root: object, source: str = "page") -> tuple[list[Comment], dict[str, int]] | None:
    """The page's comments and what was skipped, or None when the page has no recognisable comment section."""
    root = as_root(root, source)
    try:
        return _dom_comments(root) or _json_ld_comments(root)
    except (etree.LxmlError, ValueError, TypeError, RecursionError) as exc:
        raise ParseError(source, f"the comment section could not be read ({exc})") from exc


def _holds_article(el, cset: set) -> bool:
    """Whether removing `el` would take article content with it (comments themselves do not count)."""
    return _tag(el) in ("html", "body", "main") or any(
        _tag(d) in ("article", "h1") or d.get("itemprop") == "articleBody"
        or _classes(d) & {"entry-content", "post-content", "article-content", "article-body", "entry-body", "hentry"}
        for d in (el, *_own(el, cset)) if _tag(d))


def article_without_comments(root: object, source: str = "page"):
    """A copy of the page without its comment section and comment forms (the original is left untouched)."""
    page = deepcopy(as_root(root, source))
    try:
        cands, _ = _find_candidates(page)
        cset = set(cands) | {el for el in page.iter() if _is_ping(el)}
        holds: dict = {}
        targets = []
        for el in cset:
            if any(a in cset for a in el.iterancestors()):
                continue
            top = el
            for a in el.iterancestors():  # climb through the section's wrappers: ol.comment-list, div#comments
                if a not in holds:
                    names = " ".join([a.get("id") or "", a.get("class") or ""]).lower()
                    holds[a] = _holds_article(a, cset) or not any(w in names for w in ("comment", "disqus"))
                if holds[a]:
                    break
                top = a
            targets.append(top)
        for el in page.iter():
            section = el.get("id") in ("comments", "respond", "disqus_thread") or _classes(el) & _SECTIONS
            if (_tag(el) == "form" and any(_tag(d) == "textarea" for d in el.iter())) or (
                    section and not _holds_article(el, cset)):
                targets.append(el)
        removed: set = set()
        for el in targets:
            parent, previous = el.getparent(), el.getprevious()
            if el in removed or parent is None or any(a in removed for a in el.iterancestors()):
                continue
            holder, attr = (previous, "tail") if previous is not None else (parent, "text")  # keep the text after it
            setattr(holder, attr, (getattr(holder, attr) or "") + (el.tail or ""))
            parent.remove(el)
            removed.add(el)
    except (etree.LxmlError, ValueError, TypeError, RecursionError) as exc:
        raise ParseError(source, f"the comment section could not be removed ({exc})") from exc
    return page

