"""Digests: the one text block a channel gets when a thread is uploaded, and again when it grows.

The first digest of a thread covers it whole (title, link, the medium article summary, what readers
say). Once a digest has been posted, the next one covers only comments that no posted digest
covered ("N new comments since the last digest"), and a thread with nothing new gets no new digest:
`make_digest` then returns the posted one with `already_posted=True`. A digest that was made but
never posted is reused for the same content, and replaced when the thread changes again.

Posting goes through `post_digest`, which posts a digest only once its claim is won (see
indexing/digest_records.py), so several processes that see the same upload or followed thread post
it once between them; `mark_digest_posted` records where it went.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ..digest_records import DIGEST_LEASE_SECONDS
from ..errors import NotFoundError
from ..records import SERVER_SOURCE, Citation, Comment, text_hash
from ..store import DigestRow, NewDigest
from ..text.counts import noun
from .digest_parts import (
    QUOTE_CHARS,
    link_line,
    linked_site,
    notable_block,
    quote_of,
)
from .discussion import summarize_discussion
from .parts import ThreadParts, load_parts
from .records import DiscussionSummary, Theme, theme_from_json
from .summarize import summarize

if TYPE_CHECKING:
    from ..library import ThreadLibrary

log = logging.getLogger(__name__)

MAX_THEMES = 5


@dataclass
class Digest:
    digest_id: int
    thread_id: str
    scope: str
    title: str
    text: str
    is_delta: bool
    new_comment_count: int      # comments this digest covers that no earlier posted digest did
    comment_count: int          # comments in the thread now
    author_count: int
    already_posted: bool        # nothing new since the last posted digest: do not post it again
    created_at: str
    posted_at: str | None = None
    message_url: str | None = None
    previous_digest_at: str | None = None
    baseline_id: int = 0        # the posted digest this one was made against (0: none)
    citations: list[Citation] = field(default_factory=list)
    article: str | None = None  # the article summary in the text (None in a delta digest)
    themes: list[Theme] = field(default_factory=list)  # the themes shown (of the new comments in a delta)

    def to_json(self) -> dict:
        return asdict(self)


def comment_key(comment: Comment) -> str:
    """Identity of a comment's content: an edited comment counts as new."""
    return f"{comment.id}:{text_hash(comment.text)[:12]}"


def _uncovered(keys: list[str], last: DigestRow | None) -> list[int]:
    """Positions of the comments (by `comment_key`) that the last posted digest did not cover."""
    covered = set(last.comment_keys) if last is not None else set()
    return [i for i, key in enumerate(keys) if key not in covered]


async def new_comment_count(lib: ThreadLibrary, thread_id: str, scope: str) -> int:
    """Comments that no posted digest covered: what the next digest would be about (every comment
    before the first digest)."""
    thread = await lib.thread(thread_id, scope)
    last = await lib.digests.last_posted(thread_id, scope)
    return len(_uncovered([comment_key(c) for c in thread.comments], last))


def _themes_block(themes: Sequence[Theme], first_ref: int, parts: ThreadParts) -> tuple[list[str], list[Citation]]:
    lines: list[str] = []
    citations: list[Citation] = []
    for theme in themes[:MAX_THEMES]:
        line = f"• {theme.label} ({noun(theme.comment_count, 'comment')})"
        for rep in theme.representative:  # the first one worth quoting (not a greeting or thanks)
            quote = quote_of(rep.text, parts, QUOTE_CHARS)
            if not quote:
                continue
            ref = f"[{first_ref + len(citations)}]"
            line += f": {quote} ({rep.author or 'a reader'}) {ref}"
            citations.append(Citation(ref=ref, thread_id=parts.thread_id, passage_id=rep.passage_id,
                                      kind="comment", author=rep.author, text=rep.text, score=1.0))
            break
        lines.append(line)
    return lines, citations


