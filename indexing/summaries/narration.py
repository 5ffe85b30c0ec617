"""The prose overview of a discussion: up to CONVERSATION_MAX comments narrated message by message,
beyond that theme by theme, each clause a sentence the commenter wrote, cited."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from ..records import Citation
from ..text.comment_text import Sentence
from ..text.profanity import is_flagged
from .extractive import Length
from .overview import Clause, choose_verb, cite, join_clauses, readable_author, render_clause
from .parts import ThreadParts
from .themes import DiscussionAnalysis

if TYPE_CHECKING:
    from ..library import ThreadLibrary

# Up to this many comments a discussion is narrated message by message; beyond it, theme by theme.
CONVERSATION_MAX = 12
# Words of the narrated overview per length: about what a person writes about a short discussion.
CONVERSATION_WORDS = {"short": 40, "medium": 70, "long": 140}
THEMES_IN_OVERVIEW = {"short": 2, "medium": 3, "long": 5}
CLAUSE_WORDS = {"short": 20, "medium": 28, "long": 40}
OPENER_BONUS = 0.1
OTHER_LABEL = "other remarks"  # a theme whose comments share no distinctive term
FRAGMENT_PENALTY = 0.1
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]*_]*$")


def is_fragment(s: Sentence, comment_text: str) -> bool:
    """A line that stops without punctuation while its comment goes on (a list item, a cut-off line)."""
    return not _TERMINAL.search(s.text.rstrip()) and bool(comment_text[s.end:].strip())


def as_quoted(s: Sentence, comment_text: str) -> str:
    """The sentence, with an ellipsis when it stops short of its comment's end without punctuation."""
    return s.text.rstrip() + "…" if is_fragment(s, comment_text) else s.text


