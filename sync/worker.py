"""`SyncWorker`: the relays and consumers of one instance's links, as supervised asyncio tasks.

For each link whose source is the instance it runs a `Relay`, for each link whose target it is
a `LinkConsumer`. A task that fails is started again after a pause that doubles from
`Backoff.initial` up to `Backoff.maximum` (an error that is not `retriable` waits the maximum
at once: it needs an operator, but the link must resume by itself once it is fixed); each
side's `LinkStatus` says what it did and its last error. Leaving the context cancels every
task and waits for it.

    async with SyncWorker(store, log, topology.links_from(own) + topology.links_to(own)) as w:
        ...                                   # w.statuses() for /health
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from graph.audit.records import AuditEntry, AuditKind
from graph.audit.sink import AuditSink
from graph.errors import CatalogError
from graph.store import CatalogStore
from sync.apply import DEFAULT_BATCH_SIZE
from sync.consumer import LinkConsumer
from sync.errors import InvalidLink, SyncError
from sync.links import Link
from sync.log.protocol import ChangeLog
from sync.relay import DEFAULT_RELAY_BATCH, Relay
from sync.security import SecurityEvent, log_security_event
from sync.status import LinkState, LinkStatus
from sync.topics import create_topics

__all__ = ["Backoff", "SyncWorker"]

_log = logging.getLogger("mulu.sync")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Pauses between attempts of a failing task, in seconds."""

    initial: float = 0.2
    maximum: float = 30.0


# Store transactions a consumer keeps in flight: at a Neo4j target on 2 cores, two apply a
# backlog about a quarter faster than one (bench/sync_bench.py); an embedded store takes its
# writes one after the other whatever the number.
CONSUMER_WRITERS = 2


# The outbox is pruned once every relay of the instance has passed this many more records:
# each prune one transaction, deleting at most `PRUNE_STEP` records' numbers' worth.
PRUNE_EVERY = 500
PRUNE_STEP = 5000


# How long a running consumer's read waits for a record before it looks at its writes and its
# lag: a record arriving ends the wait at once, so only an idle link waits this long.
READ_WAIT_MS = 1000


