"""Discord formatting: fit text into Discord's limits without cutting a paragraph or a citation.

Discord refuses a message over 2,000 characters, an embed description over 4,096 and an embed
(title, description, fields, footer together) over 6,000. Long output is packed into pages on
paragraph boundaries; a paragraph longer than a page is cut between sentences (then words), and
never inside a citation marker such as `[12]` or a citation line. Every page but the first
starts with a continuation marker, every page but the last ends with one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import discord

from indexing.text.shorten import truncate

MESSAGE_LIMIT = 2000
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_TOTAL_LIMIT = 6000
EMBED_TITLE_LIMIT = 256
EMBED_FOOTER_LIMIT = 2048
EMBED_COLOUR = discord.Colour.blurple()

CONTINUED_BELOW = "*(continued…)*"
_MARKER_RESERVE = 40  # room for "*(continued…)*" plus "*(…continued, part 12/12)*" and newlines

# Where a too-long paragraph may be cut: after a sentence end, else at whitespace.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")
_CITATION = re.compile(r"\[\d+\]")


def continued_from(part: int, total: int) -> str:
    return f"*(…continued, part {part}/{total})*"


def _cut_points(text: str) -> list[int]:
    """Positions where `text` may be cut: sentence ends first, then whitespace, never inside `[n]`."""
    inside: set[int] = set()
    for m in _CITATION.finditer(text):
        inside.update(range(m.start() + 1, m.end()))
    return [i for i in range(1, len(text)) if i not in inside]


def _split_long(block: str, limit: int) -> list[str]:
    """Cut one block longer than `limit` into pieces of at most `limit`, preferring sentence ends."""
    pieces: list[str] = []
    rest = block
    while len(rest) > limit:
        window = rest[: limit + 1]
        # A line break first (an answer's lines each carry their own citations), then a sentence end.
        cut = window.rfind("\n")
        if cut <= 0:
            for m in _SENTENCE_END.finditer(window):
                if m.start() <= limit:
                    cut = m.start()
        if cut <= 0:
            spaces = [m.start() for m in re.finditer(r"\s+", window) if 0 < m.start() <= limit]
            cut = spaces[-1] if spaces else 0
        if cut <= 0:
            # No sentence or word boundary (a giant token): cut hard, but not inside a `[n]` marker.
            allowed = [i for i in _cut_points(window) if i <= limit]
            cut = allowed[-1] if allowed else limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def paginate(blocks: Iterable[str], limit: int) -> list[str]:
    """Pack blocks (paragraphs, citation lines) into pages of at most `limit` characters.

    Blocks are joined with blank lines and only split when a single block is larger than a page.
    Continuation markers are added, and they are counted inside `limit`.
    """
    budget = limit - _MARKER_RESERVE
    if budget <= 0:
        raise ValueError("page limit too small for continuation markers")
    pages: list[str] = []
    current = ""
    for raw in blocks:
        block = raw.strip()
        if not block:
            continue
        pieces = _split_long(block, budget) if len(block) > budget else [block]
        for piece in pieces:
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= budget:
                current = candidate
            else:
                pages.append(current)
                current = piece
    if current:
        pages.append(current)
    if len(pages) <= 1:
        return pages
    total = len(pages)
    out = []
    for n, page in enumerate(pages, start=1):
        if n > 1:
            page = f"{continued_from(n, total)}\n{page}"
        if n < total:
            page = f"{page}\n{CONTINUED_BELOW}"
        out.append(page)
    return out


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Plain text into messages of at most `limit` characters, split on paragraph boundaries."""
    return paginate(re.split(r"\n\s*\n", text), limit)


def web_link(url: str | None) -> str | None:
    """A thread's URL if Discord can link it (an embed URL must be http or https)."""
    return url if url and url.startswith(("http://", "https://")) else None


def embed_size(embed: discord.Embed) -> int:
    """The character count Discord checks against 6,000 (title, description, fields, footer, author)."""
    return len(embed)


def embed_pages(
    title: str,
    blocks: Sequence[str],
    url: str | None = None,
    footer: str | None = None,
    colour: discord.Colour = EMBED_COLOUR,
) -> list[discord.Embed]:
    """One embed per page; each within 4,096 description and 6,000 total characters."""
    # Titles come from threads and render Markdown; footers do not (only control characters go).
    title = truncate(escape(title), EMBED_TITLE_LIMIT)
    footer = truncate(clean(footer), EMBED_FOOTER_LIMIT) if footer else None
    blocks = [clean(block) for block in blocks]
    room = min(EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - len(title) - len(footer or ""))
    pages = paginate(blocks, room) or ["(nothing to show)"]
    embeds = []
    for n, page in enumerate(pages, start=1):
        embed = discord.Embed(
            title=title if n == 1 else f"{title} (cont.)"[:EMBED_TITLE_LIMIT],
            description=page,
            colour=colour,
            url=url if n == 1 else None,
        )
        if footer and n == len(pages):
            embed.set_footer(text=footer)
        embeds.append(embed)
    return embeds


