"""Sharing events: each step of a share request or an objection, published for departments'
systems on a topic of the instance's change log — ``mulu.<instance>.sharing``
(``mulu.510100-intranet.sharing``).

The rules:

1. The audit log is the events' outbox. Every step is recorded there in the transaction of the
   step (`graph.sharing.Sharing`), so a step that failed has no record and publishes nothing,
   and a step that committed has one, whatever happens to the process after.
2. A reader tails the log's SHARE_REQUEST and OBJECTION records and appends one event per
   record, in the log's order, then moves its position (kept in the store as the reader
   ``sharing-events``, `CatalogStore.set_outbox_position`). At least once, across restarts
   and crashes: a reader that dies between appending and moving its position appends those
   events again — a consumer reads the `version` (and the audit `seq`) to tell. An append that
   fails is tried again (backoff 0.2 s to 30 s) and nothing is skipped; a log down for days
   costs nothing but the delay, and memory holds one batch at most.
3. Not the store's outbox: the sync's relays read that outbox and send every record on a
   link; these events are for departments, not for other instances, and never cross a link.
4. A record is keyed by the request's or objection's id, its value a JSON object (`event`):
   ``{"type": "share_request" | "objection", "id", "resource_code", "provider_code",
   "party", "action", "state", "actor", "version", "at", "instance", "seq"}``. The topic is
   compacted by key like every topic of the log: read from the start it holds each request's
   and objection's last step.
5. The reader waits for word, never polls: `publish` (a step just committed) wakes it at
   once, and the store's signal (`graph.outbox.OutboxSignal`, told of every commit — of
   another process's too where the store watches its file) a `SETTLE_SECONDS` after its last
   look at the soonest: most commits are the sync's, not a step's, and a store applying copies
   commits many times a second (each woke a read of the audit log: a thousand a minute in
   `mulu demo`). Without either it looks every `poll_seconds` all the same (the signal's
   `idle_limit`: a minute on the embedded store, 5 s on Neo4j).

    async with SharingEvents("510100/intranet", log, store) as events:
        events.publish(request)  # after the step committed
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from graph.audit.records import AuditFilter, AuditKind, AuditRecord
from graph.background import Periodic, periodic
from graph.sharing import Objection, ShareRequest
from graph.store import CatalogStore
from sync.log.protocol import ChangeLog

__all__ = ["READER", "SETTLE_SECONDS", "SharingEvents", "event_of", "sharing_topic"]

READER = "sharing-events"  # the reader's name in the store's table of positions
BATCH = 500
# How soon after a look the store's signal may start the next (rule 5).
SETTLE_SECONDS = 1.0
_INITIAL, _MAXIMUM = 0.2, 30.0
_KINDS = AuditFilter(kinds=frozenset({AuditKind.SHARE_REQUEST, AuditKind.OBJECTION}))
_log = logging.getLogger("mulu.sharing")


def sharing_topic(instance: str) -> str:
    """``510100/intranet`` → ``mulu.510100-intranet.sharing``."""
    return f"mulu.{instance.replace('/', '-')}.sharing"


def event_of(
    record: AuditRecord, item: ShareRequest | Objection | None, instance: str
) -> tuple[str, bytes]:
    """The record (key, value) telling of the step `record` recorded (rule 4); `item` is the
    request or objection as held now (None if it is no longer held: its parties unknown)."""
    entry = record.entry
    is_request = entry.kind is AuditKind.SHARE_REQUEST
    party: str | None = None
    if isinstance(item, ShareRequest):
        party = item.requester_code
    elif isinstance(item, Objection):
        party = item.reporter
    body: dict[str, Any] = {
        "type": "share_request" if is_request else "objection",
        "id": entry.subject,
        "resource_code": entry.detail.get("resource_code"),
        "provider_code": item.provider_code if item is not None else None,
        "party": party,
        "action": entry.action,
        "state": entry.detail.get("state_after"),
        "actor": entry.actor,
        "version": entry.version_after,
        "at": entry.at.isoformat(),
        "instance": instance,
        "seq": record.seq,
    }
    return str(entry.subject), json.dumps(body, ensure_ascii=False, sort_keys=True).encode()


class SharingEvents:
    """The publisher of one instance's sharing events on `log`, read from `store`'s audit log
    (the module's rules)."""

    def __init__(
        self,
        instance: str,
        log: ChangeLog,
        store: CatalogStore,
        *,
        poll_seconds: float | None = None,
        drain_seconds: float = 5.0,
    ) -> None:
        self.instance = instance
        self.topic = sharing_topic(instance)
        self._log = log
        self._store = store
        self._poll = store.outbox_signal.idle_limit if poll_seconds is None else poll_seconds
        self._drain_seconds = drain_seconds
        self._stack: contextlib.AsyncExitStack | None = None
        self._handle: Periodic | None = None
        self._created = False
        self._position: int | None = None  # the store's, as last read or set
        self._pause = _INITIAL
        self._retry_at = 0.0
        self._closed = False
        self.published = 0

    async def __aenter__(self) -> SharingEvents:
        if self._stack is not None or self._closed:
            raise RuntimeError("SharingEvents is opened once; build a new one")
        self._stack = contextlib.AsyncExitStack()
        self._handle = await self._stack.enter_async_context(
            periodic(
                f"sharing events {self.instance}",
                self._round,
                every=self._poll,
                wake_on=self._store.outbox_signal.waiter,
                settle=SETTLE_SECONDS,
            )
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Finish the round under way, publish what is recorded (for at most
        `drain_seconds`), then stop; what is left is published by the next reader (rule 2).
        Closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        stack, self._stack, self._handle = self._stack, None, None
        if stack is None:
            return
        await stack.aclose()
        with contextlib.suppress(Exception):  # a log or store down: the next reader goes on
            async with asyncio.timeout(self._drain_seconds):
                while await self._publish_batch():
                    pass

    def publish(self, item: ShareRequest | Objection | None = None) -> None:
        """A step just committed: look now rather than at the next poll (rule 5)."""
        if self._handle is not None:
            self._handle.wake()

    async def _round(self) -> float | None:
        """Publish every record not yet published; a failure is tried again after a pause
        that doubles (0.2 s to 30 s), nothing skipped. The pause before the next round (None:
        until woken, or `poll_seconds`)."""
        loop = asyncio.get_running_loop()
        if loop.time() < self._retry_at:
            return self._retry_at - loop.time()  # woken early: the pause still holds
        try:
            if not self._created:
                await self._log.create_topic(self.topic)
                self._created = True
            while await self._publish_batch():
                pass
        except Exception as exc:  # a log or store error: tried again, nothing skipped
            _log.warning(
                "sharing events not appended; retrying",
                extra={"topic": self.topic, "error": repr(exc), "pause": self._pause},
            )
            pause, self._retry_at = self._pause, loop.time() + self._pause
            self._pause = min(self._pause * 2, _MAXIMUM)
            return pause
        self._pause = _INITIAL
        return None

    async def _publish_batch(self) -> int:
        """Append the events of the next batch of records; how many."""
        if self._position is None:  # read once; this reader alone moves it afterwards
            self._position = await self._store.outbox_position(READER)
        records = await self._store.audit_records(self._position, BATCH, _KINDS)
        if not records:
            return 0
        items = await self._items(records)
        batch = [event_of(r, items.get(str(r.entry.subject)), self.instance) for r in records]
        await self._log.append(self.topic, batch)
        await self._store.set_outbox_position(READER, records[-1].seq)
        self._position = records[-1].seq
        self.published += len(batch)
        return len(batch)

    async def _items(self, records: Sequence[AuditRecord]) -> dict[str, ShareRequest | Objection]:
        def ids(kind: AuditKind) -> list[str]:
            return sorted({str(r.entry.subject) for r in records if r.entry.kind is kind})

        requests, objections = ids(AuditKind.SHARE_REQUEST), ids(AuditKind.OBJECTION)
        found: dict[str, ShareRequest | Objection] = {}
        if requests:
            found.update(await self._store.share_requests(requests))
        if objections:
            found.update(await self._store.objections(objections))
        return found
