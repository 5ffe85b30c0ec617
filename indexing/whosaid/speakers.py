"""One speaker per person within a thread: alias folding, pronoun and role resolution, name matching.

- Aliases: "Peskov" and "presidential spokesman Dmitry Peskov" are the same speaker when the short
  name's words are all in one longer name seen in the thread with the same last word ("Mr. Trump",
  "Donald Trump", "Trump"). When two longer names compete ("Bill Clinton", "Hillary Clinton"), the
  one seen most recently before the mention wins, as a reader would read it.
- Pronouns ("he said") go to the most recent compatible named speaker or named subject.
- Roles ("the spokesman said") go to the most recent named speaker described by that noun
  ("presidential spokesman Dmitry Peskov"); unmatched roles stay speakers of their own ("the source
  in Berlin").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .attribution import Mention, NameMention, ParagraphAnalysis, RawAttribution

TITLES = frozenset("""
mr mrs ms miss dr prof sen senator rep representative gov governor president presidential gen general
secretary chancellor minister premier judge justice speaker mayor sir dame vice former candidate
nominee prime rev reverend attorney col colonel lt capt captain sgt chairman
chairwoman leader ambassador director spokesman spokeswoman
""".split())
MALE_TITLES = frozenset({"mr", "sir"})
FEMALE_TITLES = frozenset({"mrs", "ms", "miss", "dame"})
PERSON_PRONOUNS = {"he": "m", "she": "f"}
_DETERMINERS = ("the", "a", "an")
PRONOUN_REACH = 2  # paragraphs back a pronoun may look for its speaker
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*\.?")


# Every ask matches the asked name against every speaker name in scope (speakers_named) and the
# question against every commenter (questions.mentioned_author). The names change little between
# asks, so their words and folded keys are remembered: at 24,000 names the two took 0.2-1.7 s an ask,
# nearly all of it these two functions' regular expressions. Entries are small (a name and its words).
NAME_CACHE_SIZE = 1 << 16  # at most about 17 MB


def name_words(name: str) -> list[str]:
    """Lower-cased words of a name without titles, determiners or a possessive: "Mr. Trump's" -> [trump]."""
    return list(name_word_tuple(name))


@lru_cache(maxsize=NAME_CACHE_SIZE)
def name_word_tuple(name: str) -> tuple[str, ...]:
    """name_words as a tuple, remembered."""
    name = re.sub(r"\([^)]*\)", " ", name)  # "Jason Chaffetz (R-Utah)"
    words = [w.lower().rstrip(".") for w in _WORD.findall(name)]
    words = [re.sub(r"['’]s$", "", w) for w in words]
    while len(words) > 1 and (words[0] in TITLES or words[0] in ("the", "a", "an", "both")):
        words = words[1:]
    return tuple(w for w in words if w)


def speaker_name(name: str) -> str:
    """The name as written without leading titles: "President Donald Trump" -> "Donald Trump"."""
    words = re.sub(r"\([^)]*\)", " ", name).split()
    while len(words) > 1 and (words[0].lower().rstrip(".") in TITLES or words[0].lower() in _DETERMINERS):
        words = words[1:]
    return re.sub(r"['’]s$", "", " ".join(words))


def title_gender(text: str) -> str | None:
    for word in text.split():
        w = word.lower().rstrip(".")
        if w in MALE_TITLES:
            return "m"
        if w in FEMALE_TITLES:
            return "f"
    return None


@dataclass
class ResolvedAttribution:
    paragraph: int
    speaker: str  # canonical display name
    raw: RawAttribution


@dataclass
class _Seen:
    """A named candidate for pronouns and roles, in reading order."""

    order: tuple[int, int]  # (paragraph, char)
    speaker: str
    label: str | None
    roles: tuple[str, ...]


class SpeakerResolver:
    """Resolves the attributions of one thread, given every paragraph's analysis in order."""

    def __init__(self, analyses: list[ParagraphAnalysis]):
        self.analyses = analyses
        self.full_names: list[tuple[tuple[int, int], str]] = []  # (order, display name)
        for p, analysis in enumerate(analyses):
            for n in analysis.names:
                self.full_names.append(((p, n.char), speaker_name(n.name)))
            for a in analysis.attributions:
                assert a.mention is not None  # a parsed attribution always has its source
                if a.mention.kind == "name" and a.mention.name:
                    self.full_names.append(((p, a.cue_char), speaker_name(a.mention.name)))
        self.frequency = Counter(name for _, name in self.full_names)
        self.gender: dict[str, str] = {}
        # The small model's entity labels are noisy ("Trump" is sometimes an ORG): a speaker is a
        # person if any mention of it in the thread is labelled PERSON.
        self.persons = {self.canonical(n.name, (p, n.char)) for p, analysis in enumerate(analyses)
                        for n in analysis.names if n.label == "PERSON"}

    def canonical(self, name: str, order: tuple[int, int]) -> str:
        """The fullest name in the thread that this name abbreviates."""
        words = name_words(name)
        if not words:
            return speaker_name(name)
        wanted = set(words)
        candidates = [(o, full) for o, full in self.full_names
                      if len(name_words(full)) > len(words) and name_words(full)[-1] == words[-1]
                      and wanted <= set(name_words(full))]
        if not candidates:
            return speaker_name(name)
        before = [c for c in candidates if c[0] <= order]
        if before:
            return max(before)[1]
        return max(candidates, key=lambda c: (self.frequency[c[1]], len(c[1])))[1]

    def resolve(self) -> list[ResolvedAttribution]:
        out: list[ResolvedAttribution] = []
        seen: list[_Seen] = []
        for p, analysis in enumerate(self.analyses):
            events: list[tuple[int, int, NameMention | RawAttribution]] = [
                (n.char, 0, n) for n in analysis.names if n.is_subject or n.roles]
            events += [(a.cue_char, 1, a) for a in analysis.attributions]
            for char, kind, item in sorted(events, key=lambda e: (e[0], e[1])):
                order = (p, char)
                if kind == 0:
                    assert isinstance(item, NameMention)
                    seen.append(self._seen_name(item, order))
                    continue
                assert isinstance(item, RawAttribution) and item.mention is not None
                speaker = self._speaker_for(item.mention, order, seen)
                if speaker is None:
                    continue
                out.append(ResolvedAttribution(paragraph=p, speaker=speaker, raw=item))
                if item.mention.kind == "name":
                    seen.append(_Seen(order, speaker, item.mention.label, item.mention.roles))
        return out

    def _seen_name(self, n: NameMention, order) -> _Seen:
        speaker = self.canonical(n.name, order)
        gender = title_gender(n.name)
        if gender:
            self.gender.setdefault(speaker, gender)
        return _Seen(order, speaker, n.label, n.roles)

    def _speaker_for(self, mention: Mention, order: tuple[int, int], seen: list[_Seen]) -> str | None:
        if mention.kind == "name":
            speaker = self.canonical(mention.name or mention.text, order)
            gender = title_gender(mention.text)
            if gender:
                self.gender.setdefault(speaker, gender)
            return speaker
        if mention.kind == "pronoun":
            return self._pronoun(mention.head, order, seen)
        role = mention.head
        for candidate in reversed(seen):
            if role in candidate.roles and order[0] - candidate.order[0] <= 3 * PRONOUN_REACH:
                return candidate.speaker
        return speaker_name(mention.text)

    def _pronoun(self, pronoun: str, order: tuple[int, int], seen: list[_Seen]) -> str | None:
        recent = [s for s in seen if order[0] - s.order[0] <= PRONOUN_REACH]
        if pronoun in PERSON_PRONOUNS:
            gender = PERSON_PRONOUNS[pronoun]
            for candidate in reversed(recent):
                if candidate.label not in (None, "PERSON") and candidate.speaker not in self.persons:
                    continue
                if self.gender.get(candidate.speaker, gender) != gender:
                    continue
                self.gender.setdefault(candidate.speaker, gender)
                return candidate.speaker
            return None
        if pronoun == "it":
            for candidate in reversed(recent):
                if candidate.label in ("ORG", "GPE", "NORP"):
                    return candidate.speaker
        return None  # "they", "we", "I": too often the reporter or a group with no name


