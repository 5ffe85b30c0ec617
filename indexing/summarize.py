"""Thread summaries, kept apart: what the article says and what its readers say. No LLM needed.

Article: verbatim sentences chosen by centrality over sentence embeddings, a lead prior and MMR,
returned in article order, each cited to its paragraph. Discussion: themes clustered from the
comment vectors already stored for search, labelled by class-based TF-IDF, with representative
comments, an off-topic count, who carried the thread, and a prose overview naming who argued what.

Summaries are cached per thread content hash (see summary_store.py), so a changed thread is
summarised afresh and an unchanged one costs one SQLite read.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .citations import Citation
from .comment_text import Sentence, own_sentences
from .errors import ThreadbotError
from .extractive import LENGTHS, Length, mmr_select, sentence_scores
from .overview import Clause, choose_verb, cite, display_name, join_clauses, render_clause, shorten
from .sentences import sentence_spans
from .summary_llm import rewrite_summary
from .summary_store import cached_summary, store_summary
from .themes import DiscussionAnalysis, analyse_discussion
from .threads import Passage, Thread

if TYPE_CHECKING:
    from .library import ThreadLibrary
    from .llm import ChatClient

log = logging.getLogger(__name__)

# Part of the cache key: bump it when the method changes so stored summaries are recomputed.
METHOD_VERSION = "extractive-1"
# Up to this many comments a discussion is narrated message by message; beyond it, theme by theme.
CONVERSATION_MAX = 12
# Words of the narrated overview per length: about what a person writes about a short discussion.
CONVERSATION_WORDS = {"short": 40, "medium": 70, "long": 140}
THEMES_IN_OVERVIEW = {"short": 2, "medium": 3, "long": 5}
CLAUSE_WORDS = {"short": 20, "medium": 28, "long": 40}
QUOTE_CHARS = 400
OPENER_BONUS = 0.1
OTHER_LABEL = "other remarks"  # a theme whose comments share no distinctive term


class SummaryError(ThreadbotError):
    """A summary could not be made (for example, the library has no embedding model)."""


# ---- records --------------------------------------------------------------------------------------
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
class DiscussionSummary:
    text: str
    comment_count: int
    author_count: int
    themes: list[Theme]
    off_topic_count: int
    citations: list[Citation] = field(default_factory=list)
    top_authors: list[AuthorActivity] = field(default_factory=list)
    most_replied: list[RepliedComment] = field(default_factory=list)


@dataclass
class ThreadSummary:
    thread_id: str
    title: str
    article: ArticleSummary | None
    discussion: DiscussionSummary | None
    length: str = "medium"
    mode: str = "extractive"

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
        most_replied=[RepliedComment(**r) for r in d.get("most_replied", [])])


# ---- the thread's passages, grouped -----------------------------------------------------------------
@dataclass
class ThreadParts:
    thread_id: str
    thread: Thread
    title: Passage | None
    paragraphs: dict[int, list[Passage]]  # paragraph index -> its chunks in order
    comments: dict[int, list[Passage]]    # comment index -> its chunks in order

    @classmethod
    def build(cls, thread_id: str, thread: Thread, passages: Sequence[Passage]) -> ThreadParts:
        title, paragraphs, comments = None, {}, {}
        for p in passages:
            if p.kind == "title":
                title = p
            else:
                (paragraphs if p.kind == "paragraph" else comments).setdefault(p.position, []).append(p)
        for chunks in (*paragraphs.values(), *comments.values()):
            chunks.sort(key=lambda p: p.chunk)
        return cls(thread_id, thread, title, paragraphs, comments)

    def chunk_at(self, kind: str, position: int, offset: int) -> Passage | None:
        """The passage (chunk) of a paragraph or comment that holds character `offset`."""
        chunks = (self.paragraphs if kind == "paragraph" else self.comments).get(position, [])
        for p in chunks:
            if p.start <= offset < p.end:
                return p
        return chunks[0] if chunks else None


def _chunk_quote(passage: Passage | None, fallback: str, limit: int = QUOTE_CHARS) -> str:
    """A verbatim quote of a passage: whole sentences from its start, up to about `limit` characters."""
    text = passage.text if passage else fallback
    if len(text) <= limit:
        return text.strip()
    end = 0
    for _, e in sentence_spans(text):
        if e > limit and end:
            break
        end = e
    return text[: end or limit].strip()


# ---- article ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _ArticleSentence:
    paragraph: int
    start: int
    text: str


async def summarize_article(lib: ThreadLibrary, parts: ThreadParts, length: Length) -> ArticleSummary | None:
    paragraphs = parts.thread.paragraphs
    sentences = [_ArticleSentence(i, s, text[s:e]) for i, text in enumerate(paragraphs)
                 for s, e in sentence_spans(text)]
    if not sentences:
        return None
    texts = [s.text for s in sentences]
    vectors = await lib._run_model(lib.embedder.embed, [*texts, parts.thread.title])
    chosen, scores = await asyncio.to_thread(_select_article, vectors, texts, length)
    citations = []
    for n, i in enumerate(chosen, start=1):
        s = sentences[i]
        passage = parts.chunk_at("paragraph", s.paragraph, s.start)
        citations.append(Citation(ref=f"[{n}]", thread_id=parts.thread_id,
                                  passage_id=passage.id if passage else None, kind="paragraph", author=None,
                                  text=s.text, score=round(float(scores[i]), 4)))
    text = " ".join(f"{c.text} {c.ref}" for c in citations)
    return ArticleSummary(text=text, citations=citations)


def _select_article(vectors: np.ndarray, texts: list[str], length: Length) -> tuple[list[int], np.ndarray]:
    sentence_vectors, title_vector = vectors[:-1], vectors[-1]
    words = np.array([len(t.split()) for t in texts])
    scores = sentence_scores(sentence_vectors, title_vector, np.arange(len(texts)), words)
    return mmr_select(sentence_vectors, scores, words, LENGTHS[length]), scores


# ---- discussion -------------------------------------------------------------------------------------
async def comment_vectors(lib: ThreadLibrary, parts: ThreadParts) -> np.ndarray:
    """One vector per comment: the mean of its chunks' stored vectors (embedded if missing)."""
    comments = parts.thread.comments
    out = np.zeros((len(comments), lib.embedder.dim), dtype=np.float32)
    missing = []
    for i in range(len(comments)):
        vectors = [v for p in parts.comments.get(i, []) if p.id is not None
                   and (v := lib.store.vectors.vector(p.id)) is not None]
        if vectors:
            out[i] = np.mean(vectors, axis=0)
        else:
            missing.append(i)
    if missing:
        out[missing] = await lib._run_model(lib.embedder.embed, [comments[i].text for i in missing])
    return out


