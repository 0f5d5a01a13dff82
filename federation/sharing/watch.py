"""`OverdueWatch`: flags each answer, delivery and objection the moment it falls overdue.

The rules:

1. Every `interval` seconds the watch asks the instance's `Sharing.overdue` (the clocks of the
   rulebook in force, on the working calendar; provisional ones counted again) and records
   each clock newly past due as an audit record — kind SHARE_REQUEST or OBJECTION, action
   ``overdue``, the actor the instance, the detail naming the clock, the department late, the
   due date, how many working days late and whether that rests on a provisional year.
2. A clock is flagged once: the watch reads the flags already in the log when it starts, and
   remembers those it writes. A clock restarted with a new due date (a dispute decided, say)
   is a new clock.
3. The record is durable and, like every step, published on the instance's sharing topic by
   the events reader (`federation.sharing.events`): departments' systems hear of it.
4. A failure to read or write is logged and tried again at the next look; the watch never
   stops the instance.

    async with OverdueWatch(sharing, store, instance="510100/intranet").running():
        ...
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from graph.audit.records import AuditEntry, AuditFilter, AuditKind
from graph.background import periodic
from graph.errors import CatalogError
from graph.sharing.overdue import Overdue, OverdueKind
from graph.sharing.service import Sharing
from graph.store import CatalogStore

__all__ = ["OverdueWatch"]

_log = logging.getLogger("mulu.sharing")
_KINDS = AuditFilter(kinds=frozenset({AuditKind.SHARE_REQUEST, AuditKind.OBJECTION}))
_PAGE = 2_000
ACTION = "overdue"


def _key(kind: str, id: str, due: str) -> tuple[str, str, str]:
    return kind, id, due


class OverdueWatch:
    def __init__(
        self,
        sharing: Sharing,
        store: CatalogStore,
        *,
        instance: str,
        interval: float = 600.0,
        first_after: float = 60.0,
    ) -> None:
        self._sharing = sharing
        self._store = store
        self._instance = instance
        self._interval = interval
        self._first_after = first_after
        self._flagged: set[tuple[str, str, str]] | None = None

    async def _read_flags(self) -> set[tuple[str, str, str]]:
        flagged: set[tuple[str, str, str]] = set()
        after = 0
        while True:
            records = await self._store.audit_records(after, _PAGE, _KINDS)
            for record in records:
                entry = record.entry
                if entry.action == ACTION and entry.actor == self._instance:
                    detail = entry.detail
                    flagged.add(
                        _key(str(detail.get("clock")), str(entry.subject), str(detail.get("due")))
                    )
            if len(records) < _PAGE:
                return flagged
            after = records[-1].seq

    async def look(self) -> list[Overdue]:
        """Flag what fell overdue since the last look (rule 1); what was flagged now."""
        if self._flagged is None:
            self._flagged = await self._read_flags()
        new = []
        for item in await self._sharing.overdue():
            key = _key(item.kind.value, item.id, item.due.date.isoformat())
            if key not in self._flagged:
                new.append((key, item))
        if new:
            await self._store.append_audit([self._entry(item) for _, item in new])
            self._flagged.update(key for key, _ in new)
        return [item for _, item in new]

    def _entry(self, item: Overdue) -> AuditEntry:
        objection = item.kind is OverdueKind.OBJECTION
        return AuditEntry(
            AuditKind.OBJECTION if objection else AuditKind.SHARE_REQUEST,
            self._instance,
            ACTION,
            subject=item.id,
            detail={
                "resource_code": item.resource_code,
                "clock": item.kind.value,
                "department": item.department,
                "due": item.due.date.isoformat(),
                "working_days_late": item.working_days_late,
                "provisional": item.provisional,
            },
        )

    async def _round(self) -> None:
        try:
            await self.look()
        except CatalogError as exc:
            _log.warning("overdue clocks not looked at", extra={"error": str(exc)})

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[OverdueWatch]:
        """Look every `interval` seconds, the first time `first_after` seconds after start (an
        instance starting has other reads to make first); a look under way when the context
        exits is finished, not cut (`graph.background`)."""
        name = f"overdue watch {self._instance}"
        async with periodic(name, self._round, every=self._interval, first_after=self._first_after):
            yield self
