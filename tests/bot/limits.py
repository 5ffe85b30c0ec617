"""Checks on the payloads the fake server recorded: Discord's size limits, and nobody pinged."""

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


def assert_no_pings(payloads: list[dict]) -> None:
    """Every message payload disables @everyone, role and user mentions (issue 7)."""
    for payload in payloads:
        allowed = payload.get("allowed_mentions")
        assert allowed is not None, f"payload without allowed_mentions: {payload}"
        assert allowed.get("parse") == [], payload
        assert not allowed.get("users") and not allowed.get("roles"), payload
        assert not allowed.get("replied_user"), payload
