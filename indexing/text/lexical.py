"""Words as the library compares them: stopwords, the one stemmer, content terms with numbers
and Roman numerals, and the terms of a full-text query."""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
now of off on once only or other our ours out over own same she should so some such than that the their
theirs them then there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your yours yourself
say said says tell told think thinks thought
""".split())

# Derivational and inflectional endings: "mediates", "mediated" and "mediating" meet.
SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly")
# Inflections only: "exposes" meets "expose", but "mostly" stays apart from "most".
INFLECTIONS = ("ing", "ed", "es", "s")


@lru_cache(maxsize=1 << 16)  # a vocabulary, not a corpus: answers stem the same words per question
def stem(word: str, suffixes: tuple[str, ...] = SUFFIXES) -> str:
    """A light suffix stripper: the first of `suffixes` that leaves a stem of 3+ letters goes
    ("ies" becomes "y"), then a final "e" of a long word."""
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[:-len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


_ROMAN = {"II": "2", "III": "3", "IV": "4", "VI": "6", "VII": "7", "VIII": "8", "IX": "9"}


def content_terms(text: str) -> list[str]:
    """Stemmed words that carry content, numbers included; Roman numerals read as digits, so
    "Type 1" meets "Type I". A lone "I" or "V" counts only after a capitalised word ("Type I",
    "World War I"); "as I said" keeps its pronoun, "Yesterday I said" is read as a numeral (harmless:
    it matters only to a question that has the number)."""
    return list(_content_terms(text))


# Answers read the same passages and sentences question after question (IDF over the hits, the
# coverage of every candidate sentence): remembering the last few thousand texts' terms saved a
# tenth of `ask` at 100k passages.
@lru_cache(maxsize=4096)
def _content_terms(text: str) -> tuple[str, ...]:
    terms = []
    previous = ""  # the word before, when it is capitalised ("Type"), else ""
    for match in re.finditer(r"[^\W_]+", text):
        raw = match.group()
        word = raw.lower()
        if raw in _ROMAN:
            word = _ROMAN[raw]
        elif raw in ("I", "V") and previous and previous.lower() not in STOPWORDS:
            word = "1" if raw == "I" else "5"
        previous = raw if raw[:1].isupper() else ""
        if word.isdigit() or (word not in STOPWORDS and len(word) > 1):
            terms.append(stem(word))
    return tuple(terms)


def query_terms(text: str, limit: int = 16) -> list[str]:
    """Content words of a query, lower-cased and de-duplicated, for the FTS5 OR-query."""
    terms: list[str] = []
    for word in re.findall(r"[^\W_]+(?:['’][^\W_]+)?", text.lower()):
        word = re.sub(r"['’]s$", "", word)
        if word in STOPWORDS or len(word) < 2 or word in terms:
            continue
        terms.append(word)
    return terms[:limit]


def fts_match_expression(terms: list[str]) -> str | None:
    """An FTS5 MATCH string ORing quoted terms (quoting makes any user text safe)."""
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
