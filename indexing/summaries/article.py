"""What the article says: verbatim sentences chosen by centrality over sentence embeddings, a lead
prior and MMR, returned in article order, each cited to its paragraph."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..records import Citation
from ..text.comment_text import author_lead, greeting_end, is_author_note, is_boilerplate
from ..text.sentences import sentence_spans
from ..text.shorten import excerpt
from .extractive import LENGTHS, Length, mmr_select, sentence_scores
from .parts import ThreadParts
from .records import ArticleSummary

if TYPE_CHECKING:
    from ..library import ThreadLibrary

@dataclass(frozen=True)
class _ArticleSentence:
    paragraph: int
    start: int
    text: str


LEAD_CHARS = 300
# How the author's own summary or correction is introduced in the summary.
_LEAD_NAMES = {"TL;DR": "The author's TL;DR", "Edit": "The author's edit", "Update": "The author's update"}


_INLINE_NOTE = re.compile(r"(?i)(?<=[.!?])\s+(?:edit|update|tl\s*;?\s*dr)\s*\d*\s*:")


def _bare(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(".!?:;, ")


def article_sentences(paragraphs: tuple[str, ...], title: str) -> list[_ArticleSentence]:
    """The sentences a summary may quote: no greetings, thanks or sign-offs (a salutation in front of
    a sentence is left off), no repeat of the title, no author TL;DR/EDIT lines (they lead instead)."""
    head = _bare(title)
    out = []
    for i, text in enumerate(paragraphs):
        if is_author_note(text) or is_boilerplate(text):
            continue
        for s, e in sentence_spans(text):
            s += greeting_end(text[s:e])
            if note := _INLINE_NOTE.search(text, s, e):  # "... in 1911. edit: thanks all" (no capital to split on)
                e = note.start()
            sentence = text[s:e]
            bare = _bare(sentence)
            if not bare or is_boilerplate(sentence) or is_author_note(sentence) or bare == head:
                continue
            if len(bare.split()) >= 4 and head.startswith(bare):
                continue
            out.append(_ArticleSentence(i, s, sentence))
    return out


def _author_leads(paragraphs: tuple[str, ...]) -> list[tuple[int, int, str, str]]:
    """(paragraph, offset, kind, text) of the author's TL;DR first, then their edits and updates."""
    leads = []
    for i, text in enumerate(paragraphs):
        for s in [0] + [start for start, _ in sentence_spans(text)[1:]]:
            found = author_lead(text[s:] if s else text)
            if found:
                leads.append((i, s, found[0], excerpt(found[1], LEAD_CHARS)))
                break
    leads.sort(key=lambda x: (x[2] != "TL;DR", x[0]))
    return leads[:2]


async def summarize_article(lib: ThreadLibrary, parts: ThreadParts, length: Length) -> ArticleSummary | None:
    paragraphs = parts.thread.paragraphs
    sentences = article_sentences(paragraphs, parts.thread.title)
    leads = _author_leads(paragraphs)
    if not sentences and not leads:
        return None
    if not sentences:
        return _with_leads(parts, leads, [])
    texts = [s.text for s in sentences]
    vectors = await lib.embed_texts([*texts, parts.thread.title], batch_size=16)
    chosen, scores = await asyncio.to_thread(_select_article, vectors, texts, length)
    citations = []
    for n, i in enumerate(chosen, start=1):
        s = sentences[i]
        passage = parts.chunk_at("paragraph", s.paragraph, s.start)
        citations.append(Citation(ref=f"[{n}]", thread_id=parts.thread_id,
                                  passage_id=passage.id if passage else None, kind="paragraph", author=None,
                                  text=s.text, score=round(float(scores[i]), 4)))
    return _with_leads(parts, leads, citations)


def _with_leads(parts: ThreadParts, leads: list[tuple[int, int, str, str]],
                citations: list[Citation]) -> ArticleSummary:
    """The author's own TL;DR and updates first (cited to their paragraph), then the chosen sentences."""
    first: list[tuple[str, Citation]] = []
    for paragraph, offset, kind, text in leads:
        passage = parts.chunk_at("paragraph", paragraph, offset)
        first.append((f"{_LEAD_NAMES[kind]}: {text}",
                      Citation(ref="", thread_id=parts.thread_id, passage_id=passage.id if passage else None,
                               kind="paragraph", author=None, text=text, score=1.0)))
    shown = [(c.text, c) for c in citations]
    renumbered = []
    pieces = []
    for n, (text, c) in enumerate(first + shown, start=1):
        cited = Citation(ref=f"[{n}]", thread_id=c.thread_id, passage_id=c.passage_id, kind=c.kind,
                         author=c.author, text=c.text, score=c.score)
        renumbered.append(cited)
        pieces.append(f"{text} {cited.ref}")
    return ArticleSummary(text=" ".join(pieces), citations=renumbered)


def _select_article(vectors: np.ndarray, texts: list[str], length: Length) -> tuple[list[int], np.ndarray]:
    sentence_vectors, title_vector = vectors[:-1], vectors[-1]
    words = np.array([len(t.split()) for t in texts])
    scores = sentence_scores(sentence_vectors, title_vector, np.arange(len(texts)), words)
    return mmr_select(sentence_vectors, scores, words, LENGTHS[length]), scores
