"""Theme labels from class-based TF-IDF: the terms that set one group of comments apart from the rest.

c-TF-IDF (as in BERTopic) treats each theme as one document: a term scores high when it is frequent
inside the theme and rare across themes. Bigrams of two content words are kept because discussions
name their subjects in pairs ("safe zones", "food stamps").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from ..text.lexical import STOPWORDS

# Words that carry no subject in comment threads on top of the search stopwords.
_FILLER = frozenset("""
also just like get got one would could should really even much many well still know going way thing things
make made people think yes yeah lol don doesn didn isn wasn aren won can't don't doesn't didn't isn't it's
that's there's they're you're i'm i've we're let's what's who's he's she's re ve ll us via
every ever never always anything something nothing everything someone anyone everyone another
good bad right wrong sure see look want need take come go back around first last new old
time times year years day days may might must shall said says saying say
actually probably maybe quite pretty lot lots sounds seems seem seen
use uses used using cannot gets however often okay ok others ought ourselves themselves yourselves though
upon whether yet thanks thank please hey hello edit update xoxo lol haha
""".split())
PHRASE_BONUS = 2.5
_WORD = re.compile(r"[a-z][a-z'’-]*[a-z]")
# Links, addresses and markup name no subject: "https", "www" and "com" are not what readers discuss.
_ADDRESS = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\S+@\S+\.\w+|<[^>]{1,200}>")
# A bare domain ("imvu.com") names its site: keep the name, drop the rest.
_DOMAIN = re.compile(r"(?i)\b([a-z][\w-]*)(?:\.[\w-]+)*\.(?:com|org|net|io|co|uk|de|fr|info|edu|gov)\b\S*")


def content_words(text: str) -> list[str]:
    words = []
    for word in _WORD.findall(text.lower()):
        word = word.replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if len(word) < 3 or word in STOPWORDS or word in _FILLER or "'" in word:
            continue  # a contraction ("they've", "won't") names no subject either
        words.append(word)
    return words


def _terms(text: str) -> list[str]:
    """Content unigrams plus bigrams of adjacent content words in the original order (links and
    addresses left out)."""
    out: list[str] = []
    text = _DOMAIN.sub(r" \1 ", _ADDRESS.sub(" ", text))
    for sentence in re.split(r"[.!?;:\n]+", text):
        tokens = _WORD.findall(sentence.lower().replace("’", "'"))
        words = content_words(sentence)
        out += words
        kept = set(words)
        for a, b in zip(tokens, tokens[1:], strict=False):
            a, b = a.removesuffix("'s"), b.removesuffix("'s")
            if a in kept and b in kept and a != b:
                out.append(f"{a} {b}")
    return out


def class_tfidf_labels(groups: Sequence[Sequence[str]], top_n: int = 2,
                       min_docs: int = 2) -> list[list[str]]:
    """The `top_n` most distinctive terms of each group of texts, key phrases first.

    A term must occur in at least `min_docs` texts of its group (when the group has that many),
    so one long comment cannot name a theme on its own. A label reads as a phrase: a bigram is
    preferred to its words, and once a bigram is chosen a lone unigram is added only when it scores
    close to it ("safe zones, refugees", never "http, com, pony").
    """
    term_counts: list[Counter] = []
    doc_counts: list[Counter] = []
    for texts in groups:
        tf: Counter = Counter()
        df: Counter = Counter()
        for text in texts:
            terms = _terms(text)
            tf.update(terms)
            df.update(set(terms))
        term_counts.append(tf)
        doc_counts.append(df)
    total: Counter = Counter()
    for tf in term_counts:
        total.update(tf)
    sizes = [sum(tf.values()) for tf in term_counts]
    average = sum(sizes) / max(1, len(sizes))
    labels = []
    used: set[str] = set()  # terms naming an earlier (larger) theme are not used again if avoidable
    for texts, tf, df, size in zip(groups, term_counts, doc_counts, sizes, strict=True):
        need = min(min_docs, len(texts))
        scored = []
        for term, count in tf.items():
            if df[term] < need:
                continue
            weight = (count / max(1, size)) * math.log(1 + average / total[term])
            if " " in term:
                weight *= PHRASE_BONUS  # a pair of words names a subject better than either word alone
            scored.append((weight, term))
        scored.sort(key=lambda x: (-x[0], x[1]))
        weights = {term: weight for weight, term in scored}
        chosen: list[str] = []
        for fresh_only in (True, False):
            for _, term in scored:
                parts = set(term.split())
                if len(chosen) == top_n or (fresh_only and (parts | {term}) & used) or term in chosen:
                    continue
                if any(parts & set(c.split()) for c in chosen):
                    continue
                if chosen and " " in chosen[0] and " " not in term and weights[term] < 0.8 * weights[chosen[0]]:
                    continue  # a phrase names the theme; a weaker single word only blurs it
                chosen.append(term)
        used.update(chosen)  # a pair ("safe spaces") blocks itself, not its words ("safe zones")
        labels.append(chosen)
    return labels
