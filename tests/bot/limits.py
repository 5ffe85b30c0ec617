"""Discord's size limits, checked on the payloads the fake server recorded."""

from __future__ import annotations

from bot.render import EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT, MESSAGE_LIMIT


def embed_total(e: dict) -> int:
    return (
        len(e.get("title") or "")
        + len(e.get("description") or "")
        + len((e.get("footer") or {}).get("text") or "")
        + sum(len(f["name"]) + len(f["value"]) for f in e.get("fields") or [])
    )


def assert_within_limits(messages: list[dict]) -> None:
    for m in messages:
        assert len(m.get("content") or "") <= MESSAGE_LIMIT
        embeds = m.get("embeds") or []
        assert sum(embed_total(e) for e in embeds) <= EMBED_TOTAL_LIMIT
        for e in embeds:
            assert len(e.get("description") or "") <= EMBED_DESCRIPTION_LIMIT
