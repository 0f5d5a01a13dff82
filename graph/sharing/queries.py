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
from graph.queries import MAX_PAGE_SIZE
from graph.sharing.objections import ObjectionState
from graph.sharing.requests import RequestState

__all__ = [
    "ObjectionFilter",
    "Page",
    "RequestFilter",
    "Selection",
    "check_limit",
    "decode_position",
    "encode_position",
    "selection",
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


@dataclass(frozen=True, slots=True)
class Selection:
    """A filter as the stores apply it, to the columns of `graph.sharing.snapshots` (`party`:
    the requester or the reporter); each value given must hold, None (or empty): any."""

    resource_code: str | None
    party: str | None
    provider_code: str | None
    states: tuple[str, ...]
    due_before: str | None  # an ISO date: `due_on` sorts as the dates do
    provisional: bool | None


def selection(where: RequestFilter | ObjectionFilter) -> Selection:
    """What `where` selects, in the stores' columns."""
    party = where.requester_code if isinstance(where, RequestFilter) else where.reporter
    due_before = where.due_before
    if due_before is not None and (
        not isinstance(due_before, date) or isinstance(due_before, datetime)
    ):
        raise InvalidValue("due_before", due_before, "a date")
    return Selection(
        resource_code=where.resource_code,
        party=party,
        provider_code=where.provider_code,
        states=tuple(sorted(state.value for state in where.states)),
        due_before=None if due_before is None else due_before.isoformat(),
        provisional=where.provisional,
    )


def check_limit(limit: int) -> int:
    """How many open objections an entry shows: 1 to `MAX_PAGE_SIZE`."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidValue("limit", limit, f"a whole number from 1 to {MAX_PAGE_SIZE}")
    return limit


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
    except (ValueError, TypeError, RecursionError) as exc:
        raise InvalidValue("after", cursor, "a cursor returned by an earlier page") from exc
