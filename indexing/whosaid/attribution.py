"""Find who-said-what in article paragraphs with a dependency parse (spaCy).

An attribution is a speech or cognition verb ("said", "told", "warned", "believes", ...) or
"according to", with a subject (the source) and something said (a clause, a quote, a colon). The
parse finds the subject wherever it stands ("..., Peskov said", "Peskov said: ...", "said Peskov"),
which word lists next to names cannot. Sources are reported as written (`Mention`); resolving
pronouns, roles and aliases to one speaker per person is done thread-wide in `speakers.py`.

All offsets are character offsets into the paragraph text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..text.quotation import QUOTE_MARK, quote_regions
from ..text.sentences import sentence_spans

if TYPE_CHECKING:
    from spacy.tokens import Token

# Lemmas of verbs that report speech, writing or a stance (from news attribution practice).
CUE_VERBS = frozenset("""
say tell add warn argue write ask claim note insist explain state declare announce acknowledge admit
confirm deny reply respond suggest predict promise pledge vow recall report tweet post assert contend
maintain stress emphasize emphasise caution complain concede charge allege accuse urge demand propose
recommend observe remark comment mention point describe believe think feel hope fear worry expect
estimate reveal disclose indicate testify agree disagree counter retort continue conclude question
criticize criticise praise blast slam attack condemn defend reiterate repeat echo contend announce
acknowledge decline refuse threaten boast brag joke quip lament muse wonder speculate guess
""".split())
# Verbs whose direct object can be the thing said ("announced plans", "denied the report").
OBJECT_CUES = frozenset("announce deny confirm acknowledge admit predict promise pledge reveal disclose "
                        "tweet post propose recommend reiterate repeat echo defend question criticize "
                        "criticise praise blast slam attack condemn ask".split())
PRONOUNS = frozenset("he she it they we i".split())
# Subjects that name nobody: "no one can credibly state ...".
NOBODY = frozenset("no one nobody anyone anybody everyone everybody someone somebody none".split())
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC"})
MIN_QUOTE_WORDS = 3  # shorter quoted strings are scare quotes ("unpleasant"), not statements


MentionKind = Literal["name", "pronoun", "role"]


@dataclass(frozen=True)
class Mention:
    """The source of an attribution as written."""

    text: str  # "presidential spokesman Dmitry Peskov", "he", "the source in Berlin"
    kind: MentionKind
    name: str | None = None  # the proper name inside: "Dmitry Peskov"
    label: str | None = None  # entity label of the name: PERSON, ORG, ...
    roles: tuple[str, ...] = ()  # describing nouns: ("spokesman",)
    head: str = ""  # lower-cased head word: "peskov", "he", "source"


@dataclass
class RawAttribution:
    mention: Mention | None  # None only for a statement carried on from the previous paragraph
    cue: str
    cue_char: int
    start: int  # the sentence(s) holding the statement
    end: int
    content_start: int
    content_end: int
    verbatim: bool
    subject: Token | None = field(default=None, repr=False, compare=False)  # the spaCy token, while parsing


@dataclass(frozen=True)
class NameMention:
    """A proper name seen anywhere in the article: feeds alias folding and pronoun resolution."""

    char: int
    name: str
    label: str
    roles: tuple[str, ...] = ()
    is_subject: bool = False


@dataclass
class ParagraphAnalysis:
    attributions: list[RawAttribution] = field(default_factory=list)
    names: list[NameMention] = field(default_factory=list)
    ends_in_open_quote: bool = False
    starts_with_quote: bool = False


def _inside(regions: list[tuple[int, int]], pos: int) -> bool:
    return any(s < pos < e for s, e in regions)


def _word_count(text: str) -> int:
    return len(text.split())


def analyse_paragraph(doc) -> ParagraphAnalysis:
    """Attributions and name mentions of one parsed paragraph (a spaCy Doc)."""
    text = doc.text
    regions, open_at_end = quote_regions(text)
    real_quotes = [(s, e) for s, e in regions if _word_count(text[s:e]) >= MIN_QUOTE_WORDS]
    # A cue inside a quote belongs to the quoted speaker ("... Mr Trump said he believes ...").
    # An unclosed quote counts only when it opens the paragraph (a continued quote), not a stray mark.
    blocking = [(s, e) for s, e in real_quotes if e < len(text) or not open_at_end or s == 0 or
                text[:s].strip() == ""]
    sentences = sentence_spans(text) or [(0, len(text))]
    out = ParagraphAnalysis(ends_in_open_quote=open_at_end,
                            starts_with_quote=QUOTE_MARK.match(text.lstrip()) is not None)
    out.names = _name_mentions(doc)
    seen: set[tuple] = set()
    for token in doc:
        for found in _attributions_at(doc, token, real_quotes, blocking, sentences):
            assert found.mention is not None  # a parsed attribution always has its source
            key = (found.mention.text.lower(), found.start, found.end)
            if key in seen:
                continue
            seen.add(key)
            out.attributions.append(found)
    out.attributions.sort(key=lambda a: (a.start, a.cue_char))
    _extend_running_quotes(text, sentences, real_quotes, out.attributions)
    speaker_label = _transcript_speaker(doc)
    if speaker_label is not None and not out.attributions:
        out.attributions.append(speaker_label)
    return out


def _extend_running_quotes(text, sentences, real_quotes, attributions: list[RawAttribution]) -> None:
    """`"A," Graham said. "B. C."`: sentences that open with a quote mark (or run on inside one)
    right after a statement, and name no source of their own, are still that statement."""
    if not attributions:
        return
    claimed = [(a.start, a.end) for a in attributions]
    for s, e in sentences:
        if any(a_s <= s < a_e for a_s, a_e in claimed):
            continue
        opens_quote = QUOTE_MARK.match(text, s) is not None or any(q_s < s < q_e for q_s, q_e in real_quotes)
        if not opens_quote:
            continue
        previous = [a for a in attributions if 0 <= s - a.end <= 2]
        if not previous:
            continue
        running = previous[-1]
        if not running.verbatim:  # "X said he would reciprocate. "..."": the quote is what X said
            running.content_start, running.verbatim = s, True
        running.end = e
        running.content_end = e
        claimed.append((s, e))


_TRANSCRIPT_LABEL = re.compile(r"^[“\"]?([A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,2}):\s+\S")


def _transcript_speaker(doc) -> RawAttribution | None:
    """Interview transcripts: "PENCE: Well, look, ..." is a statement by Pence."""
    text = doc.text
    match = _TRANSCRIPT_LABEL.match(text)
    if match is None:
        return None
    label = match.group(1)
    mention = Mention(text=label, kind="name", name=label.title(), label="PERSON", head=label.lower())
    return RawAttribution(mention=mention, cue=":", cue_char=0, start=0, end=len(text.rstrip()),
                          content_start=match.end() - 1, content_end=len(text.rstrip()), verbatim=True)


def _attributions_at(doc, token, real_quotes, blocking, sentences) -> list[RawAttribution]:
    """The attribution cued by this token, one per source when the subject is "X and Y"."""
    found = _attribution_at(doc, token, real_quotes, blocking, sentences)
    if found is None:
        return []
    out = [found]
    subject = found.subject
    for conjunct in subject.conjuncts if subject is not None else ():
        mention = _mention(doc, conjunct)
        if mention is not None and mention.kind == "name":
            out.append(RawAttribution(mention=mention, cue=found.cue, cue_char=found.cue_char,
                                      start=found.start, end=found.end, content_start=found.content_start,
                                      content_end=found.content_end, verbatim=found.verbatim))
    return out


def _attribution_at(doc, token, real_quotes, blocking, sentences) -> RawAttribution | None:
    # No `doc.text` up here: spaCy rebuilds it on every access, and this runs for every token
    # (a 10,000-token paragraph took a minute).
    if _inside(blocking, token.idx):
        return None
    if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
        source = next((c for c in doc[token.i + 1].children if c.dep_ == "pobj"), None)
        if source is None:
            return None
        cue = "according to"
        subject = source
    elif token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in CUE_VERBS:
        if token.dep_ in ("amod", "acl", "relcl", "pcomp") or _is_passive(token):
            return None
        if token.tag_ == "VBN" and token.dep_ == "advcl":  # "Asked by reporters ..., Peskov said"
            return None
        subject = _subject_of(token)
        if subject is None or not _has_content(token, doc.text, real_quotes):
            return None
        cue = token.text
    else:
        return None
    mention = _mention(doc, subject)
    if mention is None:
        return None
    sent_index = _sentence_index(sentences, token.idx)
    start, end = sentences[sent_index]
    quotes = [(s, e) for s, e in real_quotes if s < end and e > start]
    # A quote opened in an earlier sentence or closed in a later one pulls those sentences in.
    for s, e in quotes:
        start = min(start, sentences[_sentence_index(sentences, s)][0])
        end = max(end, sentences[_sentence_index(sentences, max(s, e - 1))][1])
    if quotes:
        content_start, content_end = max(start, quotes[0][0]), min(end, quotes[-1][1])
        verbatim = True
    else:
        content_start, content_end = _clause_span(token, start, end)
        verbatim = False
    return RawAttribution(mention=mention, cue=cue, cue_char=token.idx, start=start, end=end,
                          content_start=content_start, content_end=content_end, verbatim=verbatim,
                          subject=subject)


def _is_passive(token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children)


def _subject_of(token):
    """The subject of a cue verb; participles and conjuncts ("..., adding", "but added:") share
    the subject of the verb they hang from."""
    current = token
    for _ in range(3):
        subject = next((c for c in current.children if c.dep_ in ("nsubj", "expl")), None)
        if subject is not None:
            return None if subject.dep_ == "expl" else subject
        if current.dep_ in ("conj", "advcl", "xcomp") and current.head is not current:
            current = current.head
            continue
        return None
    return None


def _has_content(token, text: str, real_quotes) -> bool:
    """Something is said: a clause, a quote in the sentence, a colon, or (for some verbs) an object."""
    deps = {c.dep_ for c in token.children}
    if deps & {"ccomp", "parataxis"}:
        return True
    if "xcomp" in deps and token.lemma_.lower() not in ("say", "tell"):
        return True
    if token.head is not token and token.dep_ in ("parataxis",):
        return True
    if "dobj" in deps and token.lemma_.lower() in OBJECT_CUES:
        return True
    if token.dep_ == "ROOT" and any(c.dep_ == "ccomp" for c in token.children):
        return True
    following = text[token.idx + len(token.text):token.idx + len(token.text) + 3]
    if ":" in following:
        return True
    sent = token.sent
    return any(s < sent.end_char and e > sent.start_char for s, e in real_quotes)


def _sentence_index(sentences: list[tuple[int, int]], pos: int) -> int:
    for i, (_, end) in enumerate(sentences):
        if pos < end:
            return i
    return len(sentences) - 1


def _clause_span(token, start: int, end: int) -> tuple[int, int]:
    clause = next((c for c in token.children if c.dep_ in ("ccomp", "parataxis", "xcomp", "dobj")), None)
    if clause is None:
        return start, end
    left, right = clause.left_edge, clause.right_edge
    return max(start, left.idx), min(end, right.idx + len(right.text))


def _entity_of(doc, token):
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


def _roles_of(token) -> tuple[str, ...]:
    """Common nouns that describe a name: "spokesman" in "presidential spokesman Dmitry Peskov" or
    "Brian Fallon, a Clinton spokesman"."""
    roles = []
    for child in token.children:
        if child.dep_ in ("compound", "appos", "nmod") and child.pos_ == "NOUN":
            roles.append(child.lemma_.lower())
    return tuple(roles)


def _mention(doc, subject) -> Mention | None:
    lower = subject.lower_
    if lower in NOBODY or doc[subject.left_edge.i:subject.i + 1].text.lower() in NOBODY:
        return None
    if subject.pos_ == "PRON":
        if lower in PRONOUNS:
            return Mention(text=subject.text, kind="pronoun", head=lower)
        return None
    ent = _entity_of(doc, subject)
    left = subject.left_edge.i
    if ent is not None and ent.label_ in NAME_LABELS:
        name = ent.text
        text = doc[min(left, ent.start):max(subject.i, ent.end - 1) + 1].text
        return Mention(text=text, kind="name", name=_clean_name(name), label=ent.label_,
                       roles=_roles_of(subject), head=lower)
    if subject.pos_ == "PROPN":
        first = subject.i
        while first > 0 and doc[first - 1].pos_ == "PROPN" and doc[first - 1].head.i in (subject.i, first):
            first -= 1
        name = doc[first:subject.i + 1].text
        return Mention(text=doc[min(left, first):subject.i + 1].text, kind="name", name=_clean_name(name),
                       label=None, roles=_roles_of(subject), head=lower)
    if subject.pos_ not in ("NOUN",):
        return None
    # A common-noun source ("the source in Berlin", "officials"): keep one short prepositional phrase.
    right = subject.i
    prep = next((c for c in subject.children if c.dep_ == "prep" and c.i > subject.i), None)
    if prep is not None and prep.right_edge.i - subject.i <= 4:
        right = prep.right_edge.i
    return Mention(text=doc[left:right + 1].text, kind="role", head=subject.lemma_.lower(),
                   roles=(subject.lemma_.lower(),))


def _clean_name(name: str) -> str:
    name = name.strip().strip(",")
    for prefix in ("the ", "The "):
        if name.startswith(prefix):
            name = name[len(prefix):]
    if name.endswith("'s") or name.endswith("’s"):
        name = name[:-2]
    return name


def _name_mentions(doc) -> list[NameMention]:
    out = []
    for ent in doc.ents:
        if ent.label_ not in NAME_LABELS:
            continue
        root = ent.root
        out.append(NameMention(char=ent.start_char, name=_clean_name(ent.text), label=ent.label_,
                               roles=_roles_of(root), is_subject=root.dep_ in ("nsubj", "nsubjpass")))
    return out
