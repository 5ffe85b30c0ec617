"""`make demo`: index the bundled example thread and show what threadbot makes of it."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from ..answers import AnswerEngine
from ..config import load_config
from ..library import ThreadLibrary
from ..summaries import make_digest
from .context import default_embedder
from .render import render_answer

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "putin-trump-phone-call.txt"
DEMO_DB = "demo.db"


def rule(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 70 - len(title)))


async def run_demo(db_path: str, example: Path) -> None:
    config = load_config(db_path=db_path).index
    print("loading the embedding model (bundled all-MiniLM-L6-v2, offline) ...")
    async with await ThreadLibrary.from_config(config, default_embedder(config)) as lib:
        rule(f"index {example.name}")
        results, failures = await lib.index_paths([example])
        for failure in failures:
            print(f"error: {failure.source_file}: {failure.reason}")
        for r in results:
            print(f"{r.status}: {r.title}")
            print(f"  thread id {r.thread_id}: {r.paragraphs} article paragraphs, {r.comments} comments, "
                  f"{r.passages} passages ({r.embedded} newly embedded)")
        thread_id = results[0].thread_id
        thread = await lib.thread(thread_id)
        authors = sorted({c.author for c in thread.comments if c.author})
        print(f"  comment authors: {', '.join(authors)}")

        query = "what did Peskov say"
        rule(f"search: {query!r}")
        for rank, hit in enumerate(await lib.search(query, thread_id=thread_id, k=3), start=1):
            text = hit.passage.text
            more = "…" if len(text) > 240 else ""
            print(f"{rank}. {hit.passage.label()} (score {hit.score:.4f})\n   {text[:240]}{more}")

        question = "what did Peskov say?"
        rule(f"ask: {question!r}")
        print(render_answer(await AnswerEngine(lib).ask(question, thread_id)))

        rule("digest (as it would be posted to a channel)")
        # Not marked as posted, so every run of the demo shows the full digest.
        print((await make_digest(lib, thread_id)).text)
    print(f"\ndatabase: {db_path} (try: .venv/bin/threadbot --db {db_path} threads)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Index the example thread and show what threadbot makes of it.")
    parser.add_argument("thread", nargs="?", type=Path, default=EXAMPLE, help="a thread file (default: the example)")
    parser.add_argument("--db", default=DEMO_DB, help=f"database file (default: {DEMO_DB})")
    args = parser.parse_args(argv)
    asyncio.run(run_demo(args.db, args.thread))
    return 0


if __name__ == "__main__":
    sys.exit(main())
