"""What a question is about: a speaker, a comment author, the discussion, or a fact.

Questions about people follow a few English shapes ("what did X say/think/claim about Y?",
"what is X's view on Y?", "did X warn ..."), so a small set of patterns finds the person and the
topic; whether the person is a commenter is decided against the thread's comment authors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ..text.lexical import STOPWORDS
from ..whosaid.speakers import AuthorIndex, author_key

QuestionType = Literal["speaker", "author", "discussion", "factual"]

_VERBS = (r"say|said|says|saying|think|thinks|thought|claim|claims|claimed|believe|believes|believed|"
          r"want|wants|wanted|warn|warns|warned|argue|argues|argued|tell|tells|told|write|writes|wrote|mean|meant|suggest|"
          r"suggests|suggested|feel|feels|felt|add|added|report|reports|reported|announce|announced|predict|"
          r"predicted|promise|promised|deny|denied|insist|insisted|state|stated|note|noted|comment|commented|"
          r"propose|proposed|admit|admitted|explain|explained|reply|replied|respond|responded|ask|asked|"
          r"react|reacted|reacts")
_VIEWS = (r"view|views|position|positions|stance|opinion|opinions|take|argument|arguments|point|message|"
          r"response|reaction|comment|comments|statement|statements|claim|claims|quote|quotes|words|thoughts|"
          r"remarks|point of view")
_TOPIC = r"(?:\s+(?:about|on|regarding|concerning|of|over|to|re)\s+(?P<topic>.+?))?"
_END = r"\s*[?.!]*\s*$"
PATTERNS = [
    re.compile(rf"^(?:what|how|why)\s+(?:did|does|do|has|have|had|would|will|could)\s+(?P<name>.+?)\s+"
               rf"(?:have\s+|ever\s+|really\s+|actually\s+|just\s+)?(?:{_VERBS})\b(?:\s+(?:reporters|us|them))?"
               rf"{_TOPIC}{_END}", re.I),
    re.compile(rf"^(?:what|which)\s+(?:is|was|are|were)\s+(?P<name>.+?)['’]s?\s+(?:{_VIEWS})\b{_TOPIC}{_END}",
               re.I),
    re.compile(rf"^(?:what|how)\s+(?:is|was|are|were)\s+(?P<name>.+?)\s+(?:quoted|cited)\b{_TOPIC}{_END}",
               re.I),
    re.compile(rf"^(?:what\s+)?(?:quotes?|statements?|remarks?)\s+(?:by|from|of)\s+(?P<name>.+?){_TOPIC}{_END}",
               re.I),
    re.compile(rf"^what\s+(?:was|has been|is)\s+said\s+by\s+(?P<name>.+?){_TOPIC}{_END}", re.I),
    re.compile(rf"^(?:did|does|has|have)\s+(?P<name>.+?)\s+(?:{_VERBS})\b(?:\s+(?:that|anything))?{_TOPIC}{_END}",
               re.I),
    re.compile(rf"^(?P<name>[A-Z][^?]*?)['’]s\s+(?:{_VIEWS})\b{_TOPIC}{_END}"),
]
CROWD = re.compile(r"^(?:the\s+)?(?:commenters?|commentors?|readers?|comments?|comment section|discussion|"
                   r"posters?|users?|people|folks|community|audience|forum|thread|replies|viewers|everyone|"
                   r"other commenters|most commenters|most readers|people in the comments)$", re.I)
# "the poster" is the one who posted (the post's author), "posters" the crowd.
# ("the discussion" is the crowd; "this topic is a companion discussion for ..." is the post.)
CROWD_WORDS = re.compile(r"\b(?:commenters?|commentors?|readers?|comment section|the comments|the discussion|"
                         r"posters|replies|participants|respondents|members)\b", re.I)
PRONOUNS = frozenset("he she it they we i you him her them this that there who".split())
# "What test is useful for ...?", "Which type of rock ...?": the noun the answer names.
ASKED_NOUN = re.compile(r"^\s*(?:what|which)\s+(?:(?:type|types|kind|kinds|sort|sorts|form|forms)\s+of\s+)?"
                        r"(?P<noun>[a-z][a-z-]+)\b", re.I)
NOT_NOUNS = frozenset("is are was were do does did can could might may would will shall should has have had "
                      "about if when of in on to for".split())


@dataclass(frozen=True)
class Question:
    text: str
    type: QuestionType
    speaker: str | None = None  # the person or source asked about, as the user wrote it
    topic: str | None = None  # "relations with the US" in "what did Putin say about relations with the US?"
    says: bool = False  # asks what the person said or wrote ("what did X say/suggest ..."), not a fact about them


def classify(question: str, authors: Iterable[str] | AuthorIndex = ()) -> Question:
    """Classify a question; `authors` are the comment authors in scope (to spot questions about them),
    best as an AuthorIndex made once for many questions."""
    text = " ".join(question.split())
    index = authors if isinstance(authors, AuthorIndex) else AuthorIndex(authors)
    mention = mentioned_author(text, index)
    if mention is not None:  # "What did new-man-2020 advise ...", "In the comments on X, what did Iain do ..."
        named, start, end = mention
        about, says = _author_topic(text, start, end)
        return Question(text, "author", speaker=named, topic=about, says=says)
    for pattern in PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        name = _clean_name(match.group("name"))
        topic = _clean_topic(match.groupdict().get("topic"))
        if not name or name.lower() in PRONOUNS:
            break
        if CROWD.match(name) or CROWD_WORDS.search(name):
            return Question(text, "discussion", topic=topic or _strip_question(text))
        author = index.match(name)  # "Jane Doe" finds the commenter JaneDoe42
        if author is not None:
            return Question(text, "author", speaker=author, topic=topic, says=True)
        return Question(text, "speaker", speaker=name, topic=topic)
    if CROWD_WORDS.search(text):
        return Question(text, "discussion", topic=_discussion_topic(text))
    return Question(text, "factual")


# Words around a name that make it the subject or owner of what is asked: "did X", "by X", "X's".
# Words around a name that make it the subject or owner of what is asked: "did X", "by X", "X said".
_BEFORE_NAME = re.compile(r"(?:\b(?:did|does|do|has|have|had|would|will|could|can|by|from|user|commenter|"
                          r"poster|u/)|@)\s*$", re.I)
_AFTER_NAME = re.compile(r"^\s+(?:say|said|says|write|wrote|writes|think|thinks|thought|"
                         r"mean|means|meant|reply|replied|respond|responded|ask|asked|comment|commented|"
                         r"argue|argued|suggest|suggested|claim|claimed|post|posted)\b", re.I)
# Weaker cues ("of X", "X's", "to X"), trusted only for a span that looks like a name (a capital, a
# digit, "_" or "-"): "the price of gold" is not about the user gold, "Shelley's comment" is Shelley's.
_NEAR_NAME_BEFORE = re.compile(r"(?:\b(?:of|to|for|with|and)|[,:\"“(])\s*$", re.I)
_NEAR_NAME_AFTER = re.compile(r"^['’]s?\b")


def _looks_like_a_name(span: str) -> bool:
    return any(c.isupper() or c.isdigit() or c in "_-" for c in span)


_TOKEN = re.compile(r"[^\s\"“”‘()\[\]?!,;:]+")
MAX_NAME_TOKENS = 4


def mentioned_author(text: str, authors: list[str] | AuthorIndex) -> tuple[str, int, int] | None:
    """The comment author a question names as people type names ("new-man-2020", "Jane Doe" for
    JaneDoe42), with the span of the name; None when no author is named as the subject of the question.

    A name counts where the question's grammar makes it the one asked about ("did X ...", "by X",
    "X's ...", "X said"), so a common word that is also a username ("Eternity") is not taken out of
    its sentence.
    """
    index = authors if isinstance(authors, AuthorIndex) else AuthorIndex(authors)
    if not index:
        return None
    exact, keyed = index.last_exact, index.spans
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    best: tuple[int, str, int, int] | None = None  # (tokens, author, start, end): the longest name wins
    for i in range(len(tokens)):
        for n in range(min(MAX_NAME_TOKENS, len(tokens) - i), 0, -1):
            start, end = tokens[i][0], tokens[i + n - 1][1]
            span = text[start:end].rstrip(".'’").removesuffix("'s").removesuffix("’s")
            end = start + len(span)
            author = exact.get(span.lower())
            if author is None:
                key = author_key(span)
                if not key or key in STOPWORDS or key in _CROWD_KEYS:
                    continue
                author = keyed.get(key) or keyed.get(key.replace(" ", ""))
            if author is None or (best is not None and best[0] >= n):
                continue
            if _inside_longer_name(text, start, end):  # "Larry" of "Larry Page" is not the user larry
                continue
            before, after = text[:start], text[end:]
            strong = _BEFORE_NAME.search(before) or _AFTER_NAME.match(after)
            near = _NEAR_NAME_BEFORE.search(before) or _NEAR_NAME_AFTER.match(after)
            if strong or (near and _looks_like_a_name(text[start:end])):
                best = (n, author, start, end)
    return None if best is None else (best[1], best[2], best[3])


def _inside_longer_name(text: str, start: int, end: int) -> bool:
    """Whether a capitalised word runs on from the span on either side ("Larry" in "Larry Page")."""
    after = re.match(r"\s+([A-Z][\w'’-]*)", text[end:])
    before = re.search(r"([A-Z][\w'’-]*)\s+$", text[:start])
    capitalised = text[start:start + 1].isupper()
    return capitalised and (after is not None or (before is not None and before.start() > 0))


_CROWD_KEYS = frozenset("commenter commenters reader readers people user users poster posters everyone".split())
_LEAD_IN = re.compile(r"^\s*(?:in|under|among)\s+the\s+(?:comments?|replies|discussion)\b[^,?]*,\s*", re.I)
_AUX = re.compile(r"^\s*(?:what|how|why|when|where|which|who)?\s*(?:did|does|do|has|have|had|is|was|would|will)?"
                  r"\s*$", re.I)


_SPEECH = re.compile(rf"^(?:{_VERBS}|advise[sd]?|advice|complain(?:s|ed)?|recommend(?:s|ed)?|mention(?:s|ed)?|"
                     rf"{_VIEWS})\b(?:\s+(?:about|on|regarding|concerning|for|in|to|of|that)\b)?\s*", re.I)


def _author_topic(text: str, start: int, end: int) -> tuple[str | None, bool]:
    """What is asked about the named author, and whether it asks what they said: the question without
    its lead-in, the name, the question words before it and the speech verb after it ("In the comments
    on X, what did Iain do after ...?" -> "do after ...", False; "What did X say about Y?" -> "Y", True)."""
    before, after = _LEAD_IN.sub("", text[:start]), text[end:]
    after = re.sub(r"^['’]s?\b", "", after).strip()
    says = False
    if _AUX.match(before):
        speech = _SPEECH.match(after)
        if speech:
            says, after = True, after[speech.end():]
        rest = after
    else:
        rest = f"{before} {after}"
    rest = " ".join(rest.split()).strip(" ,;:?.!\"'“”")
    return rest or None, says


def asked_noun(question: str) -> str | None:
    """The noun a what/which question asks for ("test" in "What test is useful for ...?"), if any."""
    match = ASKED_NOUN.match(question)
    if match is None or match.group("noun").lower() in NOT_NOUNS:
        return None
    return match.group("noun").lower()


def _clean_name(name: str) -> str:
    name = name.strip(" ,;:\"'“”")
    name = re.sub(r"^(?:the\s+)?(?:article|story|report)\s+(?:say\s+)?(?:that\s+)?", "", name, flags=re.I)
    return name


def _clean_topic(topic: str | None) -> str | None:
    if not topic:
        return None
    topic = topic.strip(" ,;:?.!\"'“”")
    return topic or None


def _strip_question(text: str) -> str:
    return text.rstrip(" ?.!")


def _discussion_topic(text: str) -> str | None:
    match = re.search(r"\b(?:about|on|regarding|concerning|of)\s+(?P<topic>.+?)\s*[?.!]*\s*$", text, re.I)
    return _clean_topic(match.group("topic")) if match else _strip_question(text)
