"""`AuditSink`: records of what changed nothing — refusals, failed authentication, a guard's
refusal at a link — written in batches by one task.

The rules: `record` never blocks its caller and never raises; entries are written in the order
handed over, at most `batch` per transaction; past `capacity` waiting entries, what cannot be
kept is counted by kind and actor and written as one record saying how many (a flood of
refused calls is recorded as a flood, and stalls no one); a store that fails is tried again
and nothing waiting is dropped; on exit what is left is written.

    sink = AuditSink(store)
    async with sink.running():
        sink.record(AuditEntry(AuditKind.AUTHORISATION_REFUSED, "anonymous", "createDraft"))
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator

from graph.audit.records import AuditEntry, AuditKind
from graph.background import UNTIL_WOKEN, Periodic, periodic
from graph.errors import CatalogError
from graph.store import CatalogStore

__all__ = ["AuditSink"]

_log = logging.getLogger("mulu.audit")

CAPACITY = 10_000  # records waiting, at most
BATCH = 500  # records per transaction, at most
RETRY_SECONDS = 1.0


class AuditSink:
    """Writes the entries it is handed to `store`'s audit log, in order, `BATCH` at a time."""

    def __init__(
        self, store: CatalogStore, *, capacity: int = CAPACITY, batch: int = BATCH
    ) -> None:
        self._store = store
        self._capacity = capacity
        self._batch = batch
        self._waiting: list[AuditEntry] = []
        self._lost: Counter[tuple[AuditKind, str]] = Counter()
        self._handle: Periodic | None = None
        self.written = 0
        self.not_kept = 0  # entries counted in a summary rather than recorded one by one

    def record(self, entry: AuditEntry) -> None:
        """Hand `entry` over to be written; never blocks, never raises."""
        if len(self._waiting) >= self._capacity:
            self._lost[(entry.kind, entry.actor)] += 1
            self.not_kept += 1
        else:
            self._waiting.append(entry)
        if self._handle is not None:
            self._handle.wake()

    @property
    def pending(self) -> int:
        return len(self._waiting) + (1 if self._lost else 0)

    async def flush(self) -> None:
        """Write everything handed over so far (a summary of what was not kept included)."""
        while self._waiting or self._lost:
            batch = self._waiting[: self._batch]
            taken = len(batch)
            lost = Counter(self._lost) if taken < self._batch else Counter()
            if lost:
                batch = [*batch, _summary(lost)]
            await self._store.append_audit(batch)
            del self._waiting[:taken]
            self._lost -= lost  # what was lost while writing stays for the next summary
            self.written += len(batch)

    async def _round(self) -> float:
        """Write what waits; the pause before the next round: none until an entry is handed
        over, `RETRY_SECONDS` after a failed write."""
        try:
            await self.flush()
        except CatalogError as exc:  # the store is down: the entries kept, tried again
            _log.warning("audit records not written yet", extra={"error": str(exc)})
            return RETRY_SECONDS
        return UNTIL_WOKEN

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[AuditSink]:
        """Write what is handed over, as it comes (a failed write again every
        `RETRY_SECONDS`), for the life of the context; idle, it waits without a timer. A write
        under way at exit is finished, then what is left is written (`graph.background`)."""
        async with periodic("audit sink", self._round, every=RETRY_SECONDS) as handle:
            self._handle = handle
            try:
                yield self
            finally:
                self._handle = None
        try:
            await self.flush()
        except CatalogError as exc:
            _log.error(
                "audit records lost at shutdown",
                extra={"count": self.pending, "error": str(exc)},
            )


def _summary(lost: Counter[tuple[AuditKind, str]]) -> AuditEntry:
    """One record for the entries not kept one by one: how many of each kind, from whom (the
    20 largest sources, so that the detail stays small)."""
    detail: dict[str, str | int | bool | None] = {
        f"{kind.value} {actor}"[:120]: count for (kind, actor), count in lost.most_common(20)
    }
    detail["total"] = sum(lost.values())
    kinds = {kind for kind, _ in lost}
    kind = kinds.pop() if len(kinds) == 1 else AuditKind.AUTHORISATION_REFUSED
    return AuditEntry(kind, "instance", "not recorded one by one", detail=detail)