def article_vectors(lib: ThreadLibrary, parts: ThreadParts) -> np.ndarray | None:
    passages = ([parts.title] if parts.title else []) + [p for ps in parts.paragraphs.values() for p in ps]
    vectors = [v for p in passages if p.id is not None and (v := lib.store.vectors.vector(p.id)) is not None]
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
        [comments[i].parent for i in subset], all_vectors[subset], article_vectors(lib, parts),
        8 if length != "short" else 4)
    own = await asyncio.to_thread(own_sentences, [c.text for c in comments])
    if len(subset) <= CONVERSATION_MAX:
        clauses = await _conversation_clauses(lib, parts, subset, own, length)
        text = _conversation_text(clauses, len(subset), authors)
    else:
        clauses, theme_of = await _theme_clauses(lib, parts, subset, own, analysis, length)
        text = _themes_text(clauses, theme_of, analysis, len(subset), authors)
    text, citations = _cite(text, clauses, parts)
    return DiscussionSummary(
        text=text, comment_count=len(subset), author_count=len({a for a in authors if a}),
        themes=[_theme_record(parts, subset, g) for g in analysis.themes],
        off_topic_count=len(analysis.off_topic), citations=citations,
        top_authors=[AuthorActivity(a, n) for a, n in analysis.top_authors],
        most_replied=[_replied_record(parts, subset[i], n) for i, n in analysis.most_replied])


