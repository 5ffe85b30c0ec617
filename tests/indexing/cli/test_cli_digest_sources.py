"""`threadbot digest` prints the sources of its `[n]` markers, as `summary` and `ask` do."""

from __future__ import annotations

import re

from tests.indexing.cli.test_cli_summaries import index, run, thread_json  # noqa: F401  (run is a fixture)


def test_digest_prints_the_source_of_every_marker(run, fake_embedder, tmp_path):  # noqa: F811
    thread_id = index(run, fake_embedder, tmp_path, thread_json(9))
    code, out, _ = run(fake_embedder, "digest", thread_id, "--preview")
    assert code == 0
    text, sources = out.split("\nSources:\n")
    markers = sorted(set(re.findall(r"\[\d+\]", text)), key=lambda m: int(m[1:-1]))
    assert markers
    listed = [ln.split(" ", 1)[0] for ln in sources.strip().split("\n")]
    assert listed == markers
    assert all(f"{thread_id} / " in ln for ln in sources.strip().split("\n"))
    assert re.search(r"comment by user\d: ", sources) and "/ paragraph: " in sources