# ---- thread text ---------------------------------------------------------------------------------
# Text from a thread is written by strangers. Where Discord renders Markdown (message content, embed
# titles and descriptions) every character that could start a link, a mention, a timestamp, a code
# block, a heading, a quote or emphasis is backslash-escaped; Discord shows the character and drops
# the backslash. Bare URLs stay as they are (visible, so not a disguise). Footers render no Markdown:
# there, and everywhere else, terminal escape sequences and control characters are removed.
# AllowedMentions.none() on every send stays the real protection against pings.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_]?)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SEPARATORS = re.compile(r"[\u2028\u2029\r]")
_URL = re.compile(r"https?://[^\s<>\[\]()`|*\\\"']+")
_MARKDOWN = re.compile(r"[\\*_~|`\[\]()<>#@]")
_LIST_START = re.compile(r"^(\s*)([-+]|\d+(?=\.))(?=\.?\s)", re.MULTILINE)
_BULLET = re.compile(r"^(\s*[-•] )")


def clean(text: str) -> str:
    """Without terminal escape sequences or control characters (newlines and tabs stay)."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", _SEPARATORS.sub("\n", text)))


def _escape_plain(text: str) -> str:
    text = _MARKDOWN.sub(lambda m: "\\" + m.group(), text)
    # "- item", "+ item" and "1. item" at a line start would be lists: "\-", "1\." are not.
    return _LIST_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit()
                                                   else "\\" + m.group(2)), text)


_URL_MENTION = re.compile(r"@(?=everyone|here)", re.I)


def _inert_url(url: str) -> str:
    """A bare URL stays a link (it shows where it goes), but "@everyone" inside one is no mention."""
    return _URL_MENTION.sub("@\u200b", url)


def escape(text: str) -> str:
    """Thread text shown as written, wherever Discord renders Markdown: no link, mention or format."""
    text = clean(text)
    out, pos = [], 0
    for url in _URL.finditer(text):
        out += [_escape_plain(text[pos:url.start()]), _inert_url(url.group())]
        pos = url.end()
    out.append(_escape_plain(text[pos:]))
    return "".join(out)


def escape_cited(text: str) -> str:
    """Library text built from a thread (an answer, a summary, a digest): escaped like thread text,
    but its `[n]` citation markers and its own "- " / "• " bullets at line starts stay."""
    lines = []
    for line in clean(text).split("\n"):
        bullet = _BULLET.match(line)
        head, rest = (bullet.group(1), line[bullet.end():]) if bullet else ("", line)
        pieces = _CITATION.split(rest)
        markers = _CITATION.findall(rest)
        escaped = [escape(p) for p in pieces]
        lines.append(head + "".join(e + m for e, m in zip(escaped, [*markers, ""], strict=True)))
    return "\n".join(lines)


# ---- citations ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CitationLine:
    """Everything a reader needs to find the source of one `[n]`."""

    ref: str  # "[1]"
    thread_title: str
    where: str  # "paragraph 3", "comment by CNONC", "title"
    text: str
    link: str | None = None  # the message where the thread's digest was posted


def citation_block(c: CitationLine, excerpt: int = 220) -> str:
    title = escape(truncate(" ".join(c.thread_title.split()), 80))
    thread = f"[{title}]({c.link})" if c.link else f"*{title}*"
    quote = escape(truncate(" ".join(c.text.split()), excerpt))
    return f"**{c.ref}** {thread} · {escape(' '.join(c.where.split()))}\n> {quote}"




# ---- answers and summaries ----------------------------------------------------------------------
_REF = re.compile(r"\[(\d+)\]")


def renumber(text: str, offset: int) -> str:
    """Shift `[n]` markers by `offset`, so two cited texts shown together do not share numbers."""
    if not offset:
        return text
    return _REF.sub(lambda m: f"[{int(m.group(1)) + offset}]", text)


def sources_blocks(lines: Sequence[CitationLine]) -> list[str]:
    return ["**Sources**", *(citation_block(c) for c in lines)] if lines else []


def answer_embeds(
    question: str, answer_text: str, answered: bool, lines: Sequence[CitationLine], footer: str
) -> list[discord.Embed]:
    """An answer: its text (paragraphs kept whole), then one block per cited source."""
    blocks = re.split(r"\n\s*\n", escape_cited(answer_text))
    if lines:
        heading = "**Sources**" if answered else "**Closest matches**"
        blocks += [heading, *(citation_block(c) for c in lines)]
    return embed_pages(truncate(" ".join(question.split()), 200), blocks, footer=footer)