def _theme_record(parts: ThreadParts, subset: list[int], group) -> Theme:
    comments = parts.thread.comments
    members = [subset[i] for i in group.members]
    counts = Counter(comments[i].author for i in members if comments[i].author)
    authors = [a for a, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))]
    reps = []
    for i in (subset[r] for r in group.representatives):
        passage = parts.chunk_at("comment", i, 0)
        reps.append(Representative(passage.id if passage else None, comments[i].author,
                                   _chunk_quote(passage, comments[i].text)))
    label = ", ".join(group.terms) if group.terms else OTHER_LABEL
    return Theme(label=label, comment_count=len(members), authors=authors, representative=reps)


def _replied_record(parts: ThreadParts, index: int, replies: int) -> RepliedComment:
    comment = parts.thread.comments[index]
    passage = parts.chunk_at("comment", index, 0)
    return RepliedComment(passage.id if passage else None, comment.author,
                          _chunk_quote(passage, comment.text, 200), replies)


async def _embed_sentences(lib: ThreadLibrary, sentences: list[Sentence]) -> np.ndarray:
    if not sentences:
        return np.zeros((0, lib.embedder.dim), dtype=np.float32)
    return await lib._run_model(lib.embedder.embed, [s.text for s in sentences])


def _speaker(author: str | None, mentioned: set[str], anonymous: int) -> str:
    """Full name at first mention, first name after that (as a person writing a summary does)."""
    name = display_name(author)
    if name:
        if name in mentioned and len(name.split()) > 1:
            return name.split()[0]
        mentioned.add(name)
        return name
    return "one reader" if anonymous == 0 else "another reader"


async def _conversation_clauses(lib, parts: ThreadParts, subset: list[int], own: list[list[Sentence]],
                                length: Length) -> list[Clause]:
    """One clause per message in thread order, each the message's most on-topic sentence of its own."""
    candidates = [s for i in subset for s in own[i]]
    if not candidates:
        return []
    vectors = await _embed_sentences(lib, candidates)
    topic_parts = [vectors.mean(axis=0)]
    if parts.title is not None and (v := lib.store.vectors.vector(parts.title.id)) is not None:
        topic_parts.append(v)
    topic = np.mean(topic_parts, axis=0)
    topic /= np.linalg.norm(topic) or 1.0
    relevance = vectors @ topic
    words = np.array([len(s.text.split()) for s in candidates])
    # Closeness to the thread's subject decides; a message's first sentence gets a slight edge and
    # very short sentences rarely carry a point.
    order = np.array([s.order for s in candidates])
    score = relevance + 0.05 / (1.0 + order) - np.where(words < 6, 0.15, 0.0)
    comments = parts.thread.comments
    turn_of = _turns(comments, subset)
    chosen = _fill_budget(candidates, vectors, score, turn_of, CONVERSATION_WORDS[length])
    ids = {comments[i].id for i in subset}
    clauses, seen_turns, anonymous, mentioned = [], set(), 0, set()
    for k in chosen:
        s = candidates[k]
        comment = comments[s.comment]
        turn = turn_of[s.comment]
        who = _speaker(comment.author, mentioned, anonymous)
        anonymous += comment.author is None and turn not in seen_turns
        passage = parts.chunk_at("comment", s.comment, s.start)
        clauses.append(Clause(who=who, text=s.text, comment=s.comment, author=comment.author,
                              passage_id=passage.id if passage else None, score=float(score[k]),
                              reply=comment.parent in ids or turn > 0, quote=s.text,
                              continued=turn in seen_turns))
        seen_turns.add(turn)
    _fit_words(clauses, CONVERSATION_WORDS[length])
    return clauses


def _turns(comments, subset: list[int]) -> dict[int, int]:
    """Turn number of each comment: consecutive messages by one author are one turn."""
    turn_of: dict[int, int] = {}
    turn = -1
    for n, i in enumerate(subset):
        author = comments[i].author
        if n == 0 or author is None or comments[subset[n - 1]].author != author:
            turn += 1
        turn_of[i] = turn
    return turn_of