def _discussion_lines(d: DiscussionSummary, first_ref: int, parts: ThreadParts, counts: str,
                      heading: str) -> tuple[list[str], list[Citation]]:
    """The themes with a quote each, then the most upvoted and most replied comments."""
    block, citations = _themes_block(d.themes, first_ref, parts)
    quoted: dict[int | None, str] = {c.passage_id: c.ref for c in citations}
    notable, cited = notable_block(d, first_ref + len(citations), parts, quoted)
    return ["", f"{heading} ({counts}):", *block, *notable], citations + cited


def _counts_line(comments: int, authors: int, off_topic: int) -> str:
    parts = [noun(comments, "comment")]
    if authors:
        parts.append(noun(authors, "author"))
    if off_topic:
        parts.append(f"{off_topic} off-topic")
    return ", ".join(parts)


def _link(parts: ThreadParts) -> str | None:
    thread = parts.thread
    return thread.url or thread.source or thread.source_file


async def _full_digest_text(lib: ThreadLibrary, parts: ThreadParts, scope: str) -> tuple[str, list[Citation], dict]:
    summary = await summarize(lib, parts.thread_id, scope, "medium")
    lines = [parts.thread.title]
    if link := _link(parts):
        lines.append(link)
    citations: list[Citation] = []
    if summary.article:
        site = linked_site(parts.thread)
        lead = f"From the linked article on {site}: " if site else ""
        lines += ["", lead + summary.article.text]
        citations += summary.article.citations
    elif first := link_line(parts.thread, _link(parts)):  # a link post: say what the link is
        lines += ["", first]
    d = summary.discussion
    if d:
        counts = _counts_line(d.comment_count, d.author_count, d.off_topic_count)
        block, cited = _discussion_lines(d, len(citations) + 1, parts, counts, "What readers say")
        lines += block
        citations += cited
    else:
        lines += ["", "No comments yet."]
    shown = {"article": summary.article.text if summary.article else None,
             "themes": [asdict(t) for t in d.themes[:MAX_THEMES]] if d else []}
    return "\n".join(lines), citations, shown


async def _delta_digest_text(lib: ThreadLibrary, parts: ThreadParts, new: list[int],
                             since: str) -> tuple[str, list[Citation], dict]:
    d = await summarize_discussion(lib, parts, "medium", only=new)
    when = since[:16].replace("T", " ")
    new_noun = "new comment" if len(new) == 1 else "new comments"
    here = sum(parts.thread.comments[i].source == SERVER_SOURCE for i in new)
    # Members' messages in the digest's Discord thread are comments too: say how many came from where.
    split = f" ({len(new) - here} on the site, {here} here)" if here else ""
    lines = [f"{parts.thread.title}: {len(new)} {new_noun}{split} since the last digest ({when} UTC)"]
    if link := _link(parts):
        lines.append(link)
    citations: list[Citation] = []
    if d:
        counts = _counts_line(len(new), d.author_count, d.off_topic_count)
        block, citations = _discussion_lines(d, 1, parts, counts, "What readers say in the new comments")
        lines += block
    shown = {"article": None, "themes": [asdict(t) for t in d.themes[:MAX_THEMES]] if d else []}
    return "\n".join(lines), citations, shown


def _from_row(row: DigestRow, title: str, already_posted: bool) -> Digest:
    body = row.body
    return Digest(digest_id=row.id, thread_id=row.thread_id, scope=row.scope, title=title, text=row.text,
                  is_delta=row.is_delta, new_comment_count=row.new_comment_count,
                  comment_count=body.get("comment_count", 0), author_count=body.get("author_count", 0),
                  already_posted=already_posted, created_at=row.created_at, posted_at=row.posted_at,
                  message_url=row.message_url, previous_digest_at=body.get("previous_digest_at"),
                  citations=[Citation(**c) for c in body.get("citations", [])], article=body.get("article"),
                  themes=[theme_from_json(t) for t in body.get("themes", [])])


