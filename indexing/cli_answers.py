"""`threadbot ask` and `threadbot quotes`: answers with citations and the who-said-what index.

Kept beside cli.py (which registers them) so the answer commands read as one unit.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from .answer import Answer, AnswerEngine
from .cli_output import print_json
from .config import Settings
from .errors import NotFoundError
from .library import ThreadLibrary
from .llm import ChatClient, llm_config


def _chat_client(settings: Settings, extractive_only: bool) -> ChatClient | None:
    if extractive_only:
        return None
    config = llm_config(settings.section("llm"))
    return ChatClient(config) if config else None


def render_answer(answer: Answer) -> str:
    """The answer for a terminal: the text, then the sources it cites."""
    out = [answer.answer, ""]
    heading = "Sources:" if answer.answered else "Closest matches:"
    if answer.citations:
        out.append(heading)
    for c in answer.citations:
        where = f"comment by {c.author}" if c.kind == "comment" and c.author else c.kind
        text = " ".join(c.text.split())
        out.append(f"{c.ref} {c.thread_id} / {where}: {text[:200]}{'…' if len(text) > 200 else ''}")
    return "\n".join(out).rstrip()


async def cmd_ask(args, settings: Settings) -> int:
    if args.batch is None and not args.question:
        print("error: give a QUESTION or --batch FILE", file=sys.stderr)
        return 2
    from .cli import make_embedder  # at call time: cli imports this module

    embedder = make_embedder(settings)  # loaded once, also for a whole batch
    async with await ThreadLibrary.open(settings.db_path, embedder, long_running=False) as lib:
        engine = AnswerEngine(lib, llm=_chat_client(settings, args.extractive))
        if args.batch is not None:
            return await _ask_batch(engine, args.batch)
        answer = await engine.ask(args.question, thread_id=args.thread)
    if args.json:
        print_json(asdict(answer))
    else:
        print(render_answer(answer))
    return 0


async def _ask_batch(engine: AnswerEngine, source: str) -> int:
    """JSON Lines in ({"question", "thread_id", "id"}), JSON Lines out in the same order."""
    stream = sys.stdin if source == "-" else open(source, encoding="utf-8")
    failures = 0
    try:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            item_id = None
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                    raise ValueError("each line needs a \"question\" string")
                item_id = item.get("id")
                answer = await engine.ask(item["question"], thread_id=item.get("thread_id") or None)
                record = {**asdict(answer), "id": item_id}
            except (ValueError, NotFoundError) as exc:
                failures += 1
                record = {"question": None, "thread_id": None, "answered": False, "answer": "",
                          "mode": "extractive", "citations": [], "id": item_id,
                          "error": f"line {number}: {exc}"}
            print_json(record, indent=None)
            sys.stdout.flush()
    finally:
        if stream is not sys.stdin:
            stream.close()
    return 1 if failures else 0


async def cmd_quotes(args, settings: Settings) -> int:
    if not args.speaker and not args.thread:
        print("error: give a SPEAKER, or --thread ID to list a thread's speakers", file=sys.stderr)
        return 2
    async with await ThreadLibrary.open(settings.db_path, None) as lib:
        if not args.speaker:
            counts = await lib.speakers(args.thread)
            if args.json:
                print_json([asdict(c) for c in counts])
            else:
                for c in counts:
                    role = "commenter" if c.source == "comment" else "article"
                    print(f"{c.statements:4}  {c.speaker}  ({role})")
                if not counts:
                    print("no statements found in this thread")
            return 0
        if args.thread:
            await lib.thread_info(args.thread)
        statements = await lib.statements(thread_id=args.thread, speaker=args.speaker)
    if args.json:
        print_json({"speaker": args.speaker, "statements": [
            {"ref": f"[{i}]", "thread_id": s.thread_id, "passage_id": s.passage_id, "speaker": s.speaker,
             "speaker_mention": s.speaker_mention, "cue": s.cue, "source": s.source, "verbatim": s.verbatim,
             "text": s.text, "start": s.start, "end": s.end}
            for i, s in enumerate(statements, start=1)]})
        return 0
    if not statements:
        print(f"no statements by {args.speaker} found")
    for i, s in enumerate(statements, start=1):
        kind = "quote" if s.verbatim else "reported"
        where = f"{s.thread_id} / passage {s.passage_id}"
        print(f"[{i}] {s.speaker} ({s.speaker_mention}, {s.cue}; {kind}) {where}")
        print(f"    {' '.join(s.text.split())}")
    return 0


def add_answer_commands(sub) -> None:
    p = sub.add_parser("ask", help="answer a question with citations (who said what, facts, the discussion)",
                       description="Answer a question from the indexed threads. Every sentence shown comes "
                                   "from a cited passage; weak evidence gives `answered: false` with the "
                                   "closest matches.")
    p.add_argument("question", nargs="?", metavar="QUESTION", help="the question")
    p.add_argument("--thread", metavar="ID", help="only this thread")
    p.add_argument("--batch", metavar="FILE", help="JSON Lines of {\"question\", \"thread_id\", \"id\"} "
                                                   "(- for stdin); prints one JSON answer per line, in order")
    p.add_argument("--extractive", action="store_true", help="never use the [llm] model, even if configured")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("quotes", help="who said what: a speaker's statements, or a thread's speakers",
                       description="List what a speaker said (statements with cues and passages), or with "
                                   "only --thread, the speakers of that thread with counts.")
    p.add_argument("speaker", nargs="?", metavar="SPEAKER", help="a name as written (aliases match: Peskov)")
    p.add_argument("--thread", metavar="ID", help="only this thread")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_quotes)
