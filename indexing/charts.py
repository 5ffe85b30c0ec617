"""Drawing a thread's chart as a PNG (matplotlib's Agg backend: no display, no window).

matplotlib is imported on the first chart, not with the library: most commands draw none, and its
import costs about a second. CPU work: callers on an event loop run `render_png` in a thread.
The numbers come from `indexing.summaries.chart_data`; nothing here decides what to show.
"""

from __future__ import annotations

import os
import tempfile
import threading
from io import BytesIO

from .summaries.chart_data import ChartData

SITE_COLOUR = "#4C72B0"
SERVER_COLOUR = "#DD8452"  # orange on blue: the two stay apart for most colour-blind readers too
THEME_COLOUR = "#55A868"
MAX_TICKS = 6
# One chart at a time: matplotlib's font cache and text layout are shared by every figure.
_LOCK = threading.Lock()


def _writable(folder: str) -> bool:
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _prepare_environment() -> None:
    """Agg, whatever the host's display says, and a writable folder for matplotlib's config and
    font cache: a service user's home may be read-only or missing, and matplotlib would then
    warn and rebuild its font cache on every start."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    configured = os.environ.get("MPLCONFIGDIR")
    if configured and _writable(configured):
        return
    home = os.path.expanduser("~")
    config = os.path.join(os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), "matplotlib")
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"), "matplotlib")
    if not configured and _writable(config) and _writable(cache):
        return  # matplotlib's own defaults work
    os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="threadbot-matplotlib-")


def _tick_label(data: ChartData, i: int) -> str:
    start = data.bins[i].start
    return f"{start:%H:%M}\n{start.day} {start:%b}" if data.step in ("hour", "6 hours") else f"{start.day} {start:%b}"


def render_png(data: ChartData) -> bytes:
    """The chart: comments over time (stacked: the site, then the server) beside the size of each
    theme, whichever of the two the data has."""
    with _LOCK:
        _prepare_environment()
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        panels = int(bool(data.bins)) + int(bool(data.themes))
        figure = Figure(figsize=(4.2 * panels, 3.0), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        axes = iter(figure.subplots(1, panels, squeeze=False)[0])
        if data.bins:
            ax = next(axes)
            xs = list(range(len(data.bins)))
            site = [b.site for b in data.bins]
            ax.bar(xs, site, color=SITE_COLOUR, label="on the site")
            if data.has_server:
                ax.bar(xs, [b.server for b in data.bins], bottom=site, color=SERVER_COLOUR, label="in this server")
                ax.legend(fontsize=8, frameon=False)
            every = max(1, -(-len(xs) // MAX_TICKS))
            ax.set_xticks(xs[::every], [_tick_label(data, i) for i in xs[::every]], fontsize=7)
            ax.set_title(f"Comments per {data.step}", fontsize=10)
            ax.yaxis.get_major_locator().set_params(integer=True)
            ax.spines[["top", "right"]].set_visible(False)
        if data.themes:
            ax = next(axes)
            labels = [label for label, _ in data.themes][::-1]  # largest at the top
            counts = [n for _, n in data.themes][::-1]
            ax.barh(range(len(counts)), counts, height=0.6, color=THEME_COLOUR)
            ax.set_yticks(range(len(counts)), labels, fontsize=7)
            ax.bar_label(ax.containers[0], fontsize=7, padding=2)
            ax.set_title("Comments per theme", fontsize=10)
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.spines[["top", "right"]].set_visible(False)
        out = BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()
