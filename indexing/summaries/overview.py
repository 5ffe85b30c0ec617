"""The prose overview of a discussion: who argued what, one cited clause per voice.

Human summaries of discussions read like "CNONC argues that ...; BorisTheBlade replies that ...",
so the overview is built from such clauses: a speaker, a verb chosen from the sentence's own shape,
and a sentence the speaker wrote (verbatim, or cut at a word boundary when too long).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.lexical import STOPWORDS

_AGREE = re.compile(r"(?i)\b(i agree|agreed|you're right|you are right|good point|exactly|\+1)\b")
_THANK = re.compile(r"(?i)^\W*(thanks|thank you|many thanks)\b")
_SUGGEST = re.compile(r"(?i)\b(i suggest|i propose|we should|should we|how about|why not|let's)\b")
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)\s*")


@dataclass
class Clause:
    """One voice in the overview: `who` said `text` (a sentence of theirs) in comment `comment`."""

    who: str
    text: str
    comment: int
    author: str | None
    passage_id: int | None
    score: float
    reply: bool = False  # a reply to an earlier clause's comment
    quote: str = ""      # the whole sentence, verbatim (`text` may be cut short)
    continued: bool = False  # another sentence of the same turn as the clause before


def readable_author(author: str | None) -> str | None:
    """A readable name: "Kay, Michael" -> "Michael Kay", "irene.vatton@x.fr" -> "Irene Vatton"."""
    if not author:
        return None
    name = _PARENTHETICAL.sub(" ", author).strip() or author.strip()
    if "@" in name:
        local = name.split("@", 1)[0]
        parts = [p for p in re.split(r"[._]", local) if p]
        name = " ".join(p.capitalize() for p in parts) if len(parts) > 1 else local
    elif name.count(",") == 1 and not re.search(r"\d", name):
        last, first = (p.strip() for p in name.split(","))
        if first and last and len(first.split()) <= 2 and len(last.split()) <= 2:
            name = f"{first} {last}"
    return name


def choose_verb(text: str, first: bool, reply: bool) -> str:
    """The verb a summary writer would use for this sentence."""
    if _THANK.match(text):
        return "thanks"
    if text.rstrip().endswith("?"):
        return "asks"
    if _AGREE.search(text):
        return "agrees"
    if _SUGGEST.search(text):
        return "suggests"
    if first:
        return "says"
    return "replies" if reply else "adds"


def shorten(text: str, max_words: int) -> str:
    """The sentence itself, or its first `max_words` words ending in an ellipsis."""
    words = text.split()
    if len(words) <= max_words:
        return text.strip()
    return " ".join(words[:max_words]).rstrip(",;:-") + "…"


# First person to reported speech; "they" because a commenter's gender is unknown.
_REPORTED = [(re.compile(p), r) for p, r in (
    (r"\bI am\b", "they are"), (r"\bI'm\b", "they're"), (r"\bI was\b", "they were"), (r"\bI've\b", "they've"),
    (r"\bI'd\b", "they'd"), (r"\bI'll\b", "they'll"), (r"\bI\b", "they"), (r"\b[Mm]yself\b", "themselves"),
    (r"\b[Mm]y\b", "their"), (r"\b[Mm]ine\b", "theirs"), (r"\bme\b", "them"))]


def reported(text: str) -> str:
    for pattern, replacement in _REPORTED:
        text = pattern.sub(replacement, text)
    return text


# Sentences that open with a command or an interjection ("Move this function ...", "Yes, ...")
# read badly after "that"; they are quoted as written.
_DIRECT_OPENERS = frozenset(
    "please consider move let let's use try see remove add make note check take keep look read change put "
    "send give do don't dont get go stop imagine remember forget ignore yes no yeah nope well sorry oh hmm "
    "ok okay hi hello dear hey wow lol".split())


def render_clause(who: str, verb: str, text: str) -> str:
    """`who verb that sentence`, turned into reported speech; questions, thanks, commands and
    interjections stay direct quotes."""
    text = text.strip().strip('"“”').strip()
    opener = re.sub(r"[^\w']", "", text.split(" ", 1)[0]).lower() if text else ""
    if verb in ("asks", "thanks") or not text[:1].isalpha() or opener in _DIRECT_OPENERS:
        return f'{who} {verb}: "{text}"'
    text = reported(text)
    first = text.split(" ", 1)[0]
    # Lower-case a leading function word ("The", "It") but never a name ("Russia", "ISIS").
    lowered = text[0].lower() + text[1:] if first.lower() in STOPWORDS or first == "They" else text
    return f"{who} {verb} that {lowered}"


def cite(clause_text: str, marker: str) -> str:
    """Put the citation marker before the clause's final full stop: "... long [1]"."""
    text = clause_text.rstrip()
    if text.endswith(".") and not text.endswith("..."):
        text = text[:-1]
    return f"{text} {marker}"


def join_clauses(parts: list[str]) -> str:
    out = []
    for part in parts:
        part = part.strip()
        if part and part[-1] not in ".!?…\"":
            part += "."
        out.append(part)
    return " ".join(out)
