"""Discourse topic JSON (`/t/ID.json`) and posts JSON (`/t/ID/posts.json`).

Both hold `post_stream.posts`, each post with `cooked` HTML, `username`, `post_number`,
`reply_to_post_number`, `post_type` and `created_at`; the topic JSON also has the topic's `title`,
`id`, `slug` and `created_at`. Post number 1 is the opening post (the article); a page from the
middle of a topic has no post 1, so it is title and comments only, and replies to posts outside the
page have no parent. Only regular posts (type 1) are comments: small actions ("closed the topic"),
moderator actions and whispers are left out and counted, as are hidden and deleted posts.

Quoted material (`aside.quote`, "Name: quoted text") stays in a comment's text by default, as the
forum shows it; `parse(..., drop_quotes=True)` leaves it out.
"""

from __future__ import annotations

import html

from lxml import etree

from ..errors import ParseError
from ..records import Comment, Thread
from .markup import html_paragraphs  # the HTML renderer the importers share
from .reply_links import drop_broken_links

FORMAT = "discourse"

_REGULAR, _MODERATOR_ACTION, _SMALL_ACTION, _WHISPER = 1, 2, 3, 4
_POST_TYPE_SKIPS = {_MODERATOR_ACTION: "moderator action posts", _SMALL_ACTION: "small action posts",
                    _WHISPER: "whispers"}
_LIKE_ACTION = 2  # actions_summary id of a like
_PLACEHOLDER_SLUGS = {"", "topic"}  # Discourse's slug for titles it cannot transliterate


def detect(data: object) -> bool:
    """A JSON object with `post_stream.posts`, a list of post objects (post_number / cooked)."""
    if not isinstance(data, dict):
        return False
    stream = data.get("post_stream")
    if not isinstance(stream, dict):
        return False
    posts = stream.get("posts")
    if not isinstance(posts, list):
        return False
    first = next((p for p in posts[:5] if isinstance(p, dict)), None)
    return first is None or "post_number" in first or "cooked" in first


def parse(data: object, source: str, *, drop_quotes: bool = False) -> list[Thread]:
    try:
        return [_parse_topic(data, source, drop_quotes)]
    except RecursionError as exc:
        raise ParseError(source, "the topic is nested too deeply to read") from exc


def _parse_topic(data: object, source: str, drop_quotes: bool) -> Thread:
    if not isinstance(data, dict):
        raise ParseError(source, "a Discourse topic must be a JSON object")
    stream = data.get("post_stream")
    posts = stream.get("posts") if isinstance(stream, dict) else None
    if not isinstance(posts, list):
        raise ParseError(source, 'no "post_stream.posts" list: not a Discourse topic or posts file')
    skipped: dict[str, int] = {}

    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    kept: dict[int, dict] = {}
    for post in posts:
        number = _post_number(post)
        if number is None:
            skip("malformed posts")
            continue
        post_type = _int(post.get("post_type"))
        if post_type is not None and post_type != _REGULAR:
            skip(_POST_TYPE_SKIPS.get(post_type, "other post types"))
        elif post.get("deleted_at") or post.get("user_deleted") is True:
            skip("deleted posts")
        elif post.get("hidden") is True:
            skip("hidden posts")
        elif number in kept:
            skip("duplicate posts")
        else:
            kept[number] = post

    paragraphs: list[str] = []
    article = kept.pop(1, None)
    if article is not None:
        paragraphs = _post_paragraphs(article, drop_quotes)
    comments: list[Comment] = []
    for number, post in kept.items():
        text = "\n\n".join(_post_paragraphs(post, drop_quotes))
        if not text:
            skip("empty posts")
            continue
        reply_to = _int(post.get("reply_to_post_number"))
        comments.append(Comment(
            id=str(number),
            author=_author(post),
            text=text,
            parent=str(reply_to) if reply_to is not None and reply_to in kept else None,
            posted=_str(post.get("created_at")),
            score=_likes(post),
        ))
    comments = drop_broken_links(comments)
    if not paragraphs and not comments:
        raise ParseError(source, "the Discourse topic holds no readable posts")
    published = _str(data.get("created_at")) or (_str(article.get("created_at")) if article else None)
    return Thread(
        title=_title(data, posts),
        paragraphs=tuple(paragraphs),
        comments=tuple(comments),
        url=None,  # the JSON holds only relative post URLs, not the forum's address
        published=published,
        source=None,
        source_file=source,
        format=FORMAT,
        author=_author(article) if article is not None else None,
        score=_likes(article) if article is not None else None,
        skipped=skipped,
    )