async def make_digest(lib: ThreadLibrary, thread_id: str, scope: str = "local") -> Digest:
    """The digest to post for this thread now (see the module docstring for the delta rules)."""
    info = await lib.thread_info(thread_id, scope)
    parts = await load_parts(lib, thread_id, scope)
    comments = parts.thread.comments
    keys = [comment_key(c) for c in comments]
    last = await lib.digests.last_posted(thread_id, scope)
    new = _uncovered(keys, last)
    if last is not None and not new:
        return _from_row(last, parts.thread.title, already_posted=True)
    draft = await lib.digests.unposted(thread_id, scope, info.content_hash, last.id if last else 0)
    # A draft made against another baseline (another process posted a digest since) would repeat it.
    baseline = (last.posted_at or last.created_at) if last else None
    if draft is not None and draft.body.get("previous_digest_at") == baseline:
        reused = _from_row(draft, parts.thread.title, already_posted=False)
        reused.baseline_id = last.id if last else 0
        return reused
    if last is None:
        text, citations, shown = await _full_digest_text(lib, parts, scope)
        new_count, previous_at = len(comments), None
    else:
        text, citations, shown = await _delta_digest_text(lib, parts, new, last.posted_at or last.created_at)
        new_count, previous_at = len(new), last.posted_at or last.created_at
    authors = len({c.author for c in comments if c.author})
    body = {"comment_count": len(comments), "author_count": authors, "previous_digest_at": previous_at,
            "citations": [asdict(c) for c in citations], **shown}
    digest_id, created = await lib.digests.insert(NewDigest(thread_id, scope, info.content_hash, keys, new_count,
                                                           last is not None, text, body))
    return Digest(digest_id=digest_id, thread_id=thread_id, scope=scope, title=parts.thread.title, text=text,
                  is_delta=last is not None, new_comment_count=new_count, comment_count=len(comments),
                  author_count=authors, already_posted=False, created_at=created,
                  previous_digest_at=previous_at, baseline_id=last.id if last else 0, citations=citations,
                  article=shown["article"],
                  themes=[theme_from_json(t) for t in shown["themes"]])


async def mark_digest_posted(lib: ThreadLibrary, digest_id: int, channel_id: str | int | None = None,
                             message_id: str | int | None = None, message_url: str | None = None) -> Digest:
    """Record that a digest went out (and where, so citations can link to the message later)."""
    row = await lib.digests.get(digest_id)
    if row is None:
        raise NotFoundError(f"no digest with id {digest_id}")
    await lib.digests.set_posted(digest_id, None if channel_id is None else str(channel_id),
                                 None if message_id is None else str(message_id), message_url)
    info = await lib.thread_info(row.thread_id, row.scope)
    posted = await lib.digests.get(digest_id)
    if posted is None:  # forgotten meanwhile
        raise NotFoundError(f"no digest with id {digest_id}")
    return _from_row(posted, info.title, already_posted=True)


@dataclass(frozen=True)
class Posted:
    """Where a digest went."""

    channel_id: str | int | None
    message_id: str | int | None = None
    message_url: str | None = None


async def post_digest(lib: ThreadLibrary, thread_id: str, scope: str, send: Callable[[Digest], Awaitable[Posted]],
                      *, lease_seconds: float = DIGEST_LEASE_SECONDS, now: datetime | None = None) -> Digest | None:
    """Make the thread's digest and hand it to `send`, only if this process won its claim; then
    record where it went. None when there is nothing new, or another poster holds the claim. A
    `send` that raises gives the claim back (the next poster tries again)."""
    digest = await make_digest(lib, thread_id, scope)
    if digest.already_posted:
        return None
    if not await lib.digests.claim(digest.digest_id, lease_seconds, now, digest.baseline_id):
        log.info("digest %s of %s in %s: another poster holds it", digest.digest_id, thread_id, scope)
        return None
    try:
        where = await send(digest)
    except Exception:
        await lib.digests.release(digest.digest_id)
        raise
    return await mark_digest_posted(lib, digest.digest_id, where.channel_id, where.message_id, where.message_url)
