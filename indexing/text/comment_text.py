"""What a commenter wrote themselves: sentences of a comment minus quoted text, headers and debris.

Readers quote each other (and mail clients quote whole messages, often flattened onto one line),
so a sentence whose word 5-grams mostly appeared in earlier comments is treated as a quotation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .sentences import sentence_spans

_TOKEN = re.compile(r"[a-z0-9]+")
_ALPHA_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_HEADER = re.compile(r"(?i)\b(?:from|sent|to|cc|subject|date|sender|reply-to|in-reply-to)\s*:")
_DEBRIS = re.compile(r"(?i)original message|-{4,}|_{4,}|={4,}|\bwrote:\s*$|\S+@\S+\.\w+|https?://\S+|www\.\S+")
_GREETING = re.compile(
    r"(?i)^(?:hi|hello|hey|dear|thanks|thank you|cheers|regards|best regards|best)\b[^.!?]{0,30}$")
# Where quoted or signature material starts inside a sentence (mail clients flatten it into one line).
_CUT = re.compile(r"(?i)-{4,}|_{4,}|={4,}|original message|\bwrote:|(?:^|\s)>+\s|\bcc:|\bfrom:\s|\s--\s"
                  r"|\s#\w\b|\[\d+\]\s*(?:https?://|www\.)|(?:https?://|www\.)\S+")
# A salutation or discourse opener in front of the sentence proper: "Hi Irene, ", "David, ", "Well, ".
_OPENER = re.compile(r"^(?:(?i:hi|hello|hey|dear|greetings)\b[^,.!?:]{0,40}[,.!:]\s*"
                     r"|[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)?,\s+(?=\S))")
SHINGLE = 5
QUOTED_SHARE = 0.6


@dataclass(frozen=True)
class Sentence:
    """A sentence of a comment: verbatim text and its character offsets in the comment."""

    comment: int
    start: int
    end: int
    text: str
    order: int  # index among the comment's own sentences


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    if len(words) < SHINGLE:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def is_debris(text: str) -> bool:
    """Headers, signatures, link-only lines, greetings: nothing a summary should quote."""
    words = _ALPHA_WORD.findall(text)
    if len(words) < 4 or _GREETING.match(text.strip()):
        return True
    if len(_HEADER.findall(text)) >= 2 or text.lstrip().startswith(">"):
        return True
    cleaned = _DEBRIS.sub(" ", text)
    if len(_ALPHA_WORD.findall(cleaned)) < 4:
        return True
    shouting = sum(1 for w in words if len(w) > 1 and w.isupper())
    if shouting >= 0.6 * len(words):  # a signature slogan or a heading, not a point made
        return True
    all_tokens = text.split()
    return len(words) / max(1, len(all_tokens)) < 0.6


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a sentence span to the sentence proper: no salutation before it, no quoted tail after it."""
    cut = _CUT.search(text, start, end)
    if cut:
        end = cut.start()
        while end > start and text[end - 1].isspace():
            end -= 1
    opener = _OPENER.match(text[start:end])
    if opener and len(text[start + opener.end():end].split()) >= 4:
        start += opener.end()
    return start, end


def own_sentences(texts: Sequence[str]) -> list[list[Sentence]]:
    """For each comment (in thread order) its own sentences: not quoted from earlier ones, not debris."""
    seen: set[tuple[str, ...]] = set()
    out: list[list[Sentence]] = []
    for index, text in enumerate(texts):
        own: list[Sentence] = []
        comment_shingles: set[tuple[str, ...]] = set()
        for start, end in sentence_spans(text):
            start, end = trim_span(text, start, end)
            if end <= start:
                continue
            sentence = text[start:end]
            words = tokens(sentence)
            shingles = _shingles(words)
            comment_shingles |= shingles
            if shingles and len(shingles & seen) / len(shingles) >= QUOTED_SHARE:
                continue
            if is_debris(sentence):
                continue
            own.append(Sentence(index, start, end, sentence, len(own)))
        seen |= comment_shingles
        out.append(own)
    return out