def _fill_budget(candidates: list[Sentence], vectors: np.ndarray, score: np.ndarray, turn_of: dict[int, int],
                 budget: int) -> list[int]:
    """Every turn's best sentence, then the next best sentences (not repeating one already chosen)
    while words remain; returned in conversation order."""
    best: dict[int, int] = {}
    for k, s in enumerate(candidates):
        turn = turn_of[s.comment]
        if turn not in best or score[k] > score[best[turn]]:
            best[turn] = k
    chosen = set(best.values())
    words = sum(len(candidates[k].text.split()) for k in chosen)
    # Summaries of a discussion spend most words on the opening message, which frames it.
    fill = score + np.array([OPENER_BONUS if turn_of[s.comment] == 0 else 0.0 for s in candidates])
    for k in np.argsort(-fill, kind="stable").tolist():
        if words >= budget * 0.85:
            break
        size = len(candidates[k].text.split())
        if k in chosen or words + size > budget * 1.15:
            continue
        if max(float(vectors[k] @ vectors[j]) for j in chosen) > 0.8:
            continue
        chosen.add(k)
        words += size
    return sorted(chosen, key=lambda k: (turn_of[candidates[k].comment], candidates[k].comment,
                                         candidates[k].start))


def _fit_words(clauses: list[Clause], budget: int, floor: int = 12) -> None:
    """Cut the longest clauses (at word boundaries) until the overview is near its word budget."""
    sizes = [len(c.text.split()) for c in clauses]
    while sum(sizes) > budget * 1.15:
        longest = int(np.argmax(sizes))
        if sizes[longest] <= floor:
            break
        sizes[longest] = max(floor, sizes[longest] - max(2, sum(sizes) - budget))
        clauses[longest].text = shorten(clauses[longest].quote, sizes[longest])


def _conversation_text(clauses: list[Clause], count: int, authors: list[str | None]) -> str:
    if not clauses:  # nothing but quotes, links or greetings: say at least how much was said
        return _count_sentence(count, authors)
    # A few messages narrated one by one need no head count; the JSON carries comment_count.
    parts = []
    for n, clause in enumerate(clauses):
        verb = "adds" if clause.continued else choose_verb(clause.text, first=n == 0, reply=clause.reply)
        parts.append(cite(render_clause(clause.who, verb, clause.text), f"{{{n}}}"))
    return join_clauses(parts)


def _count_sentence(count: int, authors: list[str | None]) -> str:
    people = len({a for a in authors if a})
    noun = "comment" if count == 1 else "comments"
    if people:
        return f"{count} {noun} from {people} {'author' if people == 1 else 'authors'}."
    return f"{count} {noun}."


async def _theme_clauses(lib, parts: ThreadParts, subset: list[int], own: list[list[Sentence]],
                         analysis: DiscussionAnalysis, length: Length) -> tuple[list[Clause], list[int]]:
    """Two voices per leading theme: its most central comment and a second, preferably a reply."""
    comments = parts.thread.comments
    themes = analysis.themes[: THEMES_IN_OVERVIEW[length]]
    picks: list[tuple[int, int]] = []  # (theme number, comment index in the thread)
    for t, group in enumerate(themes):
        for r in group.representatives[:2]:
            picks.append((t, subset[r]))
    candidates = [s for _, i in picks for s in own[i]]
    vectors = await _embed_sentences(lib, candidates)
    clauses, theme_of, anonymous, mentioned = [], [], 0, set()
    first_in_theme: dict[int, int] = {}
    for t, i in picks:
        rows = [k for k, s in enumerate(candidates) if s.comment == i]
        if not rows:
            continue
        centre = themes[t].centroid
        words = np.array([len(candidates[k].text.split()) for k in rows])
        score = vectors[rows] @ centre - np.where(words < 6, 0.15, 0.0)
        k = rows[int(np.argmax(score))]
        s = candidates[k]
        comment = comments[i]
        who = _speaker(comment.author, mentioned, anonymous)
        anonymous += comment.author is None
        passage = parts.chunk_at("comment", i, s.start)
        reply = t in first_in_theme and comment.parent == comments[first_in_theme[t]].id
        first_in_theme.setdefault(t, i)
        clauses.append(Clause(who=who, text=shorten(s.text, CLAUSE_WORDS[length]), comment=i,
                              author=comment.author, passage_id=passage.id if passage else None,
                              score=float(np.max(score)), reply=reply, quote=s.text))
        theme_of.append(t)
    return clauses, theme_of


