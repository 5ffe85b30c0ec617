"""`threadbot ask` and `threadbot quotes`: answers with citations and the who-said-what index."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, TextIO

from ..errors import NotFoundError, ThreadbotError
from .context import Context
from .render import print_json, render_answer

if TYPE_CHECKING:
    from ..answers import AnswerEngine


async def cmd_ask(args: argparse.Namespace, context: Context) -> int:
    if args.batch is None and not args.question:
        print("error: give a QUESTION or --batch FILE", file=sys.stderr)
        return 2
    async with await context.library() as lib:  # the model loads once, also for a whole batch
        from ..answers import AnswerEngine  # imported while the ONNX session still loads (see Context.library)

        engine = AnswerEngine(lib, llm=context.chat_client(args.extractive))
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
    try:
        stream = sys.stdin if source == "-" else open(source, encoding="utf-8")
    except OSError as exc:
        raise ThreadbotError(f"cannot read the batch file {source}: {exc.strerror}") from exc
    try:
        return await _answer_lines(engine, stream)
    except UnicodeDecodeError as exc:
        raise ThreadbotError(f"the batch file {source} is not UTF-8 text (JSON Lines, one question a line)") from exc
    except OSError as exc:  # a folder given as the file, or a read error
        raise ThreadbotError(f"cannot read the batch file {source}: {exc.strerror or exc}") from exc
    finally:
        if stream is not sys.stdin:
            stream.close()


async def _answer_lines(engine: AnswerEngine, stream: TextIO) -> int:
    failures = 0
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
    return 1 if failures else 0


async def cmd_quotes(args: argparse.Namespace, context: Context) -> int:
    if not args.speaker and not args.thread:
        print("error: give a SPEAKER, or --thread ID to list a thread's speakers", file=sys.stderr)
        return 2
    async with await context.library(with_model=False) as lib:
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


def add_answer_commands(sub: argparse._SubParsersAction) -> None:
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