class SyncWorker:
    """The sync of one instance: its store, its log and the links it is an end of."""

    def __init__(
        self,
        store: CatalogStore,
        log: ChangeLog,
        links: Sequence[Link],
        *,
        batch_size: int | None = None,
        idle_seconds: float = 0.05,
        backoff: Backoff = Backoff(),
        create_topics: bool = True,
        kept_security_events: int = 1000,
    ) -> None:
        own = store.catalog.id
        strangers = [link.id for link in links if own not in (link.source, link.target)]
        if strangers:
            raise InvalidLink(f"{own} is no end of the links {', '.join(strangers)}")
        self._log = log
        self._backoff = backoff
        self._idle = idle_seconds
        self._create_topics = create_topics
        self.security_events: deque[SecurityEvent] = deque(maxlen=kept_security_events)
        # Every refusal is a record of the instance's audit log too (GUARD_REFUSAL).
        self.audit = AuditSink(store)
        self.relays = [
            Relay(
                store,
                log,
                link,
                batch_size=batch_size or DEFAULT_RELAY_BATCH,
                on_security_event=self._record,
            )
            for link in dict.fromkeys(links)
            if link.source == own
        ]
        # What a consumer applies goes into the store's outbox only for relays to send on.
        self.consumers = [
            LinkConsumer(
                store,
                log,
                link,
                batch_size=batch_size or DEFAULT_BATCH_SIZE,
                on_security_event=self._record,
                forward=bool(self.relays),
                writers=CONSUMER_WRITERS if not urgent else 1,
                urgent=urgent,
                timeout_ms=READ_WAIT_MS,
            )
            for link in dict.fromkeys(links)
            if link.target == own
            for urgent in (False, True)  # each lane its own consumer: see sync.consumer
        ]
        self._tasks: list[asyncio.Task[None]] = []
        self._audit_writer: contextlib.AsyncExitStack | None = None
        self._store = store
        self._advanced = asyncio.Event()
        for relay in self.relays:
            relay.on_advance = self._advanced.set
        self.pruned_below: int | None = None  # the outbox holds no record numbered below it

    def statuses(self) -> list[LinkStatus]:
        return [r.status for r in self.relays] + [c.status for c in self.consumers]

    async def start(self) -> None:
        if self._tasks:
            raise RuntimeError("this SyncWorker is already running")
        self._audit_writer = contextlib.AsyncExitStack()
        await self._audit_writer.enter_async_context(self.audit.running())
        for relay in self.relays:
            self._spawn(relay.status, self._relay(relay))
        for consumer in self.consumers:
            self._spawn(consumer.status, consumer.run)
        if self.relays:
            self._tasks.append(asyncio.create_task(self._prune(), name="mulu-sync outbox pruning"))

    async def _prune(self) -> None:
        """Delete the outbox records every relay of the instance has passed (`Relay.passed`:
        each lane's position is in the store first, so a relay that restarts after a crash
        never needs a record pruned; a relay sending a new link's seed has passed nothing, so
        nothing goes meanwhile), a step at a time, as the relays move."""
        while True:
            await self._advanced.wait()
            self._advanced.clear()
            try:
                await self.prune_once()
            except CatalogError as exc:  # the store is down: the next advance tries again
                _log.warning("outbox not pruned", extra={"error": str(exc)})

    async def prune_once(self, every: int = PRUNE_EVERY) -> int:
        """Prune what every relay has passed, once at least `every` records can go; how many
        records went."""
        passed = [relay.passed for relay in self.relays]
        if not passed or any(p is None for p in passed):
            return 0  # a relay that has not read since it started: its position is unknown
        target = min(p for p in passed if p is not None) + 1
        if self.pruned_below is None:
            oldest = await self._store.outbox_after(0, 1)
            self.pruned_below = oldest[0][0] if oldest else target
        pruned = 0
        while target - self.pruned_below >= every:
            below = min(target, self.pruned_below + PRUNE_STEP)
            pruned += await self._store.prune_outbox(below)
            self.pruned_below = below
            every = 1  # the rest of the way, now that it has begun
        return pruned

    async def stop(self) -> None:
        """Cancel every task and wait for it; harmless when already stopped."""
        tasks, self._tasks = self._tasks, []
        audit, self._audit_writer = self._audit_writer, None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for status in self.statuses():
            status.state = LinkState.STOPPED
        if audit is not None:  # what the links refused is written before the worker stops
            await audit.aclose()

    async def __aenter__(self) -> SyncWorker:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _record(self, event: SecurityEvent) -> None:
        self.security_events.append(event)
        log_security_event(event)
        self.audit.record(
            AuditEntry(
                AuditKind.GUARD_REFUSAL,
                f"link:{event.link}",
                event.refusal.value,
                subject=event.resource_code,
                detail={"event": event.event_id, "reason": event.reason[:1000]},
                at=event.at,
            )
        )

    def _relay(self, relay: Relay) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if self._create_topics:
                await create_topics(self._log, [relay.link])
            await relay.run(self._idle)

        return run

    def _spawn(self, status: LinkStatus, run: Callable[[], Awaitable[None]]) -> None:
        name = f"mulu-sync {status.side.value} {status.link}"
        self._tasks.append(asyncio.create_task(self._supervise(status, run), name=name))

    async def _supervise(self, status: LinkStatus, run: Callable[[], Awaitable[None]]) -> None:
        delay = self._backoff.initial
        while True:
            try:
                await run()
            except (SyncError, CatalogError) as exc:
                retriable = exc.retriable
                error: BaseException = exc
            except Exception as exc:  # a bug must not stop the other links, nor this one
                retriable = False
                error = exc
            if status.state is LinkState.RUNNING:  # it worked for a while: start over
                delay = self._backoff.initial
            status.failed(error)
            _log.warning(
                "sync link failed; retrying",
                extra={
                    "link": status.link,
                    "side": status.side.value,
                    "error": status.last_error,
                    "retriable": retriable,
                },
                exc_info=None if isinstance(error, SyncError | CatalogError) else error,
            )
            # Its traceback holds the frames that failed, and with them the batch they read:
            # let it go before the pause, up to `Backoff.maximum` long.
            del error
            pause = delay if retriable else self._backoff.maximum
            await asyncio.sleep(pause)
            delay = min(delay * 2, self._backoff.maximum)
