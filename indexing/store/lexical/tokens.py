"""Terms exactly as the FTS5 table sees them (`porter unicode61 remove_diacritics 2`), for the
in-memory lexical index: the same terms make the same BM25 scores.

Words are split in Python (letters and digits, as unicode61 does for the scripts news is written
in) and each distinct word is handed once to SQLite's own tokenizer, through an in-memory FTS5
table and its fts5vocab view, so case folding, diacritics and Porter stemming are FTS5's, not an
imitation; the word -> terms mapping is cached (a corpus has a few hundred thousand distinct words).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable

# The tokenizer of passages_fts (migration 1); tests compare the terms with the table's own.
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"
WORD = re.compile(r"[^\W_]+")
# A word as a query reads it (text/lexical.py query_terms): an apostrophe may join two.
PIECE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
COMPOUND = "\x00"  # joins the terms of a word FTS5 reads as a phrase
_CACHE_LIMIT = 1_000_000  # distinct words kept; past it the cache starts afresh (bounded memory)
_BATCH = 20_000


class Tokenizer:
    """Thread-safe: one lock around the cache and the private SQLite connection.

    A query word with an apostrophe ("didn't") is a phrase to FTS5 ("didn" then "t"): such a word
    in a passage also yields one compound term (its terms joined by COMPOUND), which a query looks
    up instead, so the phrase's occurrences are counted without positions. Compound terms do not
    count in a passage's length (FTS5 counts tokens)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, ...]] = {}
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(f"CREATE VIRTUAL TABLE words USING fts5 (w, tokenize='{FTS_TOKENIZE}')")
        self._db.execute("CREATE VIRTUAL TABLE word_terms USING fts5vocab (words, 'instance')")

    def terms(self, text: str) -> list[str]:
        return self.terms_of_many([text])[0]

    def query_term(self, word: str) -> str | None:
        """The one term to look up for a query word (as FTS5 reads it when quoted), or None when
        FTS5 would read it as a phrase this index cannot follow; "" when it has no term."""
        pieces = PIECE.findall(word)
        if len(pieces) > 1:
            return None
        if not pieces:
            return ""
        with self._lock:
            self._fill(pieces)
            terms = self._cache[pieces[0]]
        if len(terms) > 1 and COMPOUND not in terms[-1]:
            return None  # a word FTS5 splits although Python does not (rare scripts)
        return terms[-1] if terms else ""

    def terms_of_many(self, texts: Iterable[str]) -> list[list[str]]:
        split = [PIECE.findall(text) for text in texts]
        with self._lock:
            self._fill(w for words in split for w in words)
            cache = self._cache
            return [[t for w in words for t in cache[w]] for words in split]

    def _fill(self, pieces: Iterable[str]) -> None:
        cache = self._cache
        missing = {w for w in pieces if w not in cache}
        if not missing:
            return
        if len(cache) + len(missing) > _CACHE_LIMIT:
            cache.clear()
        joined = [w for w in missing if not WORD.fullmatch(w)]
        words = list((missing - set(joined)) | {part for w in joined for part in WORD.findall(w)})
        for start in range(0, len(words), _BATCH):
            batch = words[start:start + _BATCH]
            self._db.execute("DELETE FROM words")
            self._db.executemany("INSERT INTO words (rowid, w) VALUES (?, ?)", enumerate(batch))
            found: dict[int, list[str]] = {}
            for doc, term in self._db.execute("SELECT doc, term FROM word_terms ORDER BY doc, offset"):
                found.setdefault(doc, []).append(term)
            for i, word in enumerate(batch):
                cache[word] = tuple(found.get(i, ()))
        for piece in joined:
            terms = tuple(t for part in WORD.findall(piece) for t in cache[part])
            cache[piece] = (*terms, COMPOUND.join(terms)) if len(terms) > 1 else terms