def speaker_matches(query: str, speaker: str, mention: str = "") -> bool:
    """Does a name asked about ("Peskov", "the source in Berlin", "Mr. Trump") denote this speaker?

    The last words must agree (the surname, or the head of "the source in Berlin"); when both names
    have a first part, the speaker's must appear in the question, so "Hillary Clinton" is not "Bill
    Clinton" but "Oversight Chairman Jason Chaffetz" is "Jason Chaffetz".
    """
    asked = name_word_tuple(query)
    if not asked:
        return False
    for candidate in (speaker, mention):
        words = name_word_tuple(candidate)
        if not words:
            continue
        if words[-1] == asked[-1] and (len(asked) == 1 or len(words) == 1 or words[0] in asked):
            return True
        if candidate and _keys_match(author_key(query), author_key(candidate)):
            return True  # a username as people type it: "Jane Doe" is JaneDoe42
    return False


# ---- names as people type them ------------------------------------------------------------------

_HANDLE_PREFIX = re.compile(r"^(?:/?u/|@)", re.IGNORECASE)  # u/JaneDoe, @jane
_HANDLE_HOST = re.compile(r"(?<=\w)@[\w.-]+\.\w+$")  # jane@mastodon.social
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")  # JaneDoe, HTMLParser


@lru_cache(maxsize=NAME_CACHE_SIZE)
def author_key(name: str) -> str:
    """A name folded as people type it: "JaneDoe42", "jane_doe", "Jane Doe", "jane-doe" -> "jane doe".

    Case, spacing, underscores, hyphens, dots, digits at the end, camel case, a "u/" or "@" prefix
    and a Mastodon "@host" are folded; a name that is only digits keeps them.
    """
    text = _HANDLE_HOST.sub("", _HANDLE_PREFIX.sub("", name.strip()))
    text = _CAMEL.sub(" ", text)
    words = [w for w in re.split(r"[\W_]+", text.lower()) if w]
    while len(words) > 1 and words[-1].isdigit():
        words.pop()
    if words and not words[-1].isdigit():
        words[-1] = words[-1].rstrip("0123456789")
    return " ".join(words)


