"""A thread's chart: the numbers (comments over time, the site's and the server's apart; theme
sizes), the sentence that says them for screen readers, and a real PNG drawn from them."""

from __future__ import annotations

from datetime import UTC, datetime

from indexing.charts import render_png
from indexing.records import SERVER_SOURCE, Comment
from indexing.summaries.chart_data import ALT_TEXT_CHARS, MAX_BINS, chart_data, parse_posted, timeline
from indexing.summaries.records import Theme


def comment(n: int, posted: str | None, server: bool = False) -> Comment:
    return Comment(f"c{n}", f"author{n}", "text", posted=posted, source=SERVER_SOURCE if server else None)


THEMES = [Theme("Flooding of the depot", 4, ["a"], []), Theme("Cost", 7, ["b"], []), Theme("Nothing", 0, [], [])]


def test_times_are_read_in_utc_and_unreadable_ones_are_none():
    assert parse_posted("2025-05-01T10:30:00Z") == datetime(2025, 5, 1, 10, 30, tzinfo=UTC)
    assert parse_posted("2025-05-01T12:30:00+02:00") == datetime(2025, 5, 1, 10, 30, tzinfo=UTC)
    assert parse_posted("2025-05-01 10:30") == datetime(2025, 5, 1, 10, 30, tzinfo=UTC)  # naive: UTC
    assert parse_posted("1746095400") == datetime(2025, 5, 1, 10, 30, tzinfo=UTC)
    assert [parse_posted(v) for v in (None, "", "3 hours ago", "2025-13-45")] == [None] * 4


def test_hourly_bars_count_the_site_and_the_server_apart():
    comments = [comment(0, "2025-05-01T10:05:00Z"), comment(1, "2025-05-01T10:55:00Z"),
                comment(2, "2025-05-01T12:10:00Z", server=True), comment(3, "2025-05-01T12:20:00Z"),
                comment(4, None), comment(5, "yesterday")]
    step, bins, undated = timeline(comments)
    assert step == "hour" and undated == 2
    assert [b.start.hour for b in bins] == [10, 11, 12]  # an empty hour between is a bar of 0
    assert [(b.site, b.server) for b in bins] == [(2, 0), (0, 0), (1, 1)]


def test_a_long_thread_gets_wider_bars_never_more_than_the_limit():
    days = [comment(n, f"2025-05-{1 + n:02d}T08:00:00Z") for n in range(20)]
    assert timeline(days)[0] == "day" and len(timeline(days)[1]) == 20
    months = [comment(n, f"2025-{1 + n % 12:02d}-15T08:00:00Z") for n in range(12)]
    step, bins, _ = timeline(months)
    assert step == "30 days" and len(bins) <= MAX_BINS and sum(b.site for b in bins) == 12
    years = [comment(0, "2015-01-01T00:00:00Z"), comment(1, "2025-01-01T00:00:00Z")]
    step, bins, _ = timeline(years)
    assert step.endswith("days") and len(bins) <= MAX_BINS and [bins[0].site, bins[-1].site] == [1, 1]


def test_the_alt_text_says_every_number_the_chart_shows():
    comments = [comment(0, "2025-05-01T08:00:00Z"), comment(1, "2025-05-01T08:30:00Z"),
                comment(2, "2025-05-01T09:10:00Z", server=True), comment(3, "2025-05-01T09:50:00Z", server=True),
                comment(4, "2025-05-01T11:00:00Z"), comment(5, None)]
    data = chart_data("Council votes on the tram", comments, THEMES)
    assert data is not None and data.step == "hour"
    assert data.themes == (("Cost", 7), ("Flooding of the depot", 4))  # largest first, empty ones left out
    text = data.alt_text
    assert text.startswith("Chart of Council votes on the tram. Comments per hour from 1 May 2025 08:00 UTC "
                           "to 1 May 2025 11:00 UTC: on the site 2, 0, 0, 1 (3 in all); "
                           "in this server 0, 2, 0, 0 (2 in all).")
    assert "1 comment without a time is not shown." in text
    assert text.endswith("Size of each theme: Cost, 7 comments; Flooding of the depot, 4 comments.")


def test_site_only_threads_say_one_series_and_undated_threads_only_themes():
    dated = chart_data("T", [comment(0, "2025-05-01T08:00:00Z"), comment(1, "2025-05-03T08:00:00Z")], [])
    assert dated is not None and not dated.themes
    assert dated.alt_text == "Chart of T. Comments per 6 hours from 1 May 2025 06:00 UTC to 3 May 2025 06:00 UTC: " \
        + ", ".join(["1"] + ["0"] * 7 + ["1"]) + "."
    undated = chart_data("T", [comment(0, None), comment(1, "soon")], THEMES)
    assert undated is not None and undated.bins == () and undated.undated == 0
    assert undated.alt_text == "Chart of T. Size of each theme: Cost, 7 comments; Flooding of the depot, 4 comments."
    assert chart_data("T", [comment(0, None)], []) is None  # nothing to draw: no chart
    one = chart_data("T", [comment(0, "2025-05-01T08:10:00Z")], [])
    assert one is not None and one.alt_text == "Chart of T. Comments per hour in the hour of 1 May 2025 08:00 UTC: 1."


def test_the_alt_text_fits_discords_limit():
    themes = [Theme(f"A rather long theme label number {n} about the tram depot", 100 - n, [], []) for n in range(8)]
    comments = [comment(n, f"2025-05-01T{n % 24:02d}:00:00Z", server=n % 2 == 0) for n in range(24)]
    data = chart_data("A title " * 40, comments, themes)
    assert data is not None and len(data.alt_text) <= ALT_TEXT_CHARS


def test_render_png_draws_a_real_image():
    comments = [comment(n, f"2025-05-0{1 + n % 3}T1{n % 10}:00:00Z", server=n % 4 == 0) for n in range(20)]
    for data in (chart_data("T", comments, THEMES), chart_data("T", comments, []), chart_data("T", [], THEMES)):
        assert data is not None
        png = render_png(data)
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
