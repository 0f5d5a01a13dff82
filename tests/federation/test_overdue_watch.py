"""The overdue watch (federation.sharing.watch): a clock that falls past due is flagged once,
as an audit record the sharing topic carries — with a frozen clock, on both stores. The
conditional answer is due in 10 working days (national 第十二条; 《政务数据共享条例》)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from federation.sharing.watch import OverdueWatch
from graph import Actor, CatalogStore
from graph.audit.records import AuditFilter, AuditKind
from graph.sharing import STATE_COUNCIL_2025, Sharing, WorkingCalendar
from graph.sharing.overdue import OverdueKind
from tests.federation.catalog import FLOATING
from tests.graph.entries import MARKET
from tests.graph.sharing_data import application


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


async def test_a_clock_past_due_is_flagged_once_and_for_good(store: CatalogStore) -> None:
    clock = Clock(datetime(2026, 9, 30, 2, tzinfo=UTC))  # 10:00 in Beijing, before 国庆节
    sharing = Sharing(store, WorkingCalendar.official(), STATE_COUNCIL_2025, clock)
    entry = await store.get(FLOATING)
    assert entry is not None
    made = await sharing.request(Actor(MARKET.code), application(entry))
    assert made.answer_due is not None
    watch = OverdueWatch(sharing, store, instance=store.catalog.id)
    assert await watch.look() == []  # not due yet

    clock.now = datetime(2026, 11, 2, 2, tzinfo=UTC)  # well past the 10 working days
    (late,) = await watch.look()
    assert (late.kind, late.id) == (OverdueKind.ANSWER, made.id)
    assert await watch.look() == []  # flagged once
    # A watch started anew (the instance restarted) reads the flags already written.
    assert await OverdueWatch(sharing, store, instance=store.catalog.id).look() == []

    flags = [
        r.entry
        for r in await store.audit_records(0, 100, AuditFilter(kinds={AuditKind.SHARE_REQUEST}))
        if r.entry.action == "overdue"
    ]
    assert [(f.subject, f.actor) for f in flags] == [(made.id, store.catalog.id)]
    assert flags[0].detail["clock"] == "ANSWER"
    assert flags[0].detail["due"] == made.answer_due.date.isoformat()
    assert flags[0].detail["department"] == entry.provider_code
