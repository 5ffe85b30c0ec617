"""The chart attached to a digest or a thread's /summary: comments over time (the site's and the
server's apart) and the size of each theme, with the same numbers as alt text for screen readers.

A server turns it off with `/config charts off`. A chart is a nicety: when drawing it fails, the
digest goes out without it and the failure is logged, never shown.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence

import discord

from indexing.charts import render_png
from indexing.records import Thread
from indexing.summaries.chart_data import chart_data
from indexing.summaries.records import Theme

log = logging.getLogger(__name__)

FILENAME = "chart.png"


async def chart_file(bot, guild_id: int | None, thread: Thread, themes: Sequence[Theme]) -> discord.File | None:
    """The chart as an attachment, or None: charts off in this server, nothing to draw, or drawing failed."""
    if guild_id is None or not (await bot.library.guild_settings(guild_id)).charts:
        return None
    data = chart_data(thread.title, thread.comments, themes)
    if data is None:
        return None
    try:
        png = await asyncio.to_thread(render_png, data)  # about 0.1 s of CPU: off the event loop
    except Exception:  # matplotlib missing or broken, a font, a bug: the digest matters more
        log.warning("could not draw the chart of %r; sending without it", thread.title, exc_info=True)
        return None
    return discord.File(io.BytesIO(png), filename=FILENAME, description=data.alt_text)