def _themes_text(clauses: list[Clause], theme_of: list[int], analysis: DiscussionAnalysis, count: int,
                 authors: list[str | None]) -> str:
    parts = [_count_sentence(count, authors)]
    n = 0
    for t, group in enumerate(analysis.themes):
        voices = [(k, c) for k, (c, tt) in enumerate(zip(clauses, theme_of, strict=True)) if tt == t]
        if not voices:
            continue
        label = ", ".join(group.terms) if group.terms else OTHER_LABEL
        rendered = []
        for j, (k, clause) in enumerate(voices):
            verb = "argues" if j == 0 else ("replies" if clause.reply else "adds")
            if verb == "argues" and clause.text.rstrip().endswith("?"):
                verb = "asks"
            rendered.append(cite(render_clause(clause.who, verb, clause.text), f"{{{k}}}"))
            n += 1
        parts.append(f"On {label} ({len(group.members)} comments), " + "; ".join(rendered))
    if analysis.off_topic:
        off = len(analysis.off_topic)
        parts.append(f"{off} {'comment was' if off == 1 else 'comments were'} off-topic")
    return join_clauses(parts)


def _cite(text: str, clauses: list[Clause], parts: ThreadParts) -> tuple[str, list[Citation]]:
    """Replace the `{k}` placeholders of clause k with numbered `[n]` markers, in reading order."""
    citations: list[Citation] = []
    for k, clause in enumerate(clauses):
        placeholder = f"{{{k}}}"
        if placeholder not in text:
            continue
        ref = f"[{len(citations) + 1}]"
        text = text.replace(placeholder, ref, 1)
        quote = clause.quote or clause.text
        citations.append(Citation(ref=ref, thread_id=parts.thread_id, passage_id=clause.passage_id,
                                  kind="comment", author=clause.author, text=quote,
                                  score=round(clause.score, 4)))
    return text, citations


# ---- whole thread -----------------------------------------------------------------------------------
async def load_parts(lib: ThreadLibrary, thread_id: str, scope: str | None = "local") -> ThreadParts:
    thread = await lib.thread(thread_id, scope)
    passages = await lib.store.thread_passages(thread_id)
    return ThreadParts.build(thread_id, thread, passages)


async def build_summary(lib: ThreadLibrary, parts: ThreadParts, length: Length = "medium") -> ThreadSummary:
    if lib.embedder is None:
        raise SummaryError("summaries need the embedding model; open the library with an embedder")
    if length not in LENGTHS:
        raise SummaryError(f"unknown summary length {length!r}: use short, medium or long")
    article = await summarize_article(lib, parts, length) if parts.thread.paragraphs else None
    discussion = await summarize_discussion(lib, parts, length) if parts.thread.comments else None
    return ThreadSummary(thread_id=parts.thread_id, title=parts.thread.title, article=article,
                         discussion=discussion, length=length)


async def summarize(lib: ThreadLibrary, thread_id: str, scope: str | None = "local",
                    length: Length = "medium", llm: ChatClient | None = None,
                    use_cache: bool = True) -> ThreadSummary:
    """The thread's summary, from the cache when this version of the thread was summarised before."""
    info = await lib.thread_info(thread_id, scope)
    mode = METHOD_VERSION if llm is None else f"llm+{METHOD_VERSION}"
    if use_cache:
        body = await cached_summary(lib.store, thread_id, info.content_hash, length, mode)
        if body is not None:
            return ThreadSummary.from_json(body)
    summary = await build_summary(lib, await load_parts(lib, thread_id, scope), length)
    if llm is not None:
        summary = await rewrite_summary(llm, summary)
    await store_summary(lib.store, thread_id, info.content_hash, length, mode, summary.to_json())
    return summary
