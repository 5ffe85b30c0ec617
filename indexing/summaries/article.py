"""What the article says: verbatim sentences chosen by centrality over sentence embeddings, a lead
prior and MMR, returned in article order, each cited to its paragraph."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..records import Citation
from ..text.sentences import sentence_spans
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


async def summarize_article(lib: ThreadLibrary, parts: ThreadParts, length: Length) -> ArticleSummary | None:
    paragraphs = parts.thread.paragraphs
    sentences = [_ArticleSentence(i, s, text[s:e]) for i, text in enumerate(paragraphs)
                 for s, e in sentence_spans(text)]
    if not sentences:
        return None
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
    text = " ".join(f"{c.text} {c.ref}" for c in citations)
    return ArticleSummary(text=text, citations=citations)


def _select_article(vectors: np.ndarray, texts: list[str], length: Length) -> tuple[list[int], np.ndarray]:
    sentence_vectors, title_vector = vectors[:-1], vectors[-1]
    words = np.array([len(t.split()) for t in texts])
    scores = sentence_scores(sentence_vectors, title_vector, np.arange(len(texts)), words)
    return mmr_select(sentence_vectors, scores, words, LENGTHS[length]), scores
