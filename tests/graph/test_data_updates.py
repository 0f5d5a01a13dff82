"""Data updates (graph.sharing.data_updates): the provider records when an entry's data was
brought up to date, and "overdue for update" is judged on it — the data, not the catalog entry
(national 第二十四条(三), Kunming 第四十条(三): 未及时更新数据; Kunming 第十八条: within 5
working days). The rules of who and when; both stores hold them alike (one a day, the history
kept, the last on a day); the statistics and the 整改清单 judge the last one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from graph import Actor, CatalogStore, InvalidValue, LifecycleState, NotPermitted, Role
from graph.audit import AuditEntry, AuditFilter, AuditKind
from graph.enums import UpdateCycle
from graph.sharing import STATE_COUNCIL_2025, DataUpdate, Sharing, rulebook_named
from graph.sharing.data_updates import data_update
from graph.sharing.rectification import RectificationKind, rectification_list
from graph.sharing.standing import update_due
from graph.sharing.statistics import Period, sharing_statistics
from graph.snapshot import resource_to_json
from tests.graph.entries import resource
from tests.graph.sharing_data import CALENDAR, PROVIDER, REQUESTER, at

CODE = "301001001/000010"
KUNMING = rulebook_named("state-council-2025", ["kunming"])


def monthly(**overrides: object) -> object:
    """A published MONTHLY entry of the 成都市公安局, last changed on 2026-01-05."""
    fields = {
        "update_cycle": UpdateCycle.MONTHLY,
        "updated_at": datetime(2026, 1, 5, 2, tzinfo=UTC),
        "state": LifecycleState.PUBLISHED,
        **overrides,
    }
    return resource(CODE, **fields)


def update(on: date, note: str | None = None, recorded: datetime | None = None) -> DataUpdate:
    return DataUpdate(CODE, on, PROVIDER.department_code, recorded or at(2026, 12, 1), note)


def audit(on: date) -> AuditEntry:
    return AuditEntry(
        AuditKind.DATA_UPDATE,
        PROVIDER.department_code,
        "record data update",
        subject=CODE,
        detail={"updated_on": on.isoformat()},
        at=at(2026, 12, 1),
    )


# -- who and when (rules 1, 2) ------------------------------------------------------------------
def test_only_the_providing_department_records_an_update_of_its_published_entry() -> None:
    entry = monthly()
    made = data_update(entry, PROVIDER, date(2026, 3, 1), "全量刷新", at(2026, 3, 2))  # type: ignore[arg-type]
    assert (made.resource_code, made.updated_on, made.note) == (CODE, date(2026, 3, 1), "全量刷新")
    for actor in (
        REQUESTER,
        Actor(PROVIDER.department_code, Role.REVIEWER),
        Actor(PROVIDER.department_code, Role.SYNC),
    ):
        with pytest.raises(NotPermitted):
            data_update(entry, actor, date(2026, 3, 1), None, at(2026, 3, 2))  # type: ignore[arg-type]
    draft = monthly(state=LifecycleState.DRAFT, history=())
    with pytest.raises(InvalidValue) as refused:
        data_update(draft, PROVIDER, date(2026, 3, 1), None, at(2026, 3, 2))  # type: ignore[arg-type]
    assert refused.value.field == "resource_code"


@pytest.mark.parametrize(
    ("on", "note", "field"),
    [
        (date(2026, 3, 3), None, "updated_on"),  # after the (Beijing) day it is recorded
        (date(1999, 12, 31), None, "updated_on"),
        (datetime(2026, 3, 1, tzinfo=UTC), None, "updated_on"),  # an instant, not a date
        (date(2026, 3, 1), "长" * 501, "note"),
    ],
)
def test_an_update_is_a_day_already_past_with_a_bounded_note(
    on: date, note: str | None, field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        DataUpdate(CODE, on, PROVIDER.department_code, at(2026, 3, 2), note)
    assert refused.value.field == field


# -- the stores (rules 3, 4, 5) -------------------------------------------------------------------
async def test_one_a_day_the_history_kept_and_the_last_on_a_day(store: CatalogStore) -> None:
    await store.record_data_update(update(date(2026, 11, 2), "第一次"), audit(date(2026, 11, 2)))
    await store.record_data_update(update(date(2026, 11, 20)), audit(date(2026, 11, 20)))
    # The same day again replaces its note; an earlier day (a late report) is kept as well.
    await store.record_data_update(update(date(2026, 11, 2), "更正"), audit(date(2026, 11, 2)))
    await store.record_data_update(update(date(2026, 10, 9)), audit(date(2026, 10, 9)))
    assert await store.last_data_updates([CODE, "301001001/000404"]) == {
        CODE: update(date(2026, 11, 20))
    }
    on_day = await store.last_data_updates([CODE], date(2026, 11, 19))
    assert on_day == {CODE: update(date(2026, 11, 2), "更正")}
    assert await store.last_data_updates([CODE], date(2026, 10, 8)) == {}
    assert await store.last_data_updates([]) == {}
    records = await store.audit_records(
        0, 10, AuditFilter(kinds=frozenset({AuditKind.DATA_UPDATE}))
    )
    assert [r.entry.detail["updated_on"] for r in records] == [
        "2026-11-02",
        "2026-11-20",
        "2026-11-02",
        "2026-10-09",
    ]


async def test_a_data_update_never_reaches_the_entry_nor_its_outbox(store: CatalogStore) -> None:
    entry = monthly()
    await store.save(entry, None)  # type: ignore[arg-type]
    outbox = await store.outbox_after(0, 100)
    await store.record_data_update(update(date(2026, 11, 2)), audit(date(2026, 11, 2)))
    held = await store.get(CODE)
    assert held == entry
    assert held is not None
    assert "2026-11-02" not in resource_to_json(held)
    assert await store.outbox_after(0, 100) == outbox


# -- judged on the data (standing rule 3) ---------------------------------------------------------
def test_due_counts_from_the_last_data_update_where_one_was_recorded() -> None:
    entry = monthly()
    # None recorded: the entry's last change (2026-01-05) + a month + 15 working days.
    fallback = update_due(entry, CALENDAR, STATE_COUNCIL_2025)  # type: ignore[arg-type]
    assert fallback is not None
    assert fallback.date == CALENDAR.add_working_days(date(2026, 2, 5), 15).date
    # Recorded on 2026-03-10: due a month and 15 working days after that.
    due = update_due(entry, CALENDAR, STATE_COUNCIL_2025, None, date(2026, 3, 10))  # type: ignore[arg-type]
    assert due is not None
    assert due.date == CALENDAR.add_working_days(date(2026, 4, 10), 15).date
    # Kunming 第十八条: the data within 5 working days, where its rules are in force.
    kunming = update_due(entry, CALENDAR, KUNMING, None, date(2026, 3, 10))  # type: ignore[arg-type]
    assert kunming is not None
    assert kunming.date == CALENDAR.add_working_days(date(2026, 4, 10), 5).date


async def test_a_recorded_update_takes_an_entry_off_the_rectification_list(
    store: CatalogStore,
) -> None:
    clock = [at(2026, 1, 5)]
    entry = monthly()
    await store.save(entry, None)  # type: ignore[arg-type]
    sharing = Sharing(store, CALENDAR, STATE_COUNCIL_2025, lambda: clock[0])
    day = date(2026, 6, 30)

    async def overdue_updates() -> list[str]:
        todo = await rectification_list(store, CALENDAR, STATE_COUNCIL_2025, day)
        return [i.resource_code for i in todo if i.kind is RectificationKind.UPDATE]

    async def counted() -> int:
        stats = await sharing_statistics(
            store, CALENDAR, STATE_COUNCIL_2025, Period.year(2026), as_of=day
        )
        return stats.total.updates_overdue

    assert await overdue_updates() == [CODE]  # changed in January, monthly: long overdue
    assert await counted() == 1
    clock[0] = at(2026, 6, 20)
    made = await sharing.record_data_update(PROVIDER, CODE, date(2026, 6, 19), "月度更新")
    assert made.updated_on == date(2026, 6, 19)
    assert await overdue_updates() == []
    assert await counted() == 0
    # Judged on a day before the update was made, it was still overdue then.
    earlier = await rectification_list(store, CALENDAR, STATE_COUNCIL_2025, date(2026, 6, 1))
    assert [i.resource_code for i in earlier if i.kind is RectificationKind.UPDATE] == [CODE]
    with pytest.raises(NotPermitted):
        await sharing.record_data_update(REQUESTER, CODE, date(2026, 6, 19))