def clause_cut(text: str, max_words: int) -> str:
    """The sentence whole, or cut at its last clause boundary (a comma, semicolon, colon or dash)
    within `max_words` and at least half of them, then "…"; never in the middle of a clause."""
    words = text.split()
    if len(words) <= max_words:
        return text.strip()
    for k in range(max_words, max(1, max_words // 2) - 1, -1):
        if words[k - 1][-1:] in ",;:" or (k < len(words) and words[k] in ("-", "–", "—")):
            return " ".join(words[:k]).rstrip(",;:") + "…"
    return text.strip()


async def embed_sentences(lib: ThreadLibrary, sentences: list[Sentence]) -> np.ndarray:
    if not sentences:
        return np.zeros((0, lib.embedding_dim), dtype=np.float32)
    return await lib.embed_texts([s.text for s in sentences], batch_size=16)


def _speaker(author: str | None, mentioned: set[str], anonymous: int) -> str:
    """Full name at first mention, first name after that (as a person writing a summary does)."""
    name = readable_author(author)
    if name:
        if name in mentioned and len(name.split()) > 1:
            return name.split()[0]
        mentioned.add(name)
        return name
    return "one reader" if anonymous == 0 else "another reader"


async def conversation_clauses(lib, parts: ThreadParts, subset: list[int], own: list[list[Sentence]],
                                length: Length) -> list[Clause]:
    """One clause per message in thread order, each the message's most on-topic sentence of its own."""
    # Nothing posted on its own quotes a profanity or a slur (text/profanity.py).
    candidates = [s for i in subset for s in own[i] if not is_flagged(s.text)]
    if not candidates:
        return []
    vectors = await embed_sentences(lib, candidates)
    topic_parts = [vectors.mean(axis=0)]
    if parts.title is not None and parts.title.id is not None:
        topic_parts += (await lib.passage_vectors([parts.title.id])).values()
    topic = np.mean(topic_parts, axis=0)
    topic /= np.linalg.norm(topic) or 1.0
    relevance = vectors @ topic
    words = np.array([len(s.text.split()) for s in candidates])
    # Closeness to the thread's subject decides; a message's first sentence gets a slight edge and
    # very short sentences rarely carry a point.
    order = np.array([s.order for s in candidates])
    comments = parts.thread.comments
    fragment = np.array([is_fragment(s, comments[s.comment].text) for s in candidates])
    score = (relevance + 0.05 / (1.0 + order) - np.where(words < 6, 0.15, 0.0)
             - np.where(fragment, FRAGMENT_PENALTY, 0.0))
    turn_of = _turns(comments, subset)
    chosen = _fill_budget(candidates, vectors, score, turn_of, CONVERSATION_WORDS[length])
    ids = {comments[i].id for i in subset}
    clauses: list[Clause] = []
    seen_turns: set[int] = set()
    anonymous = 0
    mentioned: set[str] = set()
    previous: str | None = None  # the id of the comment the voice before this one wrote
    for k in chosen:
        s = candidates[k]
        comment = comments[s.comment]
        turn = turn_of[s.comment]
        who = _speaker(comment.author, mentioned, anonymous)
        anonymous += comment.author is None and turn not in seen_turns
        passage = parts.chunk_at("comment", s.comment, s.start)
        continued = turn in seen_turns
        # "replies" only for a comment that answers the previous voice (its parent link).
        reply = not continued and comment.parent is not None and comment.parent in ids and comment.parent == previous
        text = as_quoted(s, comment.text)
        clauses.append(Clause(who=who, text=text, comment=s.comment, author=comment.author,
                              passage_id=passage.id if passage else None, score=float(score[k]),
                              reply=reply, quote=s.text, continued=continued))
        seen_turns.add(turn)
        previous = comment.id
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
        target = max(floor, sizes[longest] - max(2, sum(sizes) - budget))
        cut = clause_cut(clauses[longest].quote, target)
        if cut != clauses[longest].quote.strip():
            clauses[longest].text = cut
        sizes[longest] = target  # even when no clause boundary allowed a cut: try the next longest


def conversation_text(clauses: list[Clause], count: int, authors: list[str | None]) -> str:
    if not clauses:  # nothing but quotes, links or greetings: say at least how much was said
        return _count_sentence(count, authors)
    # A few messages narrated one by one need no head count; the JSON carries comment_count.
    parts = []
    for n, clause in enumerate(clauses):
        verb = choose_verb(clause.text, first=n == 0, reply=clause.reply)
        if clause.continued and verb != "asks":
            verb = "adds"
        parts.append(cite(render_clause(clause.who, verb, clause.text), f"{{{n}}}"))
    return join_clauses(parts)


def _count_sentence(count: int, authors: list[str | None]) -> str:
    people = len({a for a in authors if a})
    noun = "comment" if count == 1 else "comments"
    if people:
        return f"{count} {noun} from {people} {'author' if people == 1 else 'authors'}."
    return f"{count} {noun}."


async def theme_clauses(lib, parts: ThreadParts, subset: list[int], own: list[list[Sentence]],
                         analysis: DiscussionAnalysis, length: Length) -> tuple[list[Clause], list[int]]:
    """Two voices per leading theme: its most central comment and a second, preferably a reply."""
    comments = parts.thread.comments
    themes = analysis.themes[: THEMES_IN_OVERVIEW[length]]
    picks: list[tuple[int, int]] = []  # (theme number, comment index in the thread)
    for t, group in enumerate(themes):
        for r in group.representatives[:2]:
            picks.append((t, subset[r]))
    candidates = [s for _, i in picks for s in own[i] if not is_flagged(s.text)]
    vectors = await embed_sentences(lib, candidates)
    clauses: list[Clause] = []
    theme_of: list[int] = []
    anonymous = 0
    mentioned: set[str] = set()
    first_in_theme: dict[int, int] = {}
    for t, i in picks:
        rows = [k for k, s in enumerate(candidates) if s.comment == i]
        if not rows:
            continue
        centre = themes[t].centroid
        words = np.array([len(candidates[k].text.split()) for k in rows])
        fragment = np.array([is_fragment(candidates[k], comments[i].text) for k in rows])
        score = (vectors[rows] @ centre - np.where(words < 6, 0.15, 0.0)
                 - np.where(fragment, FRAGMENT_PENALTY, 0.0))
        k = rows[int(np.argmax(score))]
        s = candidates[k]
        comment = comments[i]
        who = _speaker(comment.author, mentioned, anonymous)
        anonymous += comment.author is None
        passage = parts.chunk_at("comment", i, s.start)
        reply = t in first_in_theme and comment.parent == comments[first_in_theme[t]].id
        first_in_theme.setdefault(t, i)
        quote = as_quoted(s, comment.text)
        clauses.append(Clause(who=who, text=clause_cut(quote, CLAUSE_WORDS[length]), comment=i,
                              author=comment.author, passage_id=passage.id if passage else None,
                              score=float(np.max(score)), reply=reply, quote=s.text))
        theme_of.append(t)
    return clauses, theme_of


def themes_text(clauses: list[Clause], theme_of: list[int], analysis: DiscussionAnalysis, count: int,
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
        size = len(group.members)
        parts.append(f"On {label} ({size} {'comment' if size == 1 else 'comments'}), " + "; ".join(rendered))
    if analysis.off_topic:
        off = len(analysis.off_topic)
        parts.append(f"{off} {'comment was' if off == 1 else 'comments were'} off-topic")
    return join_clauses(parts)


def cite_clauses(text: str, clauses: list[Clause], parts: ThreadParts) -> tuple[str, list[Citation]]:
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
