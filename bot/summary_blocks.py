"""The blocks of text of a thread summary as Discord shows them (shared by /summary of a news
thread and of a channel's conversation)."""

from __future__ import annotations

import dataclasses

from bot.citations import without_refs
from bot.render import escape, escape_cited, renumber
from indexing.summaries.summarize import ThreadSummary
from indexing.text.shorten import truncate


def summary_blocks(summary: ThreadSummary, heading: str = "What readers say",
                   hidden: frozenset[int] | set[int] = frozenset(),
                   links: dict[int, str] | None = None) -> tuple[list[str], list]:
    """Blocks of text for a ThreadSummary; article and discussion citations numbered in one sequence.
    Passages in `hidden` (server messages the reader cannot see) are neither quoted nor cited; a
    quote whose passage is in `links` links to its message."""
    blocks: list[str] = []
    citations = []
    if summary.article is not None:
        blocks += ["**What the article says**", escape_cited(summary.article.text)]
        citations += summary.article.citations
    if summary.discussion is not None:
        d = summary.discussion
        offset = len(citations)
        dropped = {c.ref for c in d.citations if c.passage_id in hidden}
        blocks += [f"**{heading}**", escape_cited(renumber(without_refs(d.text, dropped), offset))]
        for theme in d.themes:
            shown = [r for r in theme.representative if r.passage_id not in hidden]
            quote = shown[0] if shown else None
            line = f"• **{escape(truncate(theme.label, 80))}**: {theme.comment_count} comments"
            if quote is not None:
                said = escape(truncate(" ".join(quote.text.split()), 200))
                line += f"\n> {said}\n> *{escape(quote.author or 'anonymous')}*"
                link = (links or {}).get(quote.passage_id) if quote.passage_id is not None else None
                if link:
                    line += f" · [message]({link})"
            blocks.append(line)
        if d.off_topic_count:
            blocks.append(f"Off-topic or unrelated: {d.off_topic_count} comments.")
        citations += [dataclasses.replace(c, ref=renumber(c.ref, offset)) for c in d.citations if c.ref not in dropped]
    if not blocks:
        blocks.append("The thread has neither article text nor comments.")
    return blocks, citations
