"""`threadbot summary` and `threadbot digest`: what the article says, what readers say, and the digest
a channel would get. Registered by cli.py."""

from __future__ import annotations

from .cli_answers import _chat_client
from .cli_output import print_json
from .config import Settings
from .digest import Digest, make_digest, mark_digest_posted
from .library import ThreadLibrary
from .summarize import ThreadSummary, summarize


def _embedder(settings: Settings):
    from . import cli  # the one place the CLI builds its embedder (tests swap in the fake there)

    return cli.make_embedder(settings)


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_summary(s: ThreadSummary) -> str:
    out = [s.title, ""]
    if s.article:
        out += [f"What the article says ({s.length}):", s.article.text, ""]
        for c in s.article.citations:
            out.append(f"  {c.ref} paragraph passage {c.passage_id}")
        out.append("")
    else:
        out += ["(no article text)", ""]
    d = s.discussion
    if d is None:
        out.append("(no comments)")
        return "\n".join(out)
    out += ["What readers say:", d.text, ""]
    for c in d.citations:
        who = c.author or "a reader"
        out.append(f"  {c.ref} comment by {who} (passage {c.passage_id}): {_one_line(c.text, 120)}")
    counts = f"{d.comment_count} comments, {d.author_count} authors, {d.off_topic_count} off-topic"
    out += ["", f"Themes ({counts}):"]
    for n, theme in enumerate(d.themes, start=1):
        authors = ", ".join(theme.authors[:5]) + (" …" if len(theme.authors) > 5 else "")
        by = f": {authors}" if authors else ""
        out.append(f"  {n}. {theme.label} ({theme.comment_count} comments){by}")
        for rep in theme.representative:
            out.append(f"     \"{_one_line(rep.text, 160)}\" ({rep.author or 'a reader'})")
    if d.top_authors:
        out.append("Most active: " + ", ".join(f"{a.author} ({a.comments})" for a in d.top_authors))
    if d.most_replied:
        out.append("Most replied to:")
        for r in d.most_replied:
            out.append(f"  {r.replies} replies to {r.author or 'a reader'}: \"{_one_line(r.text, 120)}\"")
    return "\n".join(out).rstrip()


async def cmd_summary(args, settings: Settings) -> int:
    async with await ThreadLibrary.open(settings.db_path, _embedder(settings), long_running=False) as lib:
        summary = await summarize(lib, args.thread_id, length=args.length,
                                  llm=_chat_client(settings, args.extractive), use_cache=not args.no_cache)
    if args.json:
        print_json(summary.to_json())
    else:
        print(render_summary(summary))
    return 0


def render_digest(d: Digest) -> str:
    if d.already_posted:
        when = (d.posted_at or d.created_at)[:16].replace("T", " ")
        return f"No new comments since the last digest ({when} UTC); nothing to post.\n\n{d.text}"
    return d.text


async def cmd_digest(args, settings: Settings) -> int:
    async with await ThreadLibrary.open(settings.db_path, _embedder(settings), long_running=False) as lib:
        digest = await make_digest(lib, args.thread_id)
        if not digest.already_posted and not args.preview:
            # Printing is this command's way of posting: the next digest covers only what is new.
            digest = await mark_digest_posted(lib, digest.digest_id, channel_id="cli")
            digest.already_posted = False
    if args.json:
        print_json(digest.to_json())
    else:
        print(render_digest(digest))
    return 0


def add_summary_commands(sub) -> None:
    p = sub.add_parser("summary", help="summarise a thread: what the article says, what readers say",
                       description="Summarise a thread: verbatim article sentences cited to their "
                                   "paragraphs, and the discussion's themes, voices and off-topic count. "
                                   "Cached per version of the thread.")
    p.add_argument("thread_id", metavar="THREAD_ID", help="id from `threadbot threads`")
    p.add_argument("--length", choices=("short", "medium", "long"), default="medium",
                   help="article summary length: 1-2, 3-5 (default) or 6-10 sentences")
    p.add_argument("--extractive", action="store_true", help="never use the [llm] model, even if configured")
    p.add_argument("--no-cache", action="store_true", help="summarise afresh instead of using the cache")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("digest", help="the digest a channel would get for a thread (new comments only, "
                                      "after the first)",
                       description="Print the thread's digest as it would be posted, and record it: the next "
                                   "digest says how many comments are new and summarises only those. With "
                                   "nothing new, says so instead of repeating itself.")
    p.add_argument("thread_id", metavar="THREAD_ID", help="id from `threadbot threads`")
    p.add_argument("--preview", action="store_true", help="show the digest without recording it as posted")
    p.add_argument("--json", action="store_true",
                   help="print JSON (the text, its parts, whether it is a delta)")
    p.set_defaults(func=cmd_digest)
