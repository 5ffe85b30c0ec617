"""What readers say: themes clustered from the comment vectors already stored for search, labelled
by class-based TF-IDF, with representative comments, an off-topic count, who carried the thread,
and a prose overview naming who argued what (narration.py)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..text.comment_text import own_sentences
from ..text.shorten import leading_sentences
from .extractive import Length
from .narration import (
    CONVERSATION_MAX,
    cite_clauses,
    conversation_clauses,
    conversation_text,
    theme_clauses,
    themes_text,
)
from .parts import ThreadParts
from .records import AuthorActivity, DiscussionSummary, RepliedComment, Representative, ScoredComment, Theme
from .themes import DiscussionAnalysis, analyse_discussion, top_scored

if TYPE_CHECKING:
    from ..library import ThreadLibrary

QUOTE_CHARS = 400
OTHER_LABEL = "other remarks"  # a theme whose comments share no distinctive term
SHORT_REACTION_WORDS = 3  # a theme whose median comment is this short is reactions, not a topic


async def comment_vectors(lib: ThreadLibrary, parts: ThreadParts) -> np.ndarray:
    """One vector per comment: the mean of its chunks' stored vectors (embedded if missing)."""
    comments = parts.thread.comments
    out = np.zeros((len(comments), lib.embedding_dim), dtype=np.float32)
    missing = []
    stored = await lib.passage_vectors(p.id for ps in parts.comments.values() for p in ps)
    for i in range(len(comments)):
        vectors = [stored[p.id] for p in parts.comments.get(i, []) if p.id in stored]
        if vectors:
            out[i] = np.mean(vectors, axis=0)
        else:
            missing.append(i)
    if missing:
        out[missing] = await lib.embed_texts([comments[i].text for i in missing], batch_size=16)
    return out


async def article_vectors(lib: ThreadLibrary, parts: ThreadParts) -> np.ndarray | None:
    passages = ([parts.title] if parts.title else []) + [p for ps in parts.paragraphs.values() for p in ps]
    stored = await lib.passage_vectors(p.id for p in passages)
    vectors = [stored[p.id] for p in passages if p.id in stored]
    return np.asarray(vectors, dtype=np.float32) if vectors else None


async def summarize_discussion(lib: ThreadLibrary, parts: ThreadParts, length: Length,
                               only: Sequence[int] | None = None) -> DiscussionSummary | None:
    """Summarise the comments (all, or only the indices in `only`, e.g. the new ones for a digest)."""
    comments = parts.thread.comments
    subset = list(range(len(comments))) if only is None else sorted(only)
    if not subset:
        return None
    all_vectors = await comment_vectors(lib, parts)
    texts = [comments[i].text for i in subset]
    authors = [comments[i].author for i in subset]
    analysis: DiscussionAnalysis = await asyncio.to_thread(
        analyse_discussion, texts, authors, [comments[i].id for i in subset],
        [comments[i].parent for i in subset], all_vectors[subset], await article_vectors(lib, parts),
        8 if length != "short" else 4)
    own = await asyncio.to_thread(own_sentences, [c.text for c in comments])
    if len(subset) <= CONVERSATION_MAX:
        clauses = await conversation_clauses(lib, parts, subset, own, length)
        text = conversation_text(clauses, len(subset), authors)
    else:
        clauses, theme_of = await theme_clauses(lib, parts, subset, own, analysis, length)
        text = themes_text(clauses, theme_of, analysis, len(subset), authors)
    text, citations = cite_clauses(text, clauses, parts)
    return DiscussionSummary(
        text=text, comment_count=len(subset), author_count=len({a for a in authors if a}),
        themes=[_theme_record(parts, subset, g) for g in analysis.themes],
        off_topic_count=len(analysis.off_topic), citations=citations,
        top_authors=[AuthorActivity(a, n) for a, n in analysis.top_authors],
        most_replied=[_replied_record(parts, subset[i], n) for i, n in analysis.most_replied],
        top_scored=[_scored_record(parts, subset[i], s)
                    for i, s in top_scored([comments[i].score for i in subset])])


def _theme_record(parts: ThreadParts, subset: list[int], group) -> Theme:
    comments = parts.thread.comments
    members = [subset[i] for i in group.members]
    counts = Counter(comments[i].author for i in members if comments[i].author)
    authors = [a for a, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))]
    reps = []
    for i in (subset[r] for r in group.representatives):
        passage = parts.chunk_at("comment", i, 0)
        reps.append(Representative(passage.id if passage else None, comments[i].author,
                                   leading_sentences(passage.text if passage else comments[i].text, QUOTE_CHARS)))
    label = ", ".join(group.terms) if group.terms else OTHER_LABEL
    words = sorted(len(comments[i].text.split()) for i in members)
    if words and words[len(words) // 2] <= SHORT_REACTION_WORDS:  # "Nice", "lol", "This.": no topic to name
        label = f"short reactions ({label})" if group.terms else "short reactions"
    return Theme(label=label, comment_count=len(members), authors=authors, representative=reps)


def _replied_record(parts: ThreadParts, index: int, replies: int) -> RepliedComment:
    comment = parts.thread.comments[index]
    passage = parts.chunk_at("comment", index, 0)
    return RepliedComment(passage.id if passage else None, comment.author,
                          leading_sentences(passage.text if passage else comment.text, 200), replies)


def _scored_record(parts: ThreadParts, index: int, score: float) -> ScoredComment:
    comment = parts.thread.comments[index]
    passage = parts.chunk_at("comment", index, 0)
    return ScoredComment(passage.id if passage else None, comment.author,
                         leading_sentences(passage.text if passage else comment.text, 200), score)
