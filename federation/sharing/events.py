"""Sharing events: each step of a share request or an objection, published for departments'
systems on a topic of the instance's change log — ``mulu.<instance>.sharing``
(``mulu.510100-intranet.sharing``).

The rules:

1. An event is published after its step committed, never before: the step (and its audit
   records) is the store's, the event only tells of it. A step that failed publishes nothing.
2. At least once while the instance runs: `publish` queues the event and returns; a task
   appends the queue to the log in order, and an append that fails is tried again (backoff
   from 0.2 s to 30 s) until it succeeds — a consumer may see an event twice, and reads the
   request's `version` to tell. On stop the queue is drained for at most `drain_seconds`;
   what is still queued then is logged, by id, and lost to the topic (the audit log and the
   request itself keep the step). Bounded: at most `MAX_QUEUED` events wait; past that a new
   one is dropped and logged, so a log down for days never exhausts memory.
3. Not the store's outbox: the sync's relays read that outbox and send every record on a
   link; these events are for departments, not for other instances, and never cross a link.
4. A record is keyed by the request's or objection's id, its value a JSON object (`event`):
   ``{"type": "share_request" | "objection", "id", "resource_code", "provider_code",
   "party", "action", "state", "actor", "version", "at", "instance"}``. The topic is
   compacted by key like every topic of the log: read from the start it holds each request's
   and objection's last step.

    async with SharingEvents("510100/intranet", log) as events:
        events.publish(event_of(request))
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from types import TracebackType
from typing import Any

from graph.sharing import Objection, ShareRequest
from sync.log.protocol import ChangeLog

__all__ = ["MAX_QUEUED", "SharingEvents", "event_of", "sharing_topic"]

MAX_QUEUED = 10_000
_INITIAL, _MAXIMUM = 0.2, 30.0
_log = logging.getLogger("mulu.sharing")


def sharing_topic(instance: str) -> str:
    """``510100/intranet`` → ``mulu.510100-intranet.sharing``."""
    return f"mulu.{instance.replace('/', '-')}.sharing"


def event_of(item: ShareRequest | Objection, instance: str) -> tuple[str, bytes]:
    """The record (key, value) telling of `item`'s last step at `instance` (rule 4)."""
    step = item.history[-1]
    is_request = isinstance(item, ShareRequest)
    body: dict[str, Any] = {
        "type": "share_request" if is_request else "objection",
        "id": item.id,
        "resource_code": item.resource_code,
        "provider_code": item.provider_code,
        "party": item.requester_code if isinstance(item, ShareRequest) else item.reporter,
        "action": step.action.value,
        "state": item.state.value,
        "actor": step.actor,
        "version": item.version,
        "at": step.at.isoformat(),
        "instance": instance,
    }
    return item.id, json.dumps(body, ensure_ascii=False, sort_keys=True).encode()


class SharingEvents:
    """The publisher of one instance's sharing events on `log` (the module's rules)."""

    def __init__(self, instance: str, log: ChangeLog, *, drain_seconds: float = 5.0) -> None:
        self.instance = instance
        self.topic = sharing_topic(instance)
        self._log = log
        self._drain_seconds = drain_seconds
        self._queue: deque[tuple[str, bytes]] = deque()
        self._ready = asyncio.Event()
        self._drained = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    async def __aenter__(self) -> SharingEvents:
        if self._task is not None or self._closed:
            raise RuntimeError("SharingEvents is opened once; build a new one")
        self._task = asyncio.create_task(self._run(), name=f"sharing events {self.instance}")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Drain what is queued (bounded), then stop; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        task, self._task = self._task, None
        if task is None:
            return
        self._ready.set()
        if self._queue:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._drain_seconds):
                    await self._drained.wait()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for key, _ in self._queue:
            _log.warning("sharing event not published", extra={"id": key, "topic": self.topic})
        self._queue.clear()

    def publish(self, item: ShareRequest | Objection) -> None:
        """Queue the event of `item`'s last step (rule 2); never waits, never fails."""
        if self._closed:
            _log.warning("sharing event after stop", extra={"id": item.id, "topic": self.topic})
            return
        if len(self._queue) >= MAX_QUEUED:
            # The waiting ones may be in flight: the new one is the one left out.
            _log.error("sharing event dropped", extra={"id": item.id, "topic": self.topic})
            return
        self._queue.append(event_of(item, self.instance))
        self._drained.clear()
        self._ready.set()

    @property
    def queued(self) -> int:
        return len(self._queue)

    async def _run(self) -> None:
        created = False
        pause = _INITIAL
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._queue:
                batch = list(self._queue)
                try:
                    if not created:
                        await self._log.create_topic(self.topic)
                        created = True
                    await self._log.append(self.topic, batch)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # any log error: retried, the events kept (rule 2)
                    _log.warning(
                        "sharing events not appended; retrying",
                        extra={"topic": self.topic, "error": repr(exc), "pause": pause},
                    )
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, _MAXIMUM)
                    continue
                pause = _INITIAL
                for _ in batch:
                    self._queue.popleft()
            self._drained.set()
