"""The numbers behind a thread's chart, and the same numbers as one sentence (its alt text).

Pure functions over the thread's comments and the summary's themes: no plotting here, so what a
chart says can be tested without drawing it (`indexing.charts` draws it). The timeline counts
comments by when they were posted, the site's and the server's apart (`Comment.source`); a thread
whose comments carry no usable time gets only the theme sizes, and one with neither gets no chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..records import SERVER_SOURCE, Comment
from ..text.shorten import one_line, truncate
from .records import Theme

MAX_BINS = 24     # bars on the timeline: more get too thin to read at Discord's preview size
MAX_THEMES = 8
LABEL_CHARS = 40  # a theme's label on the chart and in the sentence
ALT_TEXT_CHARS = 1024  # Discord's limit on an attachment's description

# Candidate bar widths, finest first: the first that fits the thread's span in MAX_BINS bars wins.
STEPS: tuple[tuple[str, timedelta], ...] = (
    ("hour", timedelta(hours=1)),
    ("6 hours", timedelta(hours=6)),
    ("day", timedelta(days=1)),
    ("week", timedelta(days=7)),
    ("30 days", timedelta(days=30)),
)


@dataclass(frozen=True)
class TimeBin:
    start: datetime  # UTC
    site: int
    server: int


@dataclass(frozen=True)
class ChartData:
    title: str
    step: str                          # the width of one bar: "hour", "day", "week", ...
    bins: tuple[TimeBin, ...]          # empty: no comment has a usable time
    themes: tuple[tuple[str, int], ...]  # (label, comment count), largest first
    undated: int                       # comments left off the timeline: no usable time

    @property
    def has_server(self) -> bool:
        return any(b.server for b in self.bins)

    @property
    def alt_text(self) -> str:
        return alt_text(self)


def parse_posted(value: str | None) -> datetime | None:
    """A comment's time in UTC: ISO 8601 (a trailing Z, or none: taken as UTC) or epoch seconds.
    Anything else (\"3 hours ago\") is None: it is counted as undated, never guessed."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        if text.replace(".", "", 1).isdigit():
            return datetime.fromtimestamp(float(text), UTC)
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except (ValueError, OverflowError, OSError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _origin(first: datetime, step: timedelta) -> datetime:
    """Where the first bar starts: midnight for steps of a day or more, else a whole multiple of
    the step since midnight (so hourly bars start on the hour)."""
    midnight = first.replace(hour=0, minute=0, second=0, microsecond=0)
    if step >= timedelta(days=1):
        return midnight
    return midnight + step * ((first - midnight) // step)


def _choose_step(first: datetime, last: datetime) -> tuple[str, timedelta]:
    for name, step in STEPS:
        if (last - _origin(first, step)) // step < MAX_BINS:
            return name, step
    days = math.ceil((last - _origin(first, STEPS[-1][1])).days / MAX_BINS) + 1
    return f"{days} days", timedelta(days=days)


def timeline(comments: Sequence[Comment]) -> tuple[str, tuple[TimeBin, ...], int]:
    """(bar width, bars, undated count): comments per bar, the site's and the server's apart."""
    dated = [(t, c.source == SERVER_SOURCE) for c in comments if (t := parse_posted(c.posted)) is not None]
    undated = len(comments) - len(dated)
    if not dated:
        return "", (), undated
    first, last = min(t for t, _ in dated), max(t for t, _ in dated)
    name, step = _choose_step(first, last)
    origin = _origin(first, step)
    count = (last - origin) // step + 1
    site, server = [0] * count, [0] * count
    for moment, from_server in dated:
        (server if from_server else site)[(moment - origin) // step] += 1
    bins = tuple(TimeBin(origin + step * i, site[i], server[i]) for i in range(count))
    return name, bins, undated


def chart_data(title: str, comments: Sequence[Comment], themes: Sequence[Theme]) -> ChartData | None:
    """What the chart shows, or None when there is nothing to draw (no times and no themes)."""
    step, bins, undated = timeline(comments)
    sizes = sorted(((one_line(t.label, LABEL_CHARS), t.comment_count)
                    for t in themes if t.comment_count > 0), key=lambda pair: -pair[1])[:MAX_THEMES]
    if not bins and not sizes:
        return None
    return ChartData(title, step, bins, tuple(sizes), undated if bins else 0)


def _when(moment: datetime, step: str) -> str:
    day = f"{moment.day} {moment:%b %Y}"
    return f"{day} {moment:%H:%M} UTC" if step in ("hour", "6 hours") else day


def _series(bins: Sequence[TimeBin], server: bool) -> str:
    return ", ".join(str(b.server if server else b.site) for b in bins)


def _comments(n: int) -> str:
    return f"{n} comment{'' if n == 1 else 's'}"


def alt_text(data: ChartData) -> str:
    """The chart as a sentence, for screen readers: every number the bars show, in order."""
    parts = [f"Chart of {one_line(data.title, 100)}."]
    if data.bins:
        span = f"from {_when(data.bins[0].start, data.step)} to {_when(data.bins[-1].start, data.step)}"
        if len(data.bins) == 1:
            span = f"in the {data.step} of {_when(data.bins[0].start, data.step)}"
        per = f"Comments per {data.step} {span}"
        if data.has_server:
            site, server = sum(b.site for b in data.bins), sum(b.server for b in data.bins)
            parts.append(f"{per}: on the site {_series(data.bins, False)} ({site} in all); "
                         f"in this server {_series(data.bins, True)} ({server} in all).")
        else:
            parts.append(f"{per}: {_series(data.bins, False)}.")
        if data.undated:
            parts.append(f"{_comments(data.undated)} without a time {'is' if data.undated == 1 else 'are'} not shown.")
    if data.themes:
        parts.append("Size of each theme: " + "; ".join(f"{label}, {_comments(n)}" for label, n in data.themes) + ".")
    return truncate(" ".join(parts), ALT_TEXT_CHARS)
