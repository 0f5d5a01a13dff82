"""The target side of a link: read the link's topic, apply, then commit (DESIGN "Instances and
sync", points 3, 4 and 7).

A `LinkConsumer` reads one lane of a link: its topic, or with `urgent` its urgent lane
(`Link.urgent_topic`: what takes something away from the target, read by a consumer of its
own so that it never waits behind the backlog). It reads a batch (`getmany`), applies it
(`sync.apply`: the target's guard, newest-wins, one store transaction per batch with its
outbox records), writes what was refused to the link's dead-letter topic, and only then
commits the batch's offsets; running, it reads and checks the next batch while the store
writes one. Killed before the commit, it reads the batch again and applies nothing twice
(the versions are already held: STALE). A group that never committed starts at the
beginning of the compacted topic, which is how a new instance bootstraps to its source's
state.

    consumer = LinkConsumer(store, log, link)
    async with consumer.reading() as reader:
        await consumer.consume_once(reader)
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import TypeVar

from graph.store import CatalogStore
from sync.apply import (
    DEFAULT_BATCH_SIZE,
    ApplyReport,
    PreparedBatch,
    prepare_batch,
    store_batch,
)
from sync.errors import InvalidLink, LogUnavailable
from sync.links import Link
from sync.log.protocol import ChangeLog, LogReader, Record
from sync.relay import SEEDED, UNFORWARDED
from sync.security import OnSecurityEvent, dead_letter, log_security_event, send_dead_letters
from sync.status import LinkStatus, Side

__all__ = ["STALL_SECONDS", "LinkConsumer", "bounded"]

T = TypeVar("T")

# The lag is asked of the log at most this often (it costs Kafka two requests); while none was
# waiting at the last look and none arrives, only every `_IDLE_LAG_EVERY_SECONDS` — and never
# of a reader that cannot stall (`LogReader.stalls`), whose wait any append ends: an idle
# consumer then waits in one read of `_IDLE_WAIT_SECONDS` without asking anything.
_LAG_EVERY_SECONDS = 1.0
_IDLE_LAG_EVERY_SECONDS = 10.0
_IDLE_WAIT_SECONDS = 60.0
# A reader that returns nothing for this long while the topic holds more is started afresh:
# after a broker restart, a client can keep waiting on a connection that will never answer.
STALL_SECONDS = 10.0


class LinkConsumer:
    """The consumer of one link whose target is `store`'s instance."""

    def __init__(
        self,
        store: CatalogStore,
        log: ChangeLog,
        link: Link,
        *,
        group: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        timeout_ms: int = 200,
        on_security_event: OnSecurityEvent = log_security_event,
        forward: bool = True,
        writers: int = 1,
        urgent: bool = False,
    ) -> None:
        if store.catalog.id != link.target:
            raise InvalidLink(f"link {link.id} delivers to {link.target}, not {store.catalog.id}")
        self._store = store
        self._log = log
        self._link = link
        self._topic = link.urgent_topic if urgent else link.topic
        if group is None:
            group = link.urgent_group if urgent else link.group
        elif urgent:
            group = f"{group}.urgent"
        self._group = group
        self._batch_size = batch_size
        self._timeout_ms = timeout_ms
        self._on_security_event = on_security_event
        self._forward = forward
        self._said_unforwarded = False  # UNFORWARDED is in the store (sync.relay)
        if writers < 1:
            raise ValueError(f"writers must be at least 1, not {writers}")
        self._writers = writers
        self._lag_at = 0.0
        self._progress_at = time.monotonic()
        side = Side.URGENT_CONSUMER if urgent else Side.CONSUMER
        self.status = LinkStatus(link.id, side, self._topic)

    @property
    def link(self) -> Link:
        return self._link

    @property
    def topic(self) -> str:
        """The topic this consumer reads: the link's, or its urgent lane."""
        return self._topic

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[LogReader]:
        async with self._log.reader(self._topic, self._group) as reader:
            yield reader

    async def consume_once(self, reader: LogReader) -> ApplyReport | None:
        """Apply the next batch and commit it; None when nothing arrived in time."""
        records = await self._read(reader)
        if not records:
            return None
        return await self._finish(reader, records, await self._prepare(records))

    async def run(self) -> None:
        """Consume for ever; errors propagate (the worker retries, from the committed offset).

        Batches go through a pipeline: while the store writes one batch — or, with
        `writers=2`, two in two transactions — the next is read, decoded and checked. Applying
        does not depend on order (newest version wins, a redaction leaves its version behind,
        and a code's lock serialises the writes that meet on it), but commits do: each batch
        commits its offsets only after the batch before it did, so a batch read but not yet
        written when an error stops the consumer is read again from the committed offset."""
        async with self.reading() as reader:
            await self._measure_lag(reader, force=True)
            self.status.succeeded()
            writing: deque[asyncio.Future[ApplyReport]] = deque()
            try:
                while True:
                    if not await self._hand_over(reader, writing):
                        while writing:  # nothing new: let the writes finish and commit
                            await writing.popleft()
                            self.status.succeeded()
            finally:
                for future in writing:
                    future.cancel()
                for future in writing:
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await future

    async def _hand_over(
        self, reader: LogReader, writing: deque[asyncio.Future[ApplyReport]]
    ) -> bool:
        """Read the next batch, prepare it and hand it to a writing future at the end of
        `writing` (once fewer than `writers` are in flight); False when none arrived in time.

        A function of its own so that the batch — its records and prepared events, thousands
        of objects — is referenced by its future alone once handed over: kept in `run`'s
        locals it stayed alive through the next read, a minute long when the link is idle, and
        the collector promoted it to the old generations, which then set off full
        collections."""
        records = await self._read(reader, writing=bool(writing), patient=True)
        if not records:
            return False
        prepared = await self._prepare(records)
        while len(writing) >= self._writers:
            await writing.popleft()
            self.status.succeeded()
        after = writing[-1] if writing else None
        writing.append(asyncio.ensure_future(self._finish(reader, records, prepared, after)))
        return True

    async def _read(
        self, reader: LogReader, *, writing: bool = False, patient: bool = False
    ) -> list[Record]:
        """The next batch, or nothing when none arrived in time (then the lag is measured, and
        a reader that stalled although records wait — none of them being written — is given
        up: `LogUnavailable`). `patient` (the running consumer) and idle — nothing being
        written, nothing known to wait — it waits longer: until the next look at the lag, or,
        on a reader that cannot stall, a minute."""
        idle = patient and not writing and not self.status.lag
        wait_ms = self._timeout_ms
        if idle:
            longest = _IDLE_LAG_EVERY_SECONDS if reader.stalls else _IDLE_WAIT_SECONDS
            wait_ms = max(wait_ms, int(longest * 1000))
        records = await self._bounded(
            reader.getmany(max_records=self._batch_size, timeout_ms=wait_ms),
            "getmany",
            wait_ms,
        )
        now = time.monotonic()
        if records:
            self._progress_at = now
            return records
        if reader.stalls or not idle:
            await self._measure_lag(reader, force=False, idle=not writing)
        if writing or not self.status.lag:
            self._progress_at = now
        elif now - self._progress_at > STALL_SECONDS:
            self._progress_at = now
            raise LogUnavailable(
                f"no record of {self._topic} arrived for {STALL_SECONDS:.0f} s "
                f"although {self.status.lag} wait: reading it again"
            )
        return []

    async def _prepare(self, records: list[Record]) -> PreparedBatch:
        values = [r.value for r in records]
        return await prepare_batch(self._store, values, self._link, forward=self._forward)

    async def _finish(
        self,
        reader: LogReader,
        records: list[Record],
        prepared: PreparedBatch,
        after: asyncio.Future[ApplyReport] | None = None,
    ) -> ApplyReport:
        """Write a prepared batch, dead-letter what was refused, then — once the batch `after`
        committed — commit its offsets."""
        if not self._forward and not self._said_unforwarded:
            # What this batch applies goes into no outbox: a link added from this instance
            # later must send the store's state (sync.relay), said before anything is applied.
            await self._store.set_outbox_seed(UNFORWARDED, SEEDED)
            self._said_unforwarded = True
        report = await store_batch(self._store, prepared)
        if report.security_events:
            payloads = {r.value for r in records}
            dead = []
            for security in report.security_events:
                self._on_security_event(security)
                payload = _payload_of(security.event_id, payloads)
                dead.append(dead_letter(security, Side.CONSUMER, payload))
            append = self._log.append(self._link.dead_letter_topic, dead)
            await send_dead_letters(self._bounded(append, "dead letters"), self.status)
        if after is not None:
            await asyncio.shield(after)  # its failure is this batch's: nothing to commit
        position = records[-1].offset + 1
        await self._bounded(reader.commit(position), "commit")
        self.status.applied += report.applied
        self.status.stale += report.stale
        self.status.refused += report.refused
        self.status.redacted += report.redacted
        self.status.position = position
        await self._measure_lag(reader, force=False)
        return report

    async def _measure_lag(self, reader: LogReader, *, force: bool, idle: bool = False) -> None:
        now = time.monotonic()
        every = _IDLE_LAG_EVERY_SECONDS if idle and not self.status.lag else _LAG_EVERY_SECONDS
        if force or now - self._lag_at >= every:
            self._lag_at = now
            self.status.lag = await self._bounded(reader.lag(), "lag")

    async def _bounded(self, call: Awaitable[T], what: str, wait_ms: int | None = None) -> T:
        """`call`, or `LogUnavailable` after `STALL_SECONDS` beyond the read timeout (`wait_ms`,
        by default the consumer's): a client can wait for ever on a coordinator that a
        restarted broker no longer knows."""
        seconds = STALL_SECONDS + (self._timeout_ms if wait_ms is None else wait_ms) / 1000
        return await bounded(call, seconds, f"{what} on {self._topic}")


async def bounded(call: Awaitable[T], seconds: float, what: str) -> T:
    """`call`'s result, or `LogUnavailable` when it takes longer than `seconds`. It runs as a
    task of its own, cancelled (and not awaited) on time-out: aiokafka may not give up on a
    cancellation promptly, and the caller must not be cancelled in its place."""
    task = asyncio.ensure_future(call)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
    except asyncio.CancelledError:  # the consumer stops: so does its call, before the log closes
        task.cancel()
        task.add_done_callback(_consume_result)
        await asyncio.wait({task}, timeout=seconds)
        raise
    if not done:
        task.cancel()
        task.add_done_callback(_consume_result)
        raise LogUnavailable(f"{what} did not return within {seconds:.0f} s")
    return task.result()


def _consume_result(task: asyncio.Future[T]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not report it as never retrieved


def _payload_of(event_id: str | None, payloads: set[bytes]) -> bytes | None:
    """The bytes of the refused record, found by its event id (None when it had none)."""
    if event_id is None:
        return None
    needle = event_id.encode("ascii", "replace")
    return next((p for p in payloads if needle in p), None)
