"""The who-said-what index's names, looked up the way an ask matches them.

Every ask compares the asked name with every speaker name in scope (speakers_named) and the question
with every commenter (the question classifier). A community's index holds tens of thousands of
names; a directory is made once per version of the names (the library keeps it while the store
returns the same names) and answers both by dictionary lookups, with the answers of the plain scans.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence

from ..records import SpeakerName
from .speakers import AuthorIndex, author_key, name_word_tuple


class SpeakerDirectory:
    """Speaker names indexed by the last word of each name and by its folded key (speaker_matches'
    two rules), and the commenters (whole-passage writers) as an AuthorIndex."""

    def __init__(self, names: Sequence[SpeakerName]):
        self.names = tuple(names)
        self.authors = AuthorIndex(dict.fromkeys(n.speaker for n in self.names if n.whole_passage))
        self._by_last_word: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        self._by_key: dict[str, set[str]] = {}
        self._by_joined_key: dict[str, set[str]] = {}
        for name in self.names:
            for written in (name.speaker, name.mention):
                words = name_word_tuple(written)
                if not words:  # speaker_matches skips a name without words, its key too
                    continue
                self._by_last_word.setdefault(words[-1], []).append((name.speaker, words))
                key = author_key(written)
                if key:
                    self._by_key.setdefault(key, set()).add(name.speaker)
                    self._by_joined_key.setdefault(key.replace(" ", ""), set()).add(name.speaker)

    def speakers_named(self, asked_name: str) -> set[str]:
        """statements.speakers_named(asked_name, self.names), by lookups."""
        asked = name_word_tuple(asked_name)
        if not asked:
            return set()
        found = {speaker for speaker, words in self._by_last_word.get(asked[-1], ())
                 if len(asked) == 1 or len(words) == 1 or words[0] in asked}
        key = author_key(asked_name)
        if key:
            found |= self._by_key.get(key, set())
            if len(key) >= 4:
                found |= self._by_joined_key.get(key.replace(" ", ""), set())
        return found


class SpeakerDirectories:
    """The directory of each (scope, thread) asked about, made again only when the store hands out
    other names (the store returns the same tuple while the statements are unchanged)."""

    MAX_KEPT = 64

    def __init__(self) -> None:
        self._made: dict[Hashable, SpeakerDirectory] = {}

    async def of(self, key: Hashable, names: tuple[SpeakerName, ...]) -> SpeakerDirectory:
        made = self._made.get(key)
        if made is None or made.names is not names:
            if len(self._made) >= self.MAX_KEPT:
                self._made.clear()
            # In a worker thread: about 0.4 s at 24,000 names (bench/speaker_lookup.py).
            made = self._made[key] = await asyncio.to_thread(SpeakerDirectory, names)
        return made
