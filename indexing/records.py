"""Records shared by every wing: a parsed thread, its indexed passages, who-said-what statements,
citations, search hits, index results, a server's settings and a followed thread.

The bottom of the library: it imports nothing of threadbot's, and every wing may import it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Literal

PassageKind = Literal["title", "paragraph", "comment"]
StatementSource = Literal["article", "comment"]
IndexStatus = Literal["indexed", "updated", "unchanged"]
LOCAL_SCOPE = "local"  # the scope of threads indexed from the command line (a guild's scope is its id)


@dataclass(frozen=True)
class Comment:
    id: str
    author: str | None
    text: str
    parent: str | None = None
    posted: str | None = None
    score: float | None = None
    # Where the comment was written when it is not the thread's own site: "discord" for a member's
    # message in the server, with its jump link. Left out of the content hash while None.
    source: str | None = None
    url: str | None = None


_COMMENT_FIELDS = tuple(f.name for f in fields(Comment))
SERVER_SOURCE = "discord"  # Comment.source of a member's message in the server


@dataclass(frozen=True)
class Thread:
    title: str
    paragraphs: tuple[str, ...] = ()
    comments: tuple[Comment, ...] = ()
    url: str | None = None
    published: str | None = None
    source: str | None = None
    source_file: str | None = None
    # How the file was read, and what it held that is not a comment (metadata, not content: neither
    # is part of the content hash).
    format: str | None = None  # the importer: "reddit", "hn-algolia", "wxr", "threadbot-json", ...
    skipped: dict[str, int] = field(default_factory=dict, compare=False)  # "more stubs": 125, ...
    # Who submitted the post (Reddit/HN/Lemmy submitter, Discourse post 1, WordPress dc:creator,
    # Mastodon root account, YouTube uploader): a speaker of the thread. Metadata while unknown, so
    # threads read before it existed keep their content hash.
    author: str | None = None
    score: float | None = None  # the post's own score (upvotes, points), where the site shows one

    def identity_key(self) -> str:
        """What makes a re-upload "the same thread": its URL, else its title and file name."""
        if self.url:
            return f"url:{self.url.strip()}"
        return f"title:{self.title.strip()}|file:{self.source_file or ''}"

    def content_hash(self) -> str:
        """The hash of what was said (metadata aside). Remembered on the (frozen) thread: indexing asks
        for it twice, once to skip an unchanged thread and once for the row (30 ms at 1,522 comments)."""
        remembered = self.__dict__.get("_content_hash")
        if remembered is not None:
            return remembered
        body = self.to_json()
        for metadata in ("source_file", "format", "skipped"):
            body.pop(metadata)
        for optional in ("author", "score"):
            if body.get(optional) is None:
                body.pop(optional)
        for comment in body["comments"]:  # threads hashed before comments had a source keep their hash
            for optional in ("source", "url"):
                if comment.get(optional) is None:
                    comment.pop(optional)
        raw = json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")
        digest = hashlib.sha256(raw).hexdigest()
        object.__setattr__(self, "_content_hash", digest)  # not a field: equality and to_json ignore it
        return digest

    def to_json(self) -> dict:
        """`dataclasses.asdict`, built directly (asdict deep-copies every value of every comment, a
        third of a thread's write): a fresh dict per comment, whose values are all immutable."""
        body = {f.name: getattr(self, f.name) for f in fields(self)}
        body["comments"] = tuple({name: getattr(c, name) for name in _COMMENT_FIELDS} for c in self.comments)
        body["skipped"] = dict(self.skipped)
        return body

    @classmethod
    def from_json(cls, data: dict) -> Thread:
        comments = tuple(Comment(**c) for c in data.get("comments", ()))
        return cls(
            title=data["title"],
            paragraphs=tuple(data.get("paragraphs", ())),
            comments=comments,
            url=data.get("url"),
            published=data.get("published"),
            source=data.get("source"),
            source_file=data.get("source_file"),
            format=data.get("format"),
            skipped=dict(data.get("skipped") or {}),
            author=data.get("author"),
            score=data.get("score"),
        )


def thread_id_for(scope: str, identity_key: str) -> str:
    """Stable short id; the scope is part of it so two guilds never share a thread row."""
    return hashlib.sha1(f"{scope}\x00{identity_key}".encode()).hexdigest()[:12]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass
class Passage:
    """One indexed unit: the title, an article paragraph, a comment, or a chunk of a long one.

    `start`/`end` are character offsets of `text` inside its parent (the whole paragraph or comment),
    so a chunk can always be traced back to where it came from.
    """

    thread_id: str
    kind: PassageKind
    position: int
    text: str
    chunk: int = 0
    start: int = 0
    end: int = 0
    author: str | None = None
    comment_id: str | None = None
    parent_id: str | None = None
    content_hash: str = ""
    id: int | None = None
    scope: str = LOCAL_SCOPE
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = text_hash(self.text)
        if not self.end:
            self.end = self.start + len(self.text)

    def key(self) -> tuple:
        """Identity across re-indexes: unchanged passages keep their row (and their citations)."""
        anchor = self.comment_id if self.kind == "comment" and self.comment_id else str(self.position)
        return (self.kind, anchor, self.chunk, self.content_hash)

    def label(self) -> str:
        """A short human reference: "title", "paragraph 3", "comment by CNONC"."""
        if self.kind == "title":
            return "title"
        if self.kind == "paragraph":
            return f"paragraph {self.position + 1}"
        return f"comment by {self.author}" if self.author else f"comment #{self.position + 1}"


@dataclass(frozen=True)
class ThreadInfo:
    """A thread as the store lists it."""

    id: str
    scope: str
    title: str
    url: str | None
    source: str | None
    source_file: str | None
    published: str | None
    paragraphs: int
    comments: int
    passages: int
    content_hash: str
    indexed_at: str
    updated_at: str


@dataclass
class Statement:
    """One thing a speaker said, as the text of its passage shows it."""

    speaker: str  # canonical: "Dmitry Peskov"; a comment's author
    speaker_mention: str  # as written where it was said: "he", "presidential spokesman Dmitry Peskov"
    cue: str  # "said", "told", "according to", "wrote" (comments)
    source: StatementSource
    passage_kind: PassageKind
    position: int
    chunk: int
    start: int  # the statement's sentence(s), offsets into the passage text
    end: int
    content_start: int  # what was said (the quote, or the reported clause)
    content_end: int
    verbatim: bool
    text: str = ""
    seq: int = 0  # reading order within the thread
    passage_id: int | None = None
    thread_id: str = ""


@dataclass(frozen=True)
class SpeakerName:
    """A speaker as the who-said-what index names them, without their statements: enough to
    recognise a name in a question before any statement is read."""

    speaker: str
    mention: str  # one way it was written where they were quoted ("spokesman Dmitry Peskov")
    whole_passage: bool  # wrote whole comments or posts (a commenter or post author), not only quoted


@dataclass(frozen=True)
class SpeakerCount:
    speaker: str
    source: StatementSource
    statements: int


@dataclass
class Citation:
    """One source behind a `[n]` marker: `ref` is the marker as it appears in the text."""

    ref: str  # "[1]"
    thread_id: str
    passage_id: int | None
    kind: PassageKind
    author: str | None
    text: str
    score: float


@dataclass
class Hit:
    """One search result with the evidence for its rank."""

    passage: Passage
    score: float
    dense_score: float | None = None
    bm25_score: float | None = None
    dense_rank: int | None = None
    bm25_rank: int | None = None
    thread_title: str | None = None


@dataclass
class IndexResult:
    thread_id: str
    title: str
    source_file: str | None
    status: IndexStatus
    paragraphs: int
    comments: int
    passages: int
    embedded: int = 0
    format: str | None = None  # the importer that read the file
    skipped: dict[str, int] = field(default_factory=dict)  # what the importer left out, counted


@dataclass
class IndexFailure:
    source_file: str
    reason: str
    passed_over: bool = False  # a file of a folder that is not a thread file (reported, not an error)


GuildSettingName = Literal["digest_channel_id", "upload_channel_id", "watch_dir", "discussion_threads",
                           "discussion_archive_minutes", "charts"]
ARCHIVE_MINUTES = (60, 1440, 4320, 10080)  # the auto-archive durations Discord offers


@dataclass(frozen=True)
class GuildSettings:
    """A Discord server's own settings, stored in the database (set with /config)."""

    guild_id: str
    digest_channel_id: int | None = None
    upload_channel_id: int | None = None
    watch_dir: str | None = None
    discussion_threads: bool = True  # open a Discord thread under every digest posted
    discussion_archive_minutes: int = 1440
    charts: bool = True  # attach a chart to digests and summaries of threads


ConversationKind = Literal["discussion", "listen"]


@dataclass(frozen=True)
class ConversationChannel:
    """A Discord channel (or thread) whose members' messages are kept: the discussion thread under a
    digest (its messages are comments of that news thread), or a channel opted in with
    `/config listen-channel` (its messages are comments of a thread of its own)."""

    scope: str
    channel_id: str
    thread_id: str
    kind: ConversationKind


@dataclass(frozen=True)
class ServerMessage:
    """A member's message in the server, as kept (or read on demand): the comment it becomes."""

    scope: str
    channel_id: str
    message_id: str
    author_id: str
    author: str  # the member's display name when the message was written
    text: str
    posted: str  # ISO time
    url: str  # the message's jump link
    parent_id: str | None = None  # the message it replies to

    def comment(self, known: set[str] | frozenset[str] = frozenset()) -> Comment:
        """The comment of this message; a reply to a message not among `known` is a top-level comment."""
        parent = self.parent_id if self.parent_id in known else None
        return Comment(id=self.message_id, author=self.author, text=self.text, parent=parent,
                       posted=self.posted, source=SERVER_SOURCE, url=self.url)


FOLLOW_HOURS = 24.0  # how long a thread is followed unless the command says otherwise
MAX_FOLLOW_HOURS = 168.0  # a week


@dataclass(frozen=True)
class Follow:
    """A thread followed for new comments: its URL is fetched again on a schedule until `expires_at`
    (see indexing/following.py). Times are UTC."""

    id: int
    scope: str
    url: str
    thread_id: str | None  # None until the first fetch
    channel_id: int | None  # where it was followed from (None: the command line)
    hours: float
    threshold: int  # new comments since the last posted digest needed for a digest update
    created_at: datetime
    expires_at: datetime
    next_check_at: datetime
    interval_seconds: float  # the current polling interval (backs off while the thread is quiet)
    last_comment_count: int | None  # comments at the last check
