"""The chart on digests and summaries, end to end on the fake Discord with the real client: a PNG
attachment whose description (the alt text) says the numbers, the server's messages counted apart
from the site's; none after `/config charts off`."""

from __future__ import annotations

import json

import pytest

from .fake_discord import ADMIN_PERMISSIONS

pytestmark = pytest.mark.bot(conversation_batch_seconds=0.0)

PNG = b"\x89PNG\r\n\x1a\n"


def dated_thread(title: str) -> bytes:
    return json.dumps({
        "title": title,
        "url": f"https://news.example/{title.split()[0].lower()}",
        "paragraphs": ["The city council voted on Tuesday to fund a tram line to the harbour.",
                       "Mayor Jane Smith said the line would open in 2027 and cost 400 million."],
        "comments": [{"id": f"c{n}", "author": f"reader{n % 3}", "posted": f"2025-05-01T{8 + n // 2:02d}:15:00Z",
                      "text": ["Trams cost far too much money for this city.",
                               "The harbour finally gets public transport, about time."][n % 2]}
                     for n in range(6)],
    }).encode()


def charts_sent(env) -> list[tuple[dict, bytes]]:
    """(payload, PNG) of every message the bot sent with a chart attached, in order."""
    return [(r.json, r.files["chart.png"]) for r in env.fake.requests
            if r.method == "POST" and "chart.png" in r.files]


def alt_text(payload: dict) -> str:
    (attachment,) = [a for a in payload["attachments"] if a["filename"] == "chart.png"]
    return attachment["description"]


async def test_digests_and_summaries_carry_a_chart_with_alt_text_until_turned_off(bot_env):
    env = bot_env
    fake = env.fake
    upload = await fake.slash(env.guild_a, "upload", {"file": fake.attachment("tram.json", dated_thread("Tram vote"))})
    assert "Indexed" in upload.text()
    (digest,) = charts_sent(env)
    payload, png = digest
    assert payload["embeds"][0]["title"] == "Digest: Tram vote"  # on the digest message itself
    assert png.startswith(PNG) and len(png) > 5_000
    text = alt_text(payload)
    assert text.startswith("Chart of Tram vote. Comments per hour from 1 May 2025 08:00 UTC to 1 May 2025 10:00 UTC: "
                           "2, 2, 2.")
    assert "in this server" not in text
    # A member's message in the discussion thread under the digest: the server's bar, apart.
    (discussion,) = [tid for tid, t in fake.threads.items() if t["guild_id"] == env.guild_a.id]
    await fake.post_message(env.guild_a, "The tram depot will flood every winter.", channel=discussion,
                            user=fake.user("alice"))
    summary = await fake.slash(env.guild_a, "summary", {"thread": "Tram vote"})
    assert "Summary: Tram vote" in summary.text()
    payload, png = charts_sent(env)[-1]
    assert payload["embeds"][0]["title"] == "Summary: Tram vote" and png.startswith(PNG)
    assert "on the site" in alt_text(payload) and "in this server" in alt_text(payload)
    assert "(6 in all)" in alt_text(payload) and "(1 in all)" in alt_text(payload)

    off = await fake.slash(env.guild_a, "config charts", {"state": "off"}, permissions=ADMIN_PERMISSIONS)
    assert "No charts" in off.text()
    show = await fake.slash(env.guild_a, "config show", permissions=ADMIN_PERMISSIONS)
    assert "Charts: off" in show.text()
    before = len(charts_sent(env))
    await fake.slash(env.guild_a, "upload", {"file": fake.attachment("bus.json", dated_thread("Bus fares"))})
    await fake.slash(env.guild_a, "summary", {"thread": "Bus fares"})
    digests = [m for m in fake.messages_in(env.guild_a.channel("general")) if m["embeds"]
               and m["embeds"][0]["title"] == "Digest: Bus fares"]
    assert digests, "the digest itself is still posted"
    assert len(charts_sent(env)) == before  # neither the digest nor the summary carries a chart
    # The other server's setting is its own: still on there.
    await fake.slash(env.guild_b, "upload", {"file": fake.attachment("bus.json", dated_thread("Bus fares"))})
    assert len(charts_sent(env)) == before + 1


async def test_a_chart_that_cannot_be_drawn_never_holds_up_the_digest(bot_env, monkeypatch):
    env = bot_env

    def broken(data):  # a missing font, a broken matplotlib install: whatever drawing raises
        raise RuntimeError("no fonts on this host")

    monkeypatch.setattr("bot.charts.render_png", broken)
    await env.fake.slash(env.guild_a, "upload", {"file": env.fake.attachment("tram.json", dated_thread("Tram vote"))})
    titles = [m["embeds"][0]["title"] for m in env.fake.messages_in(env.guild_a.channel("general")) if m["embeds"]]
    assert "Digest: Tram vote" in titles and not charts_sent(env)
    assert "could not draw the chart" in env.logs.text()
