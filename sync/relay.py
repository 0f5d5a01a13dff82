"""The source side of a link: the outbox relay (DESIGN "Instances and sync", points 1, 4, 5).

A `Relay` reads its store's outbox after its own position, puts each event through
`guard_source` for its link, appends what may cross to the link's topic (key = resource code)
and what the guard refused to the link's dead-letter topic, and only once the log has
acknowledged both moves its position past them. Killed anywhere before that, it starts again
from the old position and sends the same events again — harmless, the target keeps the newest
version (point 3).

`held(code)` — may the target hold a copy? — is answered from the relay's marks in the store:
a code is marked *before* an UPSERT or RETIRE of it is published (so a crash can only leave a
code marked that was never delivered, which costs at most a REDACT the target did not need)
and unmarked with the position once a REDACT of it is published. A REDACT names a code, so it
is sent only for marked codes: the code of an entry never cleared for the target never
reaches it, and an entry reclassified after it crossed is removed there.

    relay = Relay(store, log, link)
    while await relay.run_once():
        pass
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from graph.outbox import OutboxRecord
from graph.store import CatalogStore
from sync.apply import SecurityEvent
from sync.dead_letters import dead_letter
from sync.errors import InvalidLink, LogError, MalformedEvent
from sync.events import ChangeEvent, Operation, decode, encode
from sync.guard import REFERENCE_FIELDS, Drop, Forward, Refusal, guard_source, is_cleared
from sync.links import Link
from sync.log import ChangeLog
from sync.status import LinkStatus, Side

__all__ = ["DEFAULT_RELAY_BATCH", "Relay", "RelayBatch"]

DEFAULT_RELAY_BATCH = 500

_security_log = logging.getLogger("mulu.sync.security")

OnSecurityEvent = Callable[[SecurityEvent], None]


def log_security_event(event: SecurityEvent) -> None:
    _security_log.warning(
        "sync refused an event",
        extra={
            "link": event.link,
            "event_id": event.event_id,
            "resource_code": event.resource_code,
            "refusal": event.refusal.value,
            "reason": event.reason,
        },
    )


class RelayBatch:
    """What one `Relay.run_once` did."""

    __slots__ = ("dropped", "produced", "read", "refused")

    def __init__(self) -> None:
        self.read = 0
        self.produced = 0
        self.dropped = 0
        self.refused = 0

    def __bool__(self) -> bool:
        return self.read > 0


class Relay:
    """The relay of one link whose source is `store`'s instance."""

    def __init__(
        self,
        store: CatalogStore,
        log: ChangeLog,
        link: Link,
        *,
        batch_size: int = DEFAULT_RELAY_BATCH,
        on_security_event: OnSecurityEvent = log_security_event,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if store.catalog.id != link.source:
            raise InvalidLink(f"link {link.id} starts at {link.source}, not {store.catalog.id}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self._store = store
        self._log = log
        self._link = link
        self._batch_size = batch_size
        self._on_security_event = on_security_event
        self._clock = clock
        self.status = LinkStatus(link.id, Side.RELAY, link.topic)

    @property
    def link(self) -> Link:
        return self._link

    async def run_once(self) -> RelayBatch:
        """Relay the next batch of the outbox; an empty `RelayBatch` (falsy) when there was
        nothing to relay."""
        done = RelayBatch()
        position = await self._store.outbox_position(self._link.id)
        rows = await self._store.outbox_after(position, self._batch_size)
        self.status.position = position
        if not rows:
            return done
        done.read = len(rows)
        decoded = [(p, self._decode(record)) for p, record in rows]
        events = [event for _, event in decoded if event is not None]
        codes = sorted({event.resource_code for event in events})
        marked = await self._store.outbox_marks(self._link.id, codes)
        cleared = await self._cleared(events)
        holds = {code: code in marked for code in codes}

        out: list[tuple[str, bytes]] = []
        dead: list[tuple[str, bytes]] = []
        for (_, record), (_, event) in zip(rows, decoded, strict=True):
            if event is None:
                done.refused += 1
                dead.append(dead_letter(self._malformed(record), Side.RELAY))
                continue
            verdict = guard_source(
                event, self._link, cleared=cleared, held=lambda code: holds.get(code, False)
            )
            if isinstance(verdict, Forward):
                forwarded = verdict.event
                out.append((forwarded.resource_code, encode(forwarded)))
                holds[forwarded.resource_code] = forwarded.operation is not Operation.REDACT
            elif isinstance(verdict, Drop):
                done.dropped += 1
            else:
                done.refused += 1
                security = SecurityEvent(
                    self._clock(),
                    self._link.id,
                    event.event_id,
                    event.resource_code,
                    verdict.refusal,
                    verdict.reason,
                )
                self._on_security_event(security)
                dead.append(dead_letter(security, Side.RELAY))

        mark = sorted(code for code, held in holds.items() if held and code not in marked)
        unmark = sorted(code for code, held in holds.items() if not held and code in marked)
        if mark:  # before publishing: a code the target may hold is always marked
            await self._store.set_outbox_position(self._link.id, position, mark=mark)
        if out:
            await self._log.append(self._link.topic, out)
        if dead:
            try:
                await self._log.append(self._link.dead_letter_topic, dead)
            except LogError as exc:
                if exc.retriable:
                    raise
                # The security events are recorded; a dead-letter topic that cannot be
                # written must not stall the link (point 4).
                self.status.failed(exc)
        last = rows[-1][0]
        await self._store.set_outbox_position(self._link.id, last, unmark=unmark)
        done.produced = len(out)
        self.status.position = last
        self.status.produced += done.produced
        self.status.dropped += done.dropped
        self.status.refused += done.refused
        return done

    async def run(self, idle_seconds: float = 0.05) -> None:
        """Relay for ever, looking at the outbox again every `idle_seconds` when it is empty;
        errors propagate (the worker retries)."""
        while True:
            done = await self.run_once()
            self.status.succeeded()
            if done.read < self._batch_size:  # caught up: look again in a moment
                await asyncio.sleep(idle_seconds)

    def _decode(self, record: OutboxRecord) -> ChangeEvent | None:
        try:
            return decode(record.payload)
        except MalformedEvent:
            return None

    def _malformed(self, record: OutboxRecord) -> SecurityEvent:
        security = SecurityEvent(
            self._clock(),
            self._link.id,
            None,
            record.key,
            Refusal.MALFORMED,
            f"an outbox record of {record.key} does not decode as a change event",
        )
        self._on_security_event(security)
        return security

    async def _cleared(self, events: Sequence[ChangeEvent]) -> set[str]:
        """The codes referenced by `events` whose entries are cleared for the link's target."""
        referenced: set[str] = set()
        for event in events:
            snapshot = event.snapshot or {}
            for key in REFERENCE_FIELDS:
                value = snapshot.get(key)
                if isinstance(value, list):
                    referenced.update(code for code in value if isinstance(code, str))
        if not referenced:
            return set()
        held = await self._store.get_many(sorted(referenced))
        return {code for code, entry in held.items() if is_cleared(entry, self._link)}