def _post_number(post: object) -> int | None:
    if not isinstance(post, dict):
        return None
    number = _int(post.get("post_number"))
    if number is None or number < 1:
        return None
    if not isinstance(post.get("cooked"), str) and not isinstance(post.get("raw"), str):
        return None
    return number


def _post_paragraphs(post: dict, drop_quotes: bool) -> list[str]:
    cooked = post.get("cooked")
    if isinstance(cooked, str):
        return html_paragraphs(_clean(cooked), prepare=lambda root: _prepare(root, drop_quotes))
    raw = _clean(post.get("raw") or "")  # posts.json?include_raw without cooked: the markdown source
    return [p.strip() for p in raw.split("\n\n") if p.strip()]


def _prepare(root: etree._Element, drop_quotes: bool) -> None:
    """Discourse's own furniture: link previews become their URL, image captions ("image 800×600
    90 KB") go, and quotes of other posts go when asked."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        classes = (el.get("class") or "").split()
        if drop_quotes and el.tag == "aside" and "quote" in classes:
            _remove(el)
        elif "onebox" in classes or any(c.endswith("-onebox") for c in classes):
            url = el.get("data-onebox-src") or next((a.get("href") for a in el.iter("a") if a.get("href")), "")
            replacement = etree.Element("p")
            replacement.text = url
            replacement.tail = el.tail
            el.getparent().replace(el, replacement)
        elif el.tag == "div" and "meta" in classes and _inside_class(el, "lightbox-wrapper"):
            _remove(el)


def _inside_class(el: etree._Element, name: str) -> bool:
    return any(name in (a.get("class") or "").split() for a in el.iterancestors())


def _remove(el: etree._Element) -> None:
    """Remove an element but keep its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _author(post: dict) -> str | None:
    for key in ("username", "name", "display_username"):
        value = post.get(key)
        if isinstance(value, str) and value.strip():
            return _clean(value.strip())
    return None


def _likes(post: dict) -> float | None:
    count = post.get("like_count")
    if isinstance(count, (int, float)) and not isinstance(count, bool):
        return count
    actions = post.get("actions_summary")
    if isinstance(actions, list):
        for action in actions:
            if isinstance(action, dict) and _int(action.get("id")) == _LIKE_ACTION:
                count = action.get("count")
                if isinstance(count, (int, float)) and not isinstance(count, bool):
                    return count
    return None


def _title(data: dict, posts: list) -> str:
    """The topic's title; a posts file has none, so a post's topic_title, else the title of a link
    whose words are the slug's, else the slug's words, else a placeholder built from the topic id."""
    title = _str(data.get("title"))
    if title:
        return title
    fancy = _str(data.get("fancy_title"))
    if fancy and html.unescape(fancy).strip():
        return html.unescape(fancy).strip()
    dicts = [p for p in posts if isinstance(p, dict)]
    for post in dicts:
        title = _str(post.get("topic_title"))
        if title:
            return title
    slug = _str(data.get("slug")) or next((s for s in map(lambda p: _str(p.get("topic_slug")), dicts) if s), None)
    words = _words(slug or "")
    if words and slug and slug not in _PLACEHOLDER_SLUGS and not slug.isdigit():
        for post in dicts:
            links = post.get("link_counts")
            for link in links if isinstance(links, list) else ():
                link_title = _str(link.get("title")) if isinstance(link, dict) else None
                if link_title and _words(link_title) == words:
                    return link_title
        return " ".join(words).capitalize()
    topic_id = _int(data.get("id"))
    if topic_id is None:
        topic_id = next((i for i in (_int(p.get("topic_id")) for p in dicts) if i is not None), None)
    return f"Discourse topic {topic_id}" if topic_id is not None else "Untitled Discourse topic"


def _words(text: str) -> list[str]:
    """Lower-case words as a Discourse slug spells them: apostrophes dropped, other marks split."""
    out = []
    for ch in text.lower():
        if ch.isalnum():
            out.append(ch)
        elif ch not in "'’":
            out.append(" ")
    return "".join(out).split()


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) < 20:
        return int(value)
    return None


def _str(value: object) -> str | None:
    return _clean(value.strip()) or None if isinstance(value, str) else None


def _clean(text: str) -> str:
    """Lone surrogates (legal JSON escapes, not storable text) become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
