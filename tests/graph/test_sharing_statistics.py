"""Statistics of sharing (graph.sharing.statistics, .standing, .rectification): medians and
p95 by their definitions, update cycles against the last update (national 第八条; Kunming
第十五条), entries as their history shows them on a day, and, over a year of sample activity
on every store, figures equal to a recount of what the store holds, as the requests stood on
the day judged, and the rectification list (national 第二十四条)."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from graph import CatalogStore, InvalidValue, LifecycleState, LifecycleStep, UpdateCycle
from graph.dates import beijing_date
from graph.queries import ResourceFilter
from graph.sharing import MEASURES_2016, STATE_COUNCIL_2025, overdue_of
from graph.sharing.rectification import RectificationKind, rectification_list
from graph.sharing.standing import entry_on, request_on, update_due
from graph.sharing.statistics import Period, durations, sharing_statistics
from tests.graph.activity_data import CALENDAR, RULEBOOK, YEAR, load_activity
from tests.graph.entries import POLICE, resource
from tests.graph.test_sample_activity import all_objections, all_requests


@pytest.mark.parametrize(
    ("values", "median", "p95"),
    [
        ([], None, None),
        ([4], 4.0, 4),
        ([1, 3], 2.0, 3),
        ([5, 1, 3], 3.0, 5),
        (list(range(1, 21)), 10.5, 19),  # 95% of 20 is 19 values: the 19th is 19
        (list(range(1, 101)), 50.5, 95),
        ([0] * 99 + [30], 0.0, 0),
    ],
)
def test_median_is_the_middle_and_p95_the_nearest_rank(
    values: list[int], median: float | None, p95: int | None
) -> None:
    found = durations(Counter(values))
    assert (found.count, found.median, found.p95) == (len(values), median, p95)
    if values:
        assert found.median == statistics.median(values)


def updated(on: date, cycle: UpdateCycle) -> object:
    at = datetime(on.year, on.month, on.day, 2, tzinfo=UTC)  # 10:00 in Beijing
    return resource(
        "301001001/000010", update_cycle=cycle, updated_at=at, state=LifecycleState.PUBLISHED
    )


@pytest.mark.parametrize(
    ("cycle", "last", "cycle_end"),
    [
        (UpdateCycle.REALTIME, date(2026, 3, 2), date(2026, 3, 3)),
        (UpdateCycle.DAILY, date(2026, 3, 2), date(2026, 3, 3)),
        (UpdateCycle.WEEKLY, date(2026, 3, 2), date(2026, 3, 9)),
        (UpdateCycle.MONTHLY, date(2026, 1, 31), date(2026, 2, 28)),  # the month's last day
        (UpdateCycle.QUARTERLY, date(2025, 11, 30), date(2026, 2, 28)),
        (UpdateCycle.YEARLY, date(2025, 3, 2), date(2026, 3, 2)),
    ],
)
def test_an_entry_is_due_for_update_15_working_days_after_its_cycle_ends(
    cycle: UpdateCycle, last: date, cycle_end: date
) -> None:
    entry = updated(last, cycle)
    due = update_due(entry, CALENDAR, STATE_COUNCIL_2025)  # type: ignore[arg-type]
    assert due is not None
    assert due.date == CALENDAR.add_working_days(cycle_end, 15).date  # national 第八条
    assert update_due(entry, CALENDAR, MEASURES_2016) == due  # the same 15 days in 2016


def test_an_entry_not_published_is_never_due_for_update() -> None:
    entry = resource("301001001/000010", state=LifecycleState.DRAFT)
    assert update_due(entry, CALENDAR, STATE_COUNCIL_2025) is None


def test_an_entry_is_judged_as_its_history_shows_it_on_the_day() -> None:
    def step(state: LifecycleState, day: date) -> LifecycleStep:
        return LifecycleStep(
            state, POLICE.code, datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
        )

    history = (
        step(LifecycleState.DRAFT, date(2025, 2, 20)),
        step(LifecycleState.SUBMITTED, date(2025, 2, 25)),
        step(LifecycleState.PUBLISHED, date(2025, 3, 2)),
        step(LifecycleState.DRAFT, date(2026, 6, 1)),
        step(LifecycleState.SUBMITTED, date(2026, 6, 1)),
        step(LifecycleState.PUBLISHED, date(2026, 6, 2)),
    )
    entry = resource(
        "301001001/000010",
        update_cycle=UpdateCycle.YEARLY,
        history=history,
        updated_at=history[-1].at,
    )
    assert entry_on(entry, date(2025, 1, 1)) is None  # not yet made
    assert entry_on(entry, date(2025, 12, 31)) == (LifecycleState.PUBLISHED, date(2025, 3, 2))
    assert entry_on(entry, date(2026, 6, 1)) == (LifecycleState.SUBMITTED, date(2026, 6, 1))
    assert entry_on(entry, None) == (LifecycleState.PUBLISHED, date(2026, 6, 2))
    on_2026 = update_due(entry, CALENDAR, STATE_COUNCIL_2025, date(2026, 5, 1))
    assert on_2026 is not None
    assert on_2026.date == CALENDAR.add_working_days(date(2026, 3, 2), 15).date  # late by May
    assert update_due(entry, CALENDAR, STATE_COUNCIL_2025, date(2026, 6, 1)) is None  # under review


def test_a_period_is_refused_backwards_or_longer_than_ten_years() -> None:
    assert Period.year(2026) == Period(date(2026, 1, 1), date(2026, 12, 31))
    assert date(2026, 12, 31) in Period.year(2026)
    with pytest.raises(InvalidValue, match="end"):
        Period(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(InvalidValue, match="ten years"):
        Period(date(2010, 1, 1), date(2026, 1, 1))


async def test_the_figures_of_a_year_equal_a_recount_of_what_the_store_holds(
    store: CatalogStore,
) -> None:
    await load_activity(store, entries=150, requests=60, objections=15)
    stats = await sharing_statistics(store, CALENDAR, RULEBOOK, Period.year(YEAR))
    requests = await all_requests(store)
    objections = await all_objections(store)
    total = stats.total
    assert total.requests_received == len(requests)
    assert total.requests_by_state == {s: 0 for s in total.requests_by_state} | Counter(
        r.state for r in requests
    )
    assert total.objections_received == len(objections)
    assert total.requests_made == len(requests)
    by_provider = Counter(r.provider_code for r in requests)
    for department in stats.departments:
        assert department.requests_received == by_provider[department.code]
    for name in ("requests_received", "requests_answered", "updates_overdue", "overdue_answers"):
        assert getattr(total, name) == sum(getattr(d, name) for d in stats.departments)
    timed = [
        CALENDAR.working_days_between(beijing_date(r.received_at), beijing_date(s.at)).days
        for r in requests
        for s in r.history[1:2]
        if s.action in ("approve", "refuse") and s.actor == r.provider_code
    ]
    assert total.answer_time.count == len(timed)
    assert total.answer_time.median == (statistics.median(timed) if timed else None)
    late = overdue_of(requests, objections, date(YEAR, 12, 31), CALENDAR)
    assert total.overdue == len(late)
    most = Counter(r.resource_code for r in requests).most_common(1)[0]
    assert (stats.most_requested[0].requests, stats.most_requested[0].code) == (
        most[1],
        min(c for c, n in Counter(r.resource_code for r in requests).items() if n == most[1]),
    )
    own = ResourceFilter(catalog_id=store.catalog.id, states=frozenset({LifecycleState.PUBLISHED}))
    published = (await store.find(own, first=0)).total_count
    assert published > 0
    assert sum(total.published_by_share_type.values()) == published

    todo = await rectification_list(store, CALENDAR, RULEBOOK, date(YEAR, 12, 31))
    assert sorted((i.kind.value, i.subject) for i in todo if i.subject is not None) == sorted(
        (o.kind.value, o.id) for o in late
    )
    updates = [i for i in todo if i.kind is RectificationKind.UPDATE]
    assert len(updates) == total.updates_overdue
    assert all(i.department_name and i.resource_name for i in todo)
    assert [i.due for i in todo] == sorted(i.due for i in todo)


async def test_a_day_judged_earlier_sees_the_requests_as_they_stood_then(
    store: CatalogStore,
) -> None:
    await load_activity(store, entries=150, requests=60, objections=15)
    day = date(YEAR, 6, 30)
    stats = await sharing_statistics(store, CALENDAR, RULEBOOK, Period.year(YEAR), as_of=day)
    requests = await all_requests(store)
    then = [r for r in (request_on(r, day) for r in requests) if r is not None]
    assert stats.as_of == day
    assert 0 < stats.total.requests_received == len(then) < len(requests)
    assert stats.total.requests_by_state == {s: 0 for s in stats.total.requests_by_state} | Counter(
        r.state for r in then
    )
    assert stats.total.overdue_answers + stats.total.overdue_deliveries == len(
        overdue_of(then, [], day, CALENDAR)
    )
