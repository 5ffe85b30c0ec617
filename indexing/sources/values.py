"""Field readers the site importers share: JSON values that may be missing, mistyped or hostile."""

from __future__ import annotations

from datetime import UTC, datetime


def no_surrogates(text: str) -> str:
    """Lone surrogates (legal JSON escapes, not encodable text) become U+FFFD."""
    if text.isascii():
        return text
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


def number(value: object) -> float | None:
    """A finite number, or None (booleans, text, NaN and infinities are not scores)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if value == value and abs(value) != float("inf") else None


def unix_time(value: object) -> str | None:
    """A Unix timestamp (seconds, UTC; a number or numeric text) as ISO 8601 text, or None."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds")
    except (OverflowError, ValueError, OSError):
        return None
