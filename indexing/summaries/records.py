"""What a summary is: article and discussion parts, themes and their voices, with a JSON round-trip
(summaries are cached and digests stored as JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from ..records import Citation
from .extractive import Length

SummaryMode = Literal["extractive", "llm"]

@dataclass
class ArticleSummary:
    text: str
    citations: list[Citation]


@dataclass
class Representative:
    passage_id: int | None
    author: str | None
    text: str


@dataclass
class Theme:
    label: str
    comment_count: int
    authors: list[str]
    representative: list[Representative]


@dataclass
class AuthorActivity:
    author: str
    comments: int


@dataclass
class RepliedComment:
    passage_id: int | None
    author: str | None
    text: str
    replies: int


@dataclass
class ScoredComment:
    passage_id: int | None
    author: str | None
    text: str
    score: float


@dataclass
class DiscussionSummary:
    text: str
    comment_count: int
    author_count: int
    themes: list[Theme]
    off_topic_count: int
    citations: list[Citation] = field(default_factory=list)
    top_authors: list[AuthorActivity] = field(default_factory=list)
    most_replied: list[RepliedComment] = field(default_factory=list)
    top_scored: list[ScoredComment] = field(default_factory=list)  # most upvoted, where the format has scores


@dataclass
class ThreadSummary:
    thread_id: str
    title: str
    article: ArticleSummary | None
    discussion: DiscussionSummary | None
    length: Length = "medium"
    mode: SummaryMode = "extractive"

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> ThreadSummary:
        article = data.get("article")
        discussion = data.get("discussion")
        return cls(
            thread_id=data["thread_id"], title=data["title"], length=data.get("length", "medium"),
            mode=data.get("mode", "extractive"),
            article=ArticleSummary(article["text"], [Citation(**c) for c in article["citations"]])
            if article else None,
            discussion=_discussion_from_json(discussion) if discussion else None)


def theme_from_json(t: dict) -> Theme:
    return Theme(t["label"], t["comment_count"], t["authors"], [Representative(**r) for r in t["representative"]])


def _discussion_from_json(d: dict) -> DiscussionSummary:
    return DiscussionSummary(
        text=d["text"], comment_count=d["comment_count"], author_count=d["author_count"],
        themes=[theme_from_json(t) for t in d["themes"]],
        off_topic_count=d["off_topic_count"], citations=[Citation(**c) for c in d.get("citations", [])],
        top_authors=[AuthorActivity(**a) for a in d.get("top_authors", [])],
        most_replied=[RepliedComment(**r) for r in d.get("most_replied", [])],
        top_scored=[ScoredComment(**r) for r in d.get("top_scored", [])])
