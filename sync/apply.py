"""The target side of a link: re-check each event with the guard, then store it.

UPSERT and RETIRE become `CatalogStore.apply` snapshots and REDACT becomes
`CatalogStore.redact`, each with the event as it arrived (hops included) for the target's
outbox, written only when the event is applied: what a province aggregated from its cities is
what its own relays send on to the nation, and a stale copy goes no further. The store keeps the
newest version, so duplicates and replays are STALE and change nothing (DESIGN "Instances and
sync", point 3). An event the guard refuses, that does not decode, that breaks a rule of the
target's store, or that names a code the target holds from another origin (一数一源) is skipped and
reported as a `SecurityEvent` (`sync.security`): one bad event never stops the others. Each
event applied is recorded in the target's audit log (CROSSING: the link, the code, the version,
the origin) in the transaction that applies it; a stale one is not. Only a store that does not
answer raises (`StoreUnavailable`, retriable) — then nothing after the last applied batch
counts, and the caller must not commit its log position.

    report = await apply_events(store, records, link)
    audit.record(report.security_events)
    await reader.commit()
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from graph.audit.records import AuditEntry, AuditKind
from graph.enums import Zone
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
from sync.security import SecurityEvent
from sync.snapshots import resource_from_dict

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ApplyReport",
    "PreparedBatch",
    "apply_events",
    "prepare_batch",
    "store_batch",
]

# Events per store transaction: at a Neo4j target, 2,000 apply about a fifth faster than 500
# (bench/sync_bench.py); a transaction of 2,000 entries stays far below any memory limit.
DEFAULT_BATCH_SIZE = 2000


def _now() -> datetime:
    return datetime.now(UTC)


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
    forward: bool = True,
) -> ApplyReport:
    """Apply `events` (decoded, or the bytes of a log record) received over `link` to `store`,
    the link's target, in order, `batch_size` at a time (`forward`: see `prepare_batch`)."""
    if store.catalog.id != link.target:
        raise InvalidLink(f"link {link.id} delivers to {link.target}, not to {store.catalog.id}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    report = ApplyReport()
    batch: list[ChangeEvent | bytes] = []
    for event in events:
        batch.append(event)
        if len(batch) >= batch_size:
            report += await store_batch(
                store, await prepare_batch(store, batch, link, clock, forward=forward)
            )
            batch = []
    if batch:
        report += await store_batch(
            store, await prepare_batch(store, batch, link, clock, forward=forward)
        )
    return report


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """A batch as `prepare_batch` left it for `store_batch`: each event the guard let through
    with its entry (None for REDACT) and outbox record (None when not forwarded), in order, and
    the refusals so far."""

    link: Link
    accepted: tuple[tuple[ChangeEvent, Resource | None, OutboxRecord | None], ...]
    security_events: tuple[SecurityEvent, ...]
    clock: Callable[[], datetime]


# `prepare_batch` lets other tasks run after this many events: a consumer prepares its next
# batch while the store writes the previous one, and that write must not wait on it long.
_EVENTS_BETWEEN_YIELDS = 100


async def prepare_batch(
    store: CatalogStore,
    batch: Sequence[ChangeEvent | bytes],
    link: Link,
    clock: Callable[[], datetime] = _now,
    *,
    forward: bool = True,
) -> PreparedBatch:
    """Decode `batch`, put each event through the target's guard and the store's rules: the
    part of applying that needs no store, so it can run beside the store's previous write.

    With `forward`, each event applied goes into the target's outbox, for the target's own
    relays to send on; an instance that is the source of no link has nothing to send it to."""
    if store.catalog.id != link.target:
        raise InvalidLink(f"link {link.id} delivers to {link.target}, not to {store.catalog.id}")
    checker = _Checker(link, store.catalog.zone, clock)
    accepted = []
    for n, item in enumerate(batch, start=1):
        checked = checker.check(item)
        if checked is not None:
            event, entry = checked
            record = None
            if forward:
                payload = item if isinstance(item, bytes) else encode(event)
                record = OutboxRecord(event.resource_code, payload)
            accepted.append((event, entry, record))
        if n % _EVENTS_BETWEEN_YIELDS == 0:
            await asyncio.sleep(0)
    return PreparedBatch(link, tuple(accepted), tuple(checker.security_events), clock)


async def store_batch(store: CatalogStore, prepared: PreparedBatch) -> ApplyReport:
    """Write a prepared batch to `store`: newest wins, REDACTs in their place, an event naming
    a code held here from another origin refused."""
    writer = _Writer(store, prepared)
    await writer.write()
    # Every refused event left exactly one security event.
    refused = prepared.security_events + tuple(writer.security_events)
    counts = writer.counts
    return ApplyReport(counts.applied, counts.stale, len(refused), counts.redacted, refused)


class _Checker:
    def __init__(self, link: Link, zone: Zone, clock: Callable[[], datetime]) -> None:
        self._link = link
        self._zone = zone
        self._clock = clock
        self.security_events: list[SecurityEvent] = []

    def check(self, item: ChangeEvent | bytes) -> tuple[ChangeEvent, Resource | None] | None:
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
            entry = check_resource(resource_from_dict(event.snapshot), self._zone)
        except MalformedEvent as exc:
            self._refuse(event, Refusal.MALFORMED, str(exc))
            return None
        except InvalidValue as exc:
            self._refuse(event, Refusal.INVALID_ENTRY, str(exc))
            return None
        return event, entry

    def _refuse(self, event: ChangeEvent, refusal: Refusal, reason: str) -> None:
        self._record(event.event_id, event.resource_code, refusal, reason)

    def _record(
        self, event_id: str | None, code: str | None, refusal: Refusal, reason: str
    ) -> None:
        self.security_events.append(
            SecurityEvent(self._clock(), self._link.id, event_id, code, refusal, reason)
        )


_Pending = tuple[ChangeEvent, Resource, OutboxRecord | None]


class _Writer(_Checker):
    def __init__(self, store: CatalogStore, prepared: PreparedBatch) -> None:
        super().__init__(prepared.link, store.catalog.zone, prepared.clock)
        self._store = store
        self._prepared = prepared
        self.counts = _Counts()

    async def write(self) -> None:
        accepted = self._prepared.accepted
        # One resource, one origin (一数一源): the store refuses an entry whose code it holds
        # from another origin (CONFLICT); a REDACT, which names only a code, is checked here,
        # and so is a code that comes from two origins in one batch.
        redacted = sorted({event.resource_code for event, entry, _ in accepted if entry is None})
        origins = await self._store.origins(redacted) if redacted else {}
        pending: list[_Pending] = []
        for event, entry, record in accepted:
            origin = origins.setdefault(event.resource_code, event.origin)
            if origin != event.origin:
                self._conflict(event, origin)
            elif entry is None:  # REDACT: keep the order of the events of one code
                await self._flush(pending)
                pending = []
                outcome = await self._store.redact(
                    event.resource_code, event.version, outbox=record, audit=self._crossing(event)
                )
                if outcome is ApplyOutcome.APPLIED:
                    self.counts.redacted += 1
                else:
                    self.counts.stale += 1
            else:
                pending.append((event, entry, record))
        await self._flush(pending)

    async def _flush(self, pending: list[_Pending]) -> None:
        if not pending:
            return
        try:
            outcomes: list[ApplyOutcome | None] = list(
                await self._store.apply(
                    [entry for _, entry, _ in pending],
                    outbox=[record for _, _, record in pending],
                    audit=[self._crossing(event) for event, _, _ in pending],
                )
            )
        except CatalogError as exc:
            if exc.retriable:
                raise
            # One entry the store refuses must not hold back the rest: apply them one by one.
            outcomes = []
            for event, entry, record in pending:
                try:
                    outcomes += await self._store.apply(
                        [entry], outbox=[record], audit=[self._crossing(event)]
                    )
                except CatalogError as single:
                    if single.retriable:
                        raise
                    self._refuse(event, Refusal.INVALID_ENTRY, str(single))
                    outcomes.append(None)
        self.counts.applied += outcomes.count(ApplyOutcome.APPLIED)
        self.counts.stale += outcomes.count(ApplyOutcome.STALE)
        conflicts = [
            event
            for (event, _, _), outcome in zip(pending, outcomes, strict=True)
            if outcome is ApplyOutcome.CONFLICT
        ]
        if conflicts:
            held = await self._store.origins([event.resource_code for event in conflicts])
            for event in conflicts:
                self._conflict(event, held.get(event.resource_code, "another catalog"))

    def _crossing(self, event: ChangeEvent) -> AuditEntry:
        """The audit record of `event` crossing the link, written with it when applied."""
        return AuditEntry(
            AuditKind.CROSSING,
            f"link:{self._link.id}",
            event.operation.value.lower(),
            subject=event.resource_code,
            version_after=event.version,
            detail={"origin": event.origin, "event": event.event_id},
        )

    def _conflict(self, event: ChangeEvent, origin: str) -> None:
        self._refuse(
            event,
            Refusal.ORIGIN_CONFLICT,
            f"{event.resource_code} is held here from {origin}; {event.origin} is not "
            "its origin (一数一源: one resource, one origin)",
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
    except (ValueError, TypeError, RecursionError):
        return None, None
    if not isinstance(document, dict):
        return None, None
    event_id, code = document.get("event_id"), document.get("resource_code")
    return (
        event_id if isinstance(event_id, str) else None,
        code if isinstance(code, str) else None,
    )
