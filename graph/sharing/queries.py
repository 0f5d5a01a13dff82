"""What a store is asked about share requests and objections, and the pages it answers.

Lists are ordered by the instant received, then id — the order they came in — and read in
pages of at most `graph.queries.MAX_PAGE_SIZE` with an opaque cursor. `due_before` selects
those whose running clock (`graph.sharing.requests.pending_clock`,
`graph.sharing.objections.objection_clock`) is due before a day: late on that day.
`provisional` selects by whether that clock's due date is provisional.

    page = await store.find_share_requests(RequestFilter(provider_code=code), first=20)
    page = await store.find_share_requests(RequestFilter(provider_code=code), after=page.end_cursor)
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from graph.audit.chain import instant
from graph.errors import InvalidValue
from graph.sharing.objections import ObjectionState
from graph.sharing.requests import RequestState

__all__ = [
    "ObjectionFilter",
    "Page",
    "RequestFilter",
    "decode_position",
    "encode_position",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RequestFilter:
    """Which share requests: each condition given must hold (None or empty: any)."""

    resource_code: str | None = None
    requester_code: str | None = None
    provider_code: str | None = None
    states: frozenset[RequestState] = frozenset()
    due_before: date | None = None
    provisional: bool | None = None


@dataclass(frozen=True, slots=True)
class ObjectionFilter:
    """Which objections: each condition given must hold (None or empty: any)."""

    resource_code: str | None = None
    reporter: str | None = None
    provider_code: str | None = None
    states: frozenset[ObjectionState] = frozenset()
    due_before: date | None = None
    provisional: bool | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, in the order received; `end_cursor` goes in `after` for the next."""

    items: tuple[T, ...]
    total_count: int
    end_cursor: str | None
    has_next_page: bool


def encode_position(received_at: datetime, id: str) -> str:
    """The cursor naming the item received at `received_at` with `id`."""
    raw = json.dumps([instant(received_at), id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_position(cursor: str) -> tuple[str, str]:
    """(received_at as the stores keep it, id) of a cursor `encode_position` made."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(at, str) or not isinstance(id, str):
            raise TypeError(at)
        return at, id
    except (ValueError, TypeError) as exc:
        raise InvalidValue("after", cursor, "a cursor returned by an earlier page") from exc
