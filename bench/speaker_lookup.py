"""Matching a question's names against a community-sized who-said-what index: the plain scans
against the speaker directory an ask uses.

    .venv/bin/python bench/speaker_lookup.py [--names 24000]

Every ask classifies its question against every commenter in scope, and a question about a speaker
matches the asked name against every speaker name. The names are synthetic (handles, "First Last"
names, titled mentions; 60% commenters), as a server with about a thousand indexed threads holds.
Reported per question (p50 over 30 questions): the scans (`speakers_named` over the list,
`classify` with the commenters as a set, as asks did before the directory) and the directory's
lookups, with the names' words and keys already remembered; and the time to make a directory,
which an ask pays once per change of the statements.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time

from common import percentile_ms, report

from indexing.answers.questions import classify
from indexing.records import SpeakerName
from indexing.whosaid import speakers_named
from indexing.whosaid.directory import SpeakerDirectory

FIRST = "Anna Tom Jan Dmitry Hillary Bill Jane Li José Maria Peter Sven Aiko Omar Lena Raj".split()
LAST = "Peskov Clinton Doe Lee Hart Berg Núñez O'Brien Smith Kowalski Tanaka Haddad Singh Novak".split()
TITLES = ["", "Mr. ", "President ", "spokesman ", "Sen. ", "Dr. "]


def synthetic_names(count: int, rng: random.Random) -> list[SpeakerName]:
    names = []
    for i in range(count):
        if rng.random() < 0.6:  # a commenter's handle
            handle = "".join(rng.choices(string.ascii_lowercase + "_0123456789", k=rng.randint(4, 12)))
            names.append(SpeakerName(f"{handle}{i}", f"{handle}{i}", True))
        else:  # a quoted person, under the name as written
            person = f"{rng.choice(FIRST)} {rng.choice(LAST)}{'' if i % 7 else f' {i}'}"
            names.append(SpeakerName(person, f"{rng.choice(TITLES)}{person}", False))
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=24_000, help="speaker names in scope (default 24000)")
    args = parser.parse_args()
    rng = random.Random(1)
    names = synthetic_names(args.names, rng)
    commenters = [n.speaker for n in names if n.whole_passage]
    people = [n.speaker for n in names if not n.whole_passage]
    questions = ([f"What did {rng.choice(people).split()[-1]} say about the bridge?" for _ in range(10)]
                 + [f"What did {rng.choice(commenters)} write about the tunnel?" for _ in range(10)]
                 + ["When will the bridge open?", "How much will the tunnel cost?", "Who pays for it?",
                    "What do commenters think of the ferry?", "Why was the vote delayed?",
                    "What did the mayor promise?", "Is the plan approved?", "Where will it be built?",
                    "What did Jane Doe say?", "What did riverwatcher say?"])

    started = time.perf_counter()
    directory = SpeakerDirectory(names)  # also fills the remembered words and keys
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    SpeakerDirectory(names)
    rebuild_s = time.perf_counter() - started

    def scan(question: str) -> None:
        parsed = classify(question, {n.speaker for n in names if n.whole_passage})
        if parsed.type == "speaker" and parsed.speaker:
            speakers_named(parsed.speaker, names)

    def lookup(question: str) -> None:
        parsed = classify(question, directory.authors)
        if parsed.type == "speaker" and parsed.speaker:
            directory.speakers_named(parsed.speaker)

    timings: dict[str, list[float]] = {"scan": [], "directory": []}
    for name, run in (("scan", scan), ("directory", lookup)):
        for question in questions:
            started = time.perf_counter()
            run(question)
            timings[name].append(time.perf_counter() - started)
    result = {"names": args.names, "directory_build_s": round(build_s, 3), "directory_rebuild_s": round(rebuild_s, 3),
              "scan_p50_ms": percentile_ms(timings["scan"], 50), "scan_p95_ms": percentile_ms(timings["scan"], 95),
              "directory_p50_ms": percentile_ms(timings["directory"], 50),
              "directory_p95_ms": percentile_ms(timings["directory"], 95)}
    report(result, f"{args.names:,} speaker names: per question {result['scan_p50_ms']} ms by scans, "
                   f"{result['directory_p50_ms']} ms by the directory (made in {result['directory_rebuild_s']} s "
                   f"once the names' words are remembered, {result['directory_build_s']} s the first time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
