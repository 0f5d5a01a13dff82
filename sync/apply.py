"""The target side of a link: re-check each event with the guard, then store it.

UPSERT and RETIRE become `CatalogStore.apply` snapshots and REDACT becomes
`CatalogStore.redact`, each with the event as it arrived (hops included) for the target's
outbox, written only when the event is applied: what a province aggregated from its cities is
what its own relays send on to the nation, and a stale copy goes no further. The store keeps
the newest version, so duplicates and replays are STALE and change nothing (DESIGN "Instances
and sync", point 3). An event the guard refuses, that does not decode, that breaks a rule of
the target's store, or that names a code the target holds from another origin (一数一源) is
skipped and reported as a `SecurityEvent`: one bad event never stops the others. Only a store
that does not answer raises (`StoreUnavailable`, retriable) — then nothing after the last
applied batch counts, and the caller must not commit its log position.

    report = await apply_events(store, records, link)
    audit.record(report.security_events)
    await reader.commit()
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from graph.errors import CatalogError, InvalidValue
from graph.model import Resource
from graph.outbox import OutboxRecord
from graph.queries import ApplyOutcome
from graph.rules import check_resource
from graph.store import CatalogStore
from sync.errors import InvalidLink, MalformedEvent
from sync.events import ChangeEvent, Operation, decode, encode
from sync.guard import Refusal, Refuse, guard_target
from sync.links import Link
from sync.snapshots import resource_from_dict

__all__ = ["DEFAULT_BATCH_SIZE", "ApplyReport", "SecurityEvent", "apply_events"]

# Events per store transaction: at a Neo4j target, 2,000 apply about a fifth faster than 500
# (bench/sync_bench.py); a transaction of 2,000 entries stays far below any memory limit.
DEFAULT_BATCH_SIZE = 2000


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    """An event a target refused, for the audit log (kept 15 years, Chengdu 第二十六条)."""

    at: datetime
    link: str
    event_id: str | None
    resource_code: str | None
    refusal: Refusal
    reason: str


@dataclass(frozen=True, slots=True)
class ApplyReport:
    """What `apply_events` did: each event is counted once, under one of the four."""

    applied: int = 0
    stale: int = 0
    refused: int = 0
    redacted: int = 0
    security_events: tuple[SecurityEvent, ...] = field(default=())

    def __add__(self, other: ApplyReport) -> ApplyReport:
        return ApplyReport(
            self.applied + other.applied,
            self.stale + other.stale,
            self.refused + other.refused,
            self.redacted + other.redacted,
            self.security_events + other.security_events,
        )


async def apply_events(
    store: CatalogStore,
    events: Iterable[ChangeEvent | bytes],
    link: Link,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    clock: Callable[[], datetime] = _now,
) -> ApplyReport:
    """Apply `events` (decoded, or the bytes of a log record) received over `link` to `store`,
    the link's target, in order, `batch_size` at a time."""
    if store.catalog.id != link.target:
        raise InvalidLink(f"link {link.id} delivers to {link.target}, not to {store.catalog.id}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    applier = _Applier(store, link, clock)
    batch: list[ChangeEvent | bytes] = []
    for event in events:
        batch.append(event)
        if len(batch) >= batch_size:
            await applier.apply(batch)
            batch = []
    if batch:
        await applier.apply(batch)
    return applier.report


class _Applier:
    def __init__(self, store: CatalogStore, link: Link, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._link = link
        self._clock = clock
        self.report = ApplyReport()
        self._security: list[SecurityEvent] = []

    async def apply(self, batch: Sequence[ChangeEvent | bytes]) -> None:
        accepted: list[tuple[ChangeEvent, Resource | None, OutboxRecord]] = []
        for item in batch:
            checked = self._check(item)
            if checked is not None:
                event, entry = checked
                payload = item if isinstance(item, bytes) else encode(event)
                accepted.append((event, entry, OutboxRecord(event.resource_code, payload)))
        held = await self._store.get_many(sorted({event.resource_code for event, _, _ in accepted}))
        origins = {code: entry.origin for code, entry in held.items()}
        counts = _Counts()
        pending: list[tuple[ChangeEvent, Resource, OutboxRecord]] = []
        for event, entry, record in accepted:
            origin = origins.setdefault(event.resource_code, event.origin)
            if origin != event.origin:
                self._refuse(
                    event,
                    Refusal.ORIGIN_CONFLICT,
                    f"{event.resource_code} is held here from {origin}; {event.origin} is not "
                    "its origin (一数一源: one resource, one origin)",
                )
            elif entry is None:  # REDACT: keep the order of the events of one code
                await self._flush(pending, counts)
                pending = []
                outcome = await self._store.redact(
                    event.resource_code, event.version, outbox=record
                )
                if outcome is ApplyOutcome.APPLIED:
                    counts.redacted += 1
                else:
                    counts.stale += 1
            else:
                pending.append((event, entry, record))
        await self._flush(pending, counts)
        # Every refused event left exactly one security event.
        refused = tuple(self._security)
        self.report = self.report + ApplyReport(
            counts.applied, counts.stale, len(refused), counts.redacted, refused
        )
        self._security = []

    def _check(self, item: ChangeEvent | bytes) -> tuple[ChangeEvent, Resource | None] | None:
        """The event and the entry it carries (None for REDACT), or None when refused."""
        if isinstance(item, ChangeEvent):
            event = item
        else:
            try:
                event = decode(item)
            except MalformedEvent as exc:
                event_id, code = _identify(item)
                self._record(event_id, code, Refusal.MALFORMED, str(exc))
                return None
        verdict = guard_target(event, self._link)
        if isinstance(verdict, Refuse):
            self._refuse(event, verdict.refusal, verdict.reason)
            return None
        if event.operation is Operation.REDACT:
            return event, None
        try:
            entry = resource_from_dict(event.snapshot)
            check_resource(entry, self._store.catalog.zone)
        except MalformedEvent as exc:
            self._refuse(event, Refusal.MALFORMED, str(exc))
            return None
        except InvalidValue as exc:
            self._refuse(event, Refusal.INVALID_ENTRY, str(exc))
            return None
        return event, entry

    async def _flush(
        self, pending: list[tuple[ChangeEvent, Resource, OutboxRecord]], counts: _Counts
    ) -> None:
        if not pending:
            return
        try:
            outcomes = await self._store.apply(
                [entry for _, entry, _ in pending], outbox=[record for _, _, record in pending]
            )
        except CatalogError as exc:
            if exc.retriable:
                raise
            # One entry the store refuses must not hold back the rest: apply them one by one.
            outcomes = []
            for event, entry, record in pending:
                try:
                    outcomes += await self._store.apply([entry], outbox=[record])
                except CatalogError as single:
                    if single.retriable:
                        raise
                    self._refuse(event, Refusal.INVALID_ENTRY, str(single))
        counts.applied += outcomes.count(ApplyOutcome.APPLIED)
        counts.stale += outcomes.count(ApplyOutcome.STALE)

    def _refuse(self, event: ChangeEvent, refusal: Refusal, reason: str) -> None:
        self._record(event.event_id, event.resource_code, refusal, reason)

    def _record(
        self, event_id: str | None, code: str | None, refusal: Refusal, reason: str
    ) -> None:
        self._security.append(
            SecurityEvent(self._clock(), self._link.id, event_id, code, refusal, reason)
        )


class _Counts:
    def __init__(self) -> None:
        self.applied = 0
        self.stale = 0
        self.redacted = 0


def _identify(data: bytes) -> tuple[str | None, str | None]:
    """The event id and resource code of a record that did not decode, if they can be read."""
    try:
        document = json.loads(data)
    except (ValueError, TypeError):
        return None, None
    if not isinstance(document, dict):
        return None, None
    event_id, code = document.get("event_id"), document.get("resource_code")
    return (
        event_id if isinstance(event_id, str) else None,
        code if isinstance(code, str) else None,
    )
