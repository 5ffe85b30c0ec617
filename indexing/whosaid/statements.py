"""Who-said-what: statements extracted at index time and stored with the thread.

Article paragraphs are parsed for attributions (`attribution.py`), speakers resolved thread-wide
(`speakers.py`), and each statement is tied to the passage that holds it with character offsets
into that passage's text. A comment is a statement by its author; what a commenter writes about
the article (even a quote of it) stays the commenter's, so article statements come from article
paragraphs only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..records import Passage, SpeakerName, Statement, StatementSource, Thread
from .attribution import ParagraphAnalysis, RawAttribution, analyse_paragraph
from .nlp import PIPELINE_LOCK, english_pipeline
from .speakers import SpeakerResolver, speaker_matches, title_name

StatementExtractor = Callable[[Thread, list[Passage]], list[Statement]]
MAX_ANALYSED_CHARS = 10_000  # news paragraphs are a few hundred characters


def extract_statements(thread: Thread, passages: list[Passage], nlp=None) -> list[Statement]:
    """All statements of a thread in reading order (CPU-heavy: call it in a worker thread)."""
    if thread.paragraphs:  # a comments-only thread never loads the parser (a second or two)
        nlp = nlp or english_pipeline()
    # An over-long "paragraph" (an unsplit page, a paste) stays searchable but is not parsed for quotes:
    # spaCy refuses texts over 1,000,000 characters and slows badly long before that.
    texts = (p if len(p) <= MAX_ANALYSED_CHARS else "" for p in thread.paragraphs)
    analyses: list[ParagraphAnalysis] = []
    if thread.paragraphs:
        with PIPELINE_LOCK:
            analyses = [analyse_paragraph(doc) for doc in nlp.pipe(texts, batch_size=32)]
    resolved = SpeakerResolver(analyses).resolve()
    by_position: dict[tuple[str, int], list[Passage]] = {}
    for p in passages:
        by_position.setdefault((p.kind, p.position), []).append(p)
    statements: list[Statement] = []
    last: dict[int, tuple[str, str]] = {}  # paragraph -> (speaker, mention) of its last quoting statement
    for r in resolved:
        assert r.raw.mention is not None  # a resolved attribution always has its source
        statements += _place(r.raw, r.speaker, r.raw.mention.text, r.raw.cue, r.paragraph, thread,
                             by_position)
        if r.raw.end >= len(thread.paragraphs[r.paragraph].rstrip()):
            last[r.paragraph] = (r.speaker, r.raw.mention.text)
    statements += _continued_quotes(thread, analyses, last, by_position)
    author, alias = post_author(thread, {r.speaker for r in resolved})
    if author:
        statements += _post_statements(passages, author, alias)
    statements.sort(key=lambda s: (s.position, s.start))
    statements += _comment_statements(passages, author, alias)
    for seq, s in enumerate(statements):
        s.seq = seq
    return statements


def _continued_quotes(thread, analyses, last, by_position) -> list[Statement]:
    """A paragraph that names no source of its own and carries on the previous paragraph's last
    statement is still that speaker's: a quote left open at the paragraph end and reopened, or a
    statement ending in a colon ("Caddell continued:") followed by what was said."""
    out = []
    for p in range(1, len(analyses)):
        if p - 1 not in last or analyses[p].attributions:
            continue
        opened = analyses[p - 1].ends_in_open_quote and analyses[p].starts_with_quote
        if not opened and not thread.paragraphs[p - 1].rstrip().endswith(":"):
            continue
        speaker, mention = last[p - 1]
        text = thread.paragraphs[p]
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        raw = RawAttribution(mention=None, cue="continued", cue_char=start, start=start, end=end,
                             content_start=start, content_end=end, verbatim=True)
        out += _place(raw, speaker, mention, "continued", p, thread, by_position)
        if analyses[p].ends_in_open_quote:
            last[p] = (speaker, mention)
    return out


def _place(raw: RawAttribution, speaker: str, mention: str, cue: str, paragraph: int, thread: Thread,
           by_position) -> list[Statement]:
    """Tie a paragraph-level statement to the passage (chunk) that holds it."""
    out = []
    for p in by_position.get(("paragraph", paragraph), []):
        if raw.start >= p.end or raw.end <= p.start:
            continue
        start, end = max(raw.start, p.start) - p.start, min(raw.end, p.end) - p.start
        c_start = min(max(raw.content_start, p.start), p.end) - p.start
        c_end = max(min(raw.content_end, p.end) - p.start, c_start)
        out.append(Statement(speaker=speaker, speaker_mention=mention, cue=cue, source="article",
                             passage_kind="paragraph", position=paragraph, chunk=p.chunk, start=start,
                             end=end,
                             content_start=c_start, content_end=c_end, verbatim=raw.verbatim,
                             text=p.text[start:end]))
    return out


def post_author(thread: Thread, article_speakers: set[str]) -> tuple[str | None, str]:
    """The post's author and the name the post is known by: the name the title gives the poster
    ("I am Jane Doe, AMA") when it denotes no other speaker of the thread, else the author's own."""
    author = (thread.author or "").strip() or None
    if author is None:
        return None, ""
    named = title_name(thread.title)
    if not named:
        return author, author
    others = article_speakers | {c.author for c in thread.comments if c.author and c.author != author}
    if any(speaker_matches(named, other) for other in others if other):
        return author, author
    return author, named


def _post_statements(passages: list[Passage], author: str, alias: str) -> list[Statement]:
    """The post's own paragraphs are its author's statements (as well as the quotes they hold)."""
    return [_written(p, author, alias, "article") for p in passages if p.kind == "paragraph" and p.text.strip()]


def _comment_statements(passages: list[Passage], post_author: str | None = None,
                        alias: str = "") -> list[Statement]:
    return [_written(p, p.author, alias if p.author == post_author and alias else p.author, "comment")
            for p in passages if p.kind == "comment" and p.author]


def _written(p: Passage, speaker: str, mention: str, source: StatementSource) -> Statement:
    """A whole passage as what its writer wrote."""
    return Statement(speaker=speaker, speaker_mention=mention, cue="wrote", source=source, passage_kind=p.kind,
                     position=p.position, chunk=p.chunk, start=0, end=len(p.text), content_start=0,
                     content_end=len(p.text), verbatim=True, text=p.text)


def statements_of(statements: list[Statement], name: str) -> list[Statement]:
    """The statements whose speaker (or its mention) is the asked name, in reading order.

    Names match as people type them (`speaker_matches`, `author_key`): "Jane Doe" finds the
    commenter JaneDoe42, and the post author by the name the title gives them.
    """
    return [s for s in statements if speaker_matches(name, s.speaker, s.speaker_mention)]


def speakers_named(name: str, names: Iterable[SpeakerName]) -> set[str]:
    """The speakers an asked name can denote (as statements_of matches them), from the index's names."""
    return {n.speaker for n in names if speaker_matches(name, n.speaker, n.mention)}