def _keys_match(asked: str, key: str) -> bool:
    """Equal keys, or equal once the spaces go ("Jane Doe" and the lower-case "janedoe42")."""
    if not asked or not key:
        return False
    return asked == key or (len(asked) >= 4 and asked.replace(" ", "") == key.replace(" ", ""))


class AuthorIndex:
    """Comment authors with their folded keys computed once: a community's thousands of commenters
    are matched against every question (the classifier, match_author)."""

    def __init__(self, authors: Iterable[str]):
        self.authors = [a for a in authors if a]
        self.first_exact: dict[str, str] = {}  # lower-cased name -> the first author
        self.last_exact: dict[str, str] = {}  # lower-cased name -> the last author (the classifier's rule)
        self.first_key: dict[str, str] = {}  # author_key -> the first author
        self.first_joined: dict[str, str] = {}  # author_key without spaces -> the first author
        self.spans: dict[str, str] = {}  # a key or joined key of 3+ letters -> the first author (a span in a question)
        for author in self.authors:
            self.first_exact.setdefault(author.lower(), author)
            self.last_exact[author.lower()] = author
            key = author_key(author)
            if key:
                joined = key.replace(" ", "")
                self.first_key.setdefault(key, author)
                self.first_joined.setdefault(joined, author)
                if len(joined) >= 3:
                    self.spans.setdefault(key, author)
                    self.spans.setdefault(joined, author)

    def __bool__(self) -> bool:
        return bool(self.authors)

    def match(self, name: str) -> str | None:
        """The author that `name` denotes as typed ("Jane Doe" -> "JaneDoe42"), or None: the same name
        ignoring case first, then the folded keys of `author_key` (equal, or equal without spaces
        for keys of 4 or more characters); when several authors fold alike, the first one wins."""
        wanted = name.strip().lower()
        if not wanted:
            return None
        if wanted in self.first_exact:
            return self.first_exact[wanted]
        asked = author_key(name)
        if not asked:
            return None
        if asked in self.first_key:
            return self.first_key[asked]
        return self.first_joined.get(asked.replace(" ", "")) if len(asked) >= 4 else None


def match_author(name: str, authors: Iterable[str]) -> str | None:
    """The author in `authors` that `name` denotes as typed ("Jane Doe" -> "JaneDoe42"), or None
    (AuthorIndex.match, for one question)."""
    return AuthorIndex(authors).match(name)


# A title in which the poster names themself: "I am Jane Doe, ask me anything", "IAmA Jane Doe ...",
# "Hi, I'm Jane Doe", "Jane Doe here, AMA".
_FIRST_PERSON = re.compile(r"^(?:(?:hi|hello|hey)(?:\s+\w+)?[\s,!.]+)?"
                           r"(?:i\s+am|i['’]m|iama|iam|ama\W+(?:i\s+am|i['’]m))(?:\s*[:,-])?\s+", re.IGNORECASE)
_HERE = re.compile(r"^(?P<name>[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,3})\s+here\b")
_AMA = re.compile(r"\b(?:i\s*am\s*a|ama+|ask\s+me\s+anything|ask\s+us\s+anything|aua)\b", re.IGNORECASE)
_NOT_NAMES = frozenset("a an the i ama amaa ask and or of".split())
_PARTICLES = frozenset("de da del der van von la le bin al".split())


def title_name(title: str) -> str | None:
    """The name a poster gives themself in the title ("I am Jane Doe, AMA" -> "Jane Doe"), or None.

    Only capitalised words count as the name, so "IAmA former pilot" and "I'm the CEO" name no one.
    """
    text = " ".join(title.split())
    lead = _FIRST_PERSON.match(text)
    if lead:
        rest = text[lead.end():]
    else:
        here = _HERE.match(text)
        if not here or not _AMA.search(text):
            return None
        rest = here.group("name")
    words: list[str] = []
    for token in rest.split()[:6]:
        word = token.strip("\"'“”‘’()[]")
        bare = word.rstrip(",.;:!?")
        if not bare or bare.lower() in _NOT_NAMES or not (bare[0].isupper() or words and bare in _PARTICLES):
            break
        words.append(bare)
        if bare != word or len(words) == 4:
            break  # a comma or full stop ends the name
    while words and words[-1] in _PARTICLES:
        words.pop()
    return " ".join(words) or None
