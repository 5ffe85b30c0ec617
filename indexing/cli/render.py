"""How the CLI prints: JSON, answers, summaries, digests and a progress bar."""

from __future__ import annotations

import io
import json
import math
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from ..records import Citation
from ..text.shorten import one_line

if TYPE_CHECKING:  # annotations only: `threadbot ask` never imports the summaries wing
    from tqdm import tqdm

    from ..answers import Answer
    from ..summaries import Digest, ThreadSummary


def print_json(value, indent: int | None = 1) -> None:
    """JSON on stdout, UTF-8 as is; `indent=None` gives one line (JSON Lines). A score that is not
    a number (NaN, infinity) is null: Python would write `NaN`, which is not JSON."""
    json.dump(_finite(value), sys.stdout, ensure_ascii=False, indent=indent, allow_nan=False)
    sys.stdout.write("\n")


def _finite(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


# C0 and C1 control characters but tab and newline (and, on stderr, the carriage return a progress
# bar redraws with): ESC starts the ANSI/OSC sequences a thread's title or text could carry to
# recolour, retitle or rewrite the user's terminal; they are shown as U+FFFD, which keeps JSON valid.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_UNSAFE_ON_STDERR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class TerminalSafe(io.TextIOBase):
    """A text stream that passes everything on but control characters (see `_UNSAFE`)."""

    def __init__(self, inner: TextIO, unsafe: re.Pattern[str] = _UNSAFE):
        self.inner, self._unsafe = inner, unsafe

    def write(self, text: str) -> int:
        self.inner.write(self._unsafe.sub("\ufffd", text))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    @property
    def encoding(self):  # the inner stream's, whatever it is
        return getattr(self.inner, "encoding", "utf-8")


@contextmanager
def terminal_safe_output() -> Iterator[None]:
    """While the command runs, nothing it prints can carry an escape sequence to the terminal."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalSafe(out), TerminalSafe(err, _UNSAFE_ON_STDERR)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


class ProgressBar:
    """A tqdm bar on stderr when it is a terminal; silent otherwise (pipes, JSON output)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: tqdm | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None or self._bar.total != total:
            from tqdm import tqdm

            self.close()
            self._bar = tqdm(total=total, desc="embedding passages", unit="passage", file=sys.stderr, leave=False)
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def source_lines(citations: list[Citation]) -> list[str]:
    """One line per `[n]` marker: where it comes from and the text it cites."""
    out = []
    for c in citations:
        where = f"comment by {c.author}" if c.kind == "comment" and c.author else c.kind
        text = " ".join(c.text.split())
        out.append(f"{c.ref} {c.thread_id} / {where}: {text[:200]}{'…' if len(text) > 200 else ''}")
    return out


def render_answer(answer: Answer) -> str:
    """The answer for a terminal: the text, then the sources it cites."""
    out = [answer.answer, ""]
    heading = "Sources:" if answer.answered else "Closest matches:"
    if answer.citations:
        out.append(heading)
    out += source_lines(answer.citations)
    return "\n".join(out).rstrip()


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
        out.append(f"  {c.ref} comment by {who} (passage {c.passage_id}): {one_line(c.text, 120)}")
    counts = (f"{_plural(d.comment_count, 'comment', 'comments')}, {_plural(d.author_count, 'author', 'authors')}, "
              f"{d.off_topic_count} off-topic")
    out += ["", f"Themes ({counts}):"]
    for n, theme in enumerate(d.themes, start=1):
        authors = ", ".join(theme.authors[:5]) + (" …" if len(theme.authors) > 5 else "")
        by = f": {authors}" if authors else ""
        out.append(f"  {n}. {theme.label} ({_plural(theme.comment_count, 'comment', 'comments')}){by}")
        for rep in theme.representative:
            out.append(f"     \"{one_line(rep.text, 160)}\" ({rep.author or 'a reader'})")
    if d.top_authors:
        out.append("Most active: " + ", ".join(f"{a.author} ({a.comments})" for a in d.top_authors))
    if d.most_replied:
        out.append("Most replied to:")
        for r in d.most_replied:
            replies = _plural(r.replies, "reply", "replies")
            out.append(f"  {replies} to {r.author or 'a reader'}: \"{one_line(r.text, 120)}\"")
    if d.top_scored:
        out.append("Most upvoted:")
        for top in d.top_scored:
            points = _plural(round(top.score), "point", "points")
            out.append(f"  {points}, {top.author or 'a reader'}: \"{one_line(top.text, 120)}\"")
    return "\n".join(out).rstrip()


def render_digest(d: Digest) -> str:
    if d.already_posted:
        when = (d.posted_at or d.created_at)[:16].replace("T", " ")
        return f"No new comments since the last digest ({when} UTC); nothing to post.\n\n{_with_sources(d)}"
    return _with_sources(d)


def _with_sources(d: Digest) -> str:
    """The digest's text, then the sources of its `[n]` markers (as `summary` and `ask` print them)."""
    if not d.citations:
        return d.text
    return "\n".join([d.text, "", "Sources:", *source_lines(d.citations)])
