"""The rules that keep answers honest: text shown in quotation marks is a verbatim substring of a
passage cited next to it. Checked on every answer, extractive or written by an LLM.

An answer is checked line by line: the `[n]` markers of a line are the sources for the quotes on
it. An ellipsis inside a quote marks an omission, so each piece between ellipses must be verbatim.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import replace

from ..records import Citation
from ..text.lexical import content_terms
from ..text.sentences import sentence_spans
from .quote_marks import canonical_marks, has_quote_mark, quote_marks, quoted_regions

log = logging.getLogger(__name__)

REF = re.compile(r"\[(\d+)\]")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.+)\s*")


def _normalise(text: str) -> str:
    """Compare modulo whitespace runs and the convention of quote marks (“”, „“, «», "")."""
    return " ".join(canonical_marks(text).split())


def line_refs(line: str) -> list[int]:
    return [int(n) for n in REF.findall(line)]


def unverified_quotes(answer: str, passages: Mapping[int, str]) -> list[str]:
    """Quoted strings in `answer` that no passage cited on the same line contains verbatim.

    `passages` maps a citation number to its passage text. A quote on a line without a valid
    citation is unverified too.
    """
    bad: list[str] = []
    for line in answer.splitlines():
        if not has_quote_mark(line):
            continue
        sources = [_normalise(passages[n]) for n in line_refs(line) if n in passages]
        text = REF.sub("", line)
        strip = "".join(quote_marks()) + " "
        for start, end in quoted_regions(text):
            inner = text[start:end].strip(strip)
            pieces = [p.strip(" ,") for p in _ELLIPSIS.split(inner)]
            for piece in pieces:
                if not piece:
                    continue
                wanted = _normalise(piece)
                if not any(wanted in source for source in sources):
                    bad.append(piece)
    return bad


def drop_unverified_lines(answer: str, passages: Mapping[int, str]) -> tuple[str, list[str]]:
    """Remove every line that carries an unverified quote; returns the answer and what was dropped."""
    kept, dropped = [], []
    for line in answer.splitlines():
        if unverified_quotes(line, passages):
            dropped.append(line)
        else:
            kept.append(line)
    return "\n".join(kept), dropped


# Words that frame a claim rather than carry it ("the article reports", "a commenter argues").
_FRAMING = frozenset(content_terms(
    "article articles passage passages comment comments commenter commenters reader readers thread "
    "according report reports reported write writes wrote argue argues argued claim claims claimed "
    "note notes noted state states stated mention mentions mentioned suggest suggests suggested "
    "believe believes add adds added explain explains explained describe describes described also"
))
# The share of an answer sentence's content words that its cited passages must contain (stemmed).
MIN_SHARED = 0.5


def supported(sentence: str, sources: list[Citation], min_shared: float = MIN_SHARED) -> bool:
    """Whether the cited passages (and their authors' names) hold at least `min_shared` of the
    sentence's content words. A sentence with none (only `[n]` markers and punctuation) never is."""
    words = [w for w in content_terms(REF.sub(" ", sentence)) if w not in _FRAMING]
    if not words:
        return False
    vocabulary = set(content_terms(" ".join(f"{c.text} {c.author or ''}" for c in sources)))
    shared = sum(1 for w in words if w in vocabulary)
    return shared >= min_shared * len(words)


def checked_reply(reply: str, citations: list[Citation], *, min_shared: float = 0.0) -> tuple[str, list[Citation]]:
    """Keep the sentences of `reply` that cite given passages, quote them verbatim, say something
    (not only `[n]` markers) and share at least `min_shared` of their content words with the
    passages they cite; renumber the citations in order of use. Returns ("", []) when nothing
    survives. Answers ask for MIN_SHARED; a summary rewrite keeps its own checks."""
    by_number = {int(c.ref.strip("[]")): c for c in citations}
    texts = {n: c.text for n, c in by_number.items()}
    kept: list[str] = []
    for line in reply.splitlines():
        good = []
        for sentence in _cited_sentences(line):
            refs = line_refs(sentence)
            if not refs or any(n not in texts for n in refs):
                log.info("LLM sentence dropped (missing or invented citation): %s", sentence)
                continue
            if unverified_quotes(sentence, texts):
                log.info("LLM sentence dropped (quote not verbatim): %s", sentence)
                continue
            if not supported(sentence, [by_number[n] for n in refs], min_shared):
                log.info("LLM sentence dropped (shares too little with what it cites): %s", sentence)
                continue
            good.append(sentence)
        if good:
            kept.append(" ".join(good))
    if not kept:
        return "", []
    order: list[int] = []
    for line in kept:
        for n in line_refs(line):
            if n not in order:
                order.append(n)
    renumber = {old: new for new, old in enumerate(order, start=1)}
    text = REF.sub(lambda m: f"[{renumber[int(m.group(1))]}]", "\n".join(kept))
    cited = [replace(by_number[old], ref=f"[{new}]") for old, new in renumber.items()]
    return text, cited


def _cited_sentences(line: str) -> list[str]:
    """Sentences of a line; a citation written after the full stop ("... Saturday. [2]") is
    split off by the sentence splitter and belongs to the sentence before it."""
    merged: list[str] = []
    for s, e in sentence_spans(line):
        sentence = line[s:e]
        leading = _LEADING_REFS.match(sentence)
        if leading and merged and not line_refs(merged[-1]):
            merged[-1] += " " + leading.group(1).strip()
            sentence = sentence[leading.end():]
        if sentence.strip():
            merged.append(sentence)
    return merged


_LEADING_REFS = re.compile(r"^((?:\s*\[\d+\])+)\s*")