# Greetings, thanks and sign-offs: what a post or comment says around its point, never the point.
_BOILERPLATE = re.compile(
    r"(?i)^\W*(?:(?:hi|hello|hey|hiya|howdy|greetings|dear|good (?:morning|afternoon|evening))\b"
    r"[^.!?,:]{0,30}[.!?,:]*\s*$"
    r"|(?:hi|hello|hey|hiya|howdy|greetings)\s+(?:all|everyone|everybody|folks|guys|people|reddit|hn|friends"
    r"|there|y'all|team)\b[^.!?]{0,20}[.!?,:]*\s*$"
    r"|(?:thanks|thank you|thx|ty)\b(?:[^.!?]{0,30}\b(?:reading|listening|watching|time|help|attention))?\W*$"
    r"|(?:thanks|thank you|thx|ty)\b(?: (?:so|very) much)?(?: [\w'’]+){0,2}\W*$"
    r"|(?:(?:x+o+)+x*|xx+|lol|haha\w*)\W*$"
    r"|(?:thanks|thank you) (?:for|to) (?:reading|listening|watching|your time|all|everyone|the gold|the awards?)"
    r"|(?:cheers|regards|best regards|kind regards|best wishes|sincerely|take care|peace|ciao|bye)\b[^.!?]{0,30}$"
    r"|(?:edit|update)\s*\d*\s*:\s*(?:thanks|thank you|wow|rip my inbox|holy)\b"
    r"|(?:edit|update)\s*\d*\s*:\s*[^.!?]{0,40}\b(?:gold|silver|awards?|upvotes|karma|front page)\b)")
# The author's own summary or correction: "TL;DR: ...", "EDIT: ...", "Update 2: ...".
# An edit that thanks readers or remarks on the attention ("Edit: wow, thanks everyone ...") is not news.
_THANKS = re.compile(r"(?i)\b(?:thank|thanks|thx|appreciated?|grateful|gold|silver|awards?|upvotes?|karma"
                     r"|front page|blew up|blown up|inbox|kind words|responses|so many comments)\b")
_AUTHOR_LEAD = re.compile(r"(?i)^\W*(?:tl\s*;?\s*dr|too long;? didn'?t read|edit|update)\s*\d*\s*[:\-–—.]\s*")


def is_boilerplate(text: str) -> bool:
    """A greeting, thanks or sign-off ("Hey folks,", "Thanks for reading!", "Edit: thanks for the gold")."""
    pieces = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))  # "Thanks Dana! xoxo" is two pieces
    return all(_BOILERPLATE.match(p) for p in pieces if p) and any(pieces)


def is_author_note(text: str) -> bool:
    """A line the author marked as a TL;DR, edit or update (shown as a lead, or thanks left out)."""
    return bool(_AUTHOR_LEAD.match(" ".join(text.split())))


def author_lead(text: str) -> tuple[str, str] | None:
    """("TL;DR" | "Edit" | "Update", what follows) when `text` is the author's own summary or update
    line (and not mere thanks), else None."""
    flat = " ".join(text.split())
    match = _AUTHOR_LEAD.match(flat)
    if not match or is_boilerplate(flat):
        return None
    rest = flat[match.end():].strip()
    if len(_ALPHA_WORD.findall(rest)) < 3:
        return None
    label = re.sub(r"[^a-z]", "", match.group(0).lower())
    kind = "TL;DR" if label.startswith(("tl", "too")) else label.capitalize()
    if kind != "TL;DR" and (_THANKS.search(rest[:240]) or re.match(r"(?i)(?:hi|hello|hey|wow|omg)\b", rest)):
        return None  # thanks for the attention, not an update about the subject
    return kind, rest


def greeting_end(text: str) -> int:
    """Where the sentence proper starts after a leading salutation ("Hi all, I built ..." -> "I built ...")."""
    match = re.match(r"(?i)^\W*(?:hi|hello|hey|hiya|howdy|greetings|dear)\b[^,.!?:]{0,40}[,.!:]\s*", text)
    if match and len(text[match.end():].split()) >= 4:
        return match.end()
    return 0
