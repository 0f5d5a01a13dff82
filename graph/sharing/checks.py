"""The checks every value of sharing passes: bounded texts, whole numbers, aware instants.

Each refusal is an `InvalidValue` naming the field, the value (a long text by its length,
never echoed whole) and what would be accepted.
"""

from __future__ import annotations

from datetime import UTC, datetime

from graph.errors import InvalidValue

__all__ = ["check_instant", "check_text", "check_version", "optional_text"]


def check_text(field: str, value: object, limit: int) -> str:
    """`value` stripped: a non-empty text of at most `limit` characters."""
    if not isinstance(value, str):
        raise InvalidValue(field, value, f"a text of 1 to {limit} characters")
    stripped = value.strip()
    if not stripped:
        raise InvalidValue(field, value, f"a text of 1 to {limit} characters, not blank")
    if len(stripped) > limit:
        raise InvalidValue(field, f"{len(stripped)} characters", f"at most {limit} characters")
    return stripped


def optional_text(field: str, value: object, limit: int) -> str | None:
    """`check_text`, with None (or a blank text) as None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return check_text(field, value, limit)


def check_version(value: object, field: str = "version") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValue(field, value, "a whole number from 1")
    return value


def check_instant(value: object, field: str) -> datetime:
    """`value` in UTC: an aware instant (a naive one names no time zone)."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        shown = value.isoformat() if isinstance(value, datetime) else value
        raise InvalidValue(field, shown, "an aware instant (with its time zone)")
    return value.astimezone(UTC)
