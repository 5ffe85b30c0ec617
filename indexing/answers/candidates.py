"""Which sentences may answer a factual question, and where a thread's questions have their answers.

- A sentence that is itself a question is never an answer: it says where the answer is (the replies
  to its comment), not what it is. So is a paragraph's closing lead-in ("here's what to do:"): the
  paragraphs after it answer. Its passage's replies become candidates, scored with the evidence
  the question had (a reply "Yes, in March" shares no words with "when is the release?").
- Greetings, sign-offs and interface boilerplate ("Hey folks,", "Thanks for reading", "Share this")
  are never answer sentences; a greeting leading a sentence is cut off, the rest stays verbatim.
- A title is an answer only when it names what the question asks for (a date for "when", ...): a
  headline mostly restates the topic.
- An unscoped question goes to the thread its best passages come from when one thread dominates.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..records import Hit, Passage
from ..text.lexical import content_terms
from ..text.sentences import sentence_spans

_GREETING = re.compile(
    r"^\s*(?:hey|hi|hello|howdy|greetings|good (?:morning|afternoon|evening)|dear)\b"
    r"(?:\s+(?:there|all|everyone|everybody|folks|guys|friends|people|reddit|hn|team|y'all|"
    r"r/\w+|[A-Z][\w-]*)){0,3}\s*[,!.:—–-]+\s*", re.I)
_SIGN_OFF = re.compile(
    r"^\s*(?:thanks?|thank you|cheers|regards|best|sincerely|enjoy|see you|cya|bye|edit|update|tl;?dr)"
    r"(?:\s+(?:so much|again|all|everyone|for (?:reading|listening|watching|your time|the [\w ]+)|"
    r"and good night|in advance))*\s*[,!.:]*\s*$", re.I)
_BOILERPLATE = re.compile(  # at the start of a short sentence: interface text, not content
    r"^\W*(?:click here|read more|subscribe|sign up|log in|share this|follow us|all rights reserved|"
    r"copyright|permalink|continue reading|posted (?:by|in|on)|filed under|related posts?)\b", re.I)
BOILERPLATE_WORDS = 12
# Words that point at a thread itself rather than at something in it: they route no question.
THREAD_WORDS = frozenset(content_terms(
    "article post story thread piece news blog video op author topic psa announcement response responses "
    "reply replies comment comments commenter commenters discussion writeup write-up report paper page link "
    "submission this it everything general overall mostly most joke jokes joking react reaction reactions "
    "opinion opinions view views feel feeling think thought say talk talking people reader readers"))
DOMINANT_SHARE = 0.8  # of the top hits from one thread (the top hit's) route a question there
MIN_WORDS = 3  # a candidate sentence has at least this many words


@dataclass(frozen=True)
class Candidate:
    rank: int  # the hit the sentence is from
    span: tuple[int, int]
    text: str  # verbatim from the passage
    previous: str  # the candidate sentence before it in the passage ("" for the first)
    question: bool = False  # a question: scored, never shown
    answers: int | None = None  # a reply: the rank of the hit whose question it answers


def is_question(sentence: str) -> bool:
    return sentence.rstrip(" \"'”’)]").endswith("?")


def is_lead_in(sentence: str) -> bool:
    """A sentence that announces what follows ("If you receive one, here's what to do:")."""
    return sentence.rstrip().endswith(":") and len(sentence.split()) >= MIN_WORDS


def answer_text(sentence: str) -> str | None:
    """The part of `sentence` that may answer (a leading greeting cut off), or None for a greeting,
    a sign-off or boilerplate."""
    match = _GREETING.match(sentence)
    if match:
        sentence = sentence[match.end():]
    words = len(sentence.split())
    if words < MIN_WORDS or _SIGN_OFF.match(sentence) or (_BOILERPLATE.match(sentence) and words <= BOILERPLATE_WORDS):
        return None
    return sentence


def sentences_of(hits: list[Hit], start: int = 0, answers: int | None = None,
                 title_answers: Callable[[str], bool] | None = None) -> list[Candidate]:
    """Candidates of hits[start:] (ranks count from 0 over `hits`); a title only when `title_answers`
    says it names what the question asks for."""
    out: list[Candidate] = []
    for rank in range(start, len(hits)):
        passage = hits[rank].passage
        if passage.kind == "title":
            if title_answers is not None and title_answers(passage.text):
                out.append(Candidate(rank, (0, len(passage.text)), passage.text, ""))
            continue
        text = passage.text
        previous = ""
        for begin, end in sentence_spans(text) or [(0, len(text))]:
            sentence = text[begin:end]
            kept = answer_text(sentence)
            if kept is not None:
                offset = begin + (len(sentence) - len(kept))
                # A paragraph's closing lead-in points at the paragraphs after it, as a question at its replies.
                lead_in = passage.kind == "paragraph" and is_lead_in(kept) and end >= len(text.rstrip())
                out.append(Candidate(rank, (offset, end), kept, previous,
                                     question=is_question(kept) or lead_in, answers=answers))
                previous = kept
    return out


def replies_to(question: Passage, passages: list[Passage]) -> list[Passage]:
    """The direct replies to a comment, in reading order."""
    if question.comment_id is None:
        return []
    return [p for p in passages if p.kind == "comment" and p.parent_id == question.comment_id]


def following_paragraphs(lead_in: Passage, passages: list[Passage], count: int = 3) -> list[Passage]:
    """The paragraphs a lead-in paragraph announces: the next `count`, in reading order."""
    return [p for p in passages if p.kind == "paragraph" and lead_in.position < p.position <= lead_in.position + count]


def answerer(passages: list[Passage]) -> str | None:
    """Who answers the thread's questions (the post author of an interview or AMA): the author of the
    most replies to comments that ask something, when that is at least two and more than anyone else."""
    replies = [p for p in passages if p.kind == "comment" and p.author and p.parent_id]
    replied = {p.parent_id for p in replies}
    # Only a comment that has replies can count, and only one with a "?" can ask (splitting every
    # comment of a 1,000-comment thread into sentences took most of this function's 10-40 ms).
    asking = {p.comment_id for p in passages if p.kind == "comment" and p.comment_id in replied and "?" in p.text
              and any(is_question(p.text[b:e]) for b, e in sentence_spans(p.text))}
    counts = Counter(p.author for p in replies if p.parent_id in asking)
    ranked = counts.most_common(2)
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
        return ranked[0][0]
    return None


def dominant_thread(hits: list[Hit], question: str, top: int = 5) -> str | None:
    """The thread an unscoped question is about: the top hit's, when it holds nearly all of the top
    hits, or the one whose title holds most of the question's words. None when unclear."""
    if not hits:
        return None
    head = hits[:top]
    thread = head[0].passage.thread_id
    count = sum(h.passage.thread_id == thread for h in head)
    if count == len(head) or count >= DOMINANT_SHARE * len(head):
        return thread
    # The title route: the share of the question's words found in a thread's title, counting only the
    # words some candidate title has ("joke" in "what do commenters joke about in the PSA?" tells
    # no thread from another; "PSA" does).
    title_terms = {h.passage.thread_id: set(content_terms(h.thread_title)) for h in hits if h.thread_title}
    terms = set(content_terms(question)) & set().union(*title_terms.values()) if title_terms else set()
    if not terms:
        return None
    titles = {thread: len(terms & words) / len(terms) for thread, words in title_terms.items()}
    ranked = sorted(titles.items(), key=lambda kv: -kv[1])
    if ranked and ranked[0][1] >= 0.5 and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
        return ranked[0][0]
    return None


def inherit_from_questions(candidates: list[Candidate], scores: np.ndarray,
                           dense: np.ndarray) -> list[tuple[float, int]]:
    """A reply takes the score of the question it answers when that is higher (plus a tenth of its
    own, to rank the replies); returns each candidate's evidence: (cosine, rank) for the weak check."""
    asked: dict[int, int] = {}
    for i, c in enumerate(candidates):
        if c.question and (c.rank not in asked or scores[i] > scores[asked[c.rank]]):
            asked[c.rank] = i
    evidence = [(float(dense[i]), c.rank) for i, c in enumerate(candidates)]
    for i, c in enumerate(candidates):
        if c.answers is None or c.answers not in asked:
            continue
        q = asked[c.answers]
        if scores[q] > scores[i]:
            scores[i] = scores[q] + 0.1 * scores[i]
            evidence[i] = (max(float(dense[q]), float(dense[i])), c.answers)
    return evidence
