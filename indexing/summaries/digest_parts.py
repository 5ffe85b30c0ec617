"""Pieces of a digest's text: what a link post links to, quotes a moderator would post, plural
forms, and the most upvoted and most replied comments."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..records import Citation, Thread
from ..text.comment_text import greeting_end, is_boilerplate
from ..text.counts import noun
from ..text.profanity import is_flagged
from ..text.sentences import sentence_spans
from ..text.shorten import excerpt
from .parts import ThreadParts
from .records import DiscussionSummary

QUOTE_CHARS = 220
NOTABLE = 2  # most upvoted and most replied comments shown, each
# Sites whose threads discuss a link posted elsewhere: their own address is not "the link".
_DISCUSSION_HOSTS = ("reddit.com", "redd.it", "news.ycombinator.com", "lobste.rs", "lemmy.world")
_AGGREGATORS = frozenset({"reddit", "hn-algolia", "hn-api", "hn-item-html", "lemmy"})
_SIGNATURE_LINK = re.compile(r"(?:\s+(?:https?://|www\.)\S+)+\s*$")
_TERMINAL = re.compile(r"([.!?…]|\.\.\.)[\"'”’)\]*_]*$")


def _is_url(value: str | None) -> bool:
    return bool(value) and bool(re.match(r"(?i)^https?://\S+$", value or ""))


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _discussion_host(url: str) -> bool:
    host = _host(url)
    return any(host == h or host.endswith("." + h) for h in _DISCUSSION_HOSTS)


def link_target(thread: Thread) -> str | None:
    """The page a post links to: a `source` address other than the thread's own, or (for a link
    aggregator, or a thread with no text of its own) its `url` when that is not the discussion page."""
    if _is_url(thread.source) and thread.source != thread.url and not _discussion_host(thread.source or ""):
        return thread.source
    if _is_url(thread.url) and not _discussion_host(thread.url or ""):
        if thread.format in _AGGREGATORS or not thread.paragraphs:
            return thread.url
    return None


def link_line(thread: Thread, shown: str | None = None) -> str | None:
    """The first line of a link post with no text: the link (unless it is the `shown` link line
    under the title) and its site."""
    target = link_target(thread)
    if thread.paragraphs or target is None:
        return None
    if target == shown:
        return f"A link post to {_host(target)}, with no text of its own."
    return f"Link post: {target} ({_host(target)})"


def linked_site(thread: Thread) -> str | None:
    """The site of the linked article when the thread's paragraphs were fetched from it."""
    target = link_target(thread)
    return _host(target) if thread.paragraphs and target else None


def quote_of(text: str, parts: ThreadParts, limit: int) -> str | None:
    """A quotable excerpt in quotation marks: greetings, thanks and sign-offs left off; whole
    sentences, or sentences then an ellipsis; None when nothing is left worth quoting."""
    text = " ".join(text.split())
    if is_flagged(text):  # a digest posts on its own: it never quotes a profanity or a slur
        return None
    spans = [(s, e) for s, e in sentence_spans(text) if not is_boilerplate(text[s:e])]
    if not spans:
        return None
    start = spans[0][0]
    start += greeting_end(text[start:spans[0][1]])
    body = _SIGNATURE_LINK.sub("", text[start:]).strip()  # a link left as a signature is no part of the point
    if not body:
        return None
    quote = excerpt(body, limit)
    whole = {" ".join(c.text.split()) for c in parts.thread.comments}
    if not _TERMINAL.search(quote) and quote not in whole and not any(w.endswith(quote) for w in whole):
        quote += " …"  # the comment goes on: say so instead of stopping mid-thought
    # A comment that opens or closes with a quotation gets curly outer marks, not `""...`.
    left, right = ("“", "”") if quote[:1] == '"' or quote[-1:] == '"' else ('"', '"')
    return f"{left}{quote}{right}"


def notable_block(d: DiscussionSummary, first_ref: int, parts: ThreadParts,
                  quoted: dict[int | None, str]) -> tuple[list[str], list[Citation]]:
    """Lines for the most upvoted comments (where the format has scores) and the most replied ones;
    a comment already quoted above (`quoted`: passage id -> its marker) is named with its marker."""
    lines: list[str] = []
    citations: list[Citation] = []
    picks: list[tuple[str, int | None, str | None, str]] = []
    for s in d.top_scored:
        picks.append((f"Most upvoted ({noun(s.score, 'point')})", s.passage_id, s.author, s.text))
    for r in d.most_replied:
        if r.replies >= 2:
            picks.append((f"Most replied to ({noun(r.replies, 'reply')})", r.passage_id, r.author, r.text))
    shown: dict[str, int] = {}
    for label, passage_id, author, text in picks:
        kind = label.split(" (")[0]
        if shown.get(kind, 0) >= NOTABLE:
            continue
        if passage_id is not None and passage_id in quoted:
            if shown.get(kind):
                continue  # the runner-up already has its quote above: name only the first
            lines.append(f"• {label}: the comment by {author or 'a reader'} quoted above {quoted[passage_id]}")
        else:
            quote = quote_of(text, parts, QUOTE_CHARS)
            if not quote:
                continue
            ref = f"[{first_ref + len(citations)}]"
            lines.append(f"• {label}: {quote} ({author or 'a reader'}) {ref}")
            citations.append(Citation(ref=ref, thread_id=parts.thread_id, passage_id=passage_id, kind="comment",
                                      author=author, text=text, score=1.0))
            quoted[passage_id] = ref
        shown[kind] = shown.get(kind, 0) + 1
    return lines, citations
