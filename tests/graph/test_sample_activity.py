"""The sample activity (graph.sample.activity): the same seed makes the same year, every
request's and objection's history leads through allowed steps to its state with its clocks as
the rulebook sets them, nothing happens after the year, entries are maintained during it, and
some answers are late on purpose."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest

from graph import CatalogStore, LifecycleState
from graph.dates import beijing_date
from graph.embedded import EmbeddedStore
from graph.queries import ResourceFilter
from graph.sample.activity import make_activity
from graph.sharing import (
    DeadlineName,
    Objection,
    ObjectionFilter,
    RequestFilter,
    RequestState,
    ShareRequest,
    overdue_of,
)
from graph.sharing.objections import next_objection_state
from graph.sharing.reading import own_entries
from graph.sharing.requests import next_request_state
from tests.graph.activity_data import (
    CALENDAR,
    CATALOG,
    RULEBOOK,
    YEAR,
    activity_sample,
    load_activity,
)
from tests.graph.conftest import CHENGDU_INTRANET


async def all_requests(store: CatalogStore) -> list[ShareRequest]:
    found: list[ShareRequest] = []
    after = None
    while True:
        page = await store.find_share_requests(RequestFilter(), first=100, after=after)
        found += page.items
        if not page.has_next_page:
            return found
        after = page.end_cursor


async def all_objections(store: CatalogStore) -> list[Objection]:
    found: list[Objection] = []
    after = None
    while True:
        page = await store.find_objections(ObjectionFilter(), first=100, after=after)
        found += page.items
        if not page.has_next_page:
            return found
        after = page.end_cursor


def check_steps(item: ShareRequest | Objection) -> None:
    """Each step of `item` is one its state before allows and leads where the transitions say,
    and the last leads to its state."""
    for k in range(1, len(item.history)):
        before = dataclasses.replace(
            item, state=item.history[k - 1].state, history=item.history[:k], version=k
        )
        step = item.history[k]
        if isinstance(before, ShareRequest):
            assert next_request_state(step.action, before) is step.state, (item.id, step)  # type: ignore[arg-type]
        else:
            assert next_objection_state(step.action, before) is step.state, (item.id, step)  # type: ignore[arg-type]
    assert item.history[-1].state is item.state
    assert item.version == len(item.history)


async def test_the_same_seed_makes_the_same_year_and_another_seed_another(
    tmp_path: Path,
) -> None:
    def fingerprint(items: Sequence[ShareRequest | Objection]) -> list[object]:
        return [
            (i.id, i.state, i.resource_code, [(s.action, s.at) for s in i.history]) for i in items
        ]

    runs = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        async with EmbeddedStore.open(tmp_path / f"{name}.db", CHENGDU_INTRANET) as store:
            made = await load_activity(store, entries=150, requests=40, objections=10, seed=seed)
            assert len(made.requests) == 40
            assert len(made.objections) == 10
            runs.append(
                (fingerprint(await all_requests(store)), fingerprint(await all_objections(store)))
            )
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


async def test_every_request_and_objection_is_consistent_with_its_state_and_clocks(
    store: CatalogStore,
) -> None:
    made = await load_activity(store, entries=150, requests=60, objections=15)
    requests = await all_requests(store)
    assert sorted(r.id for r in requests) == sorted(made.requests)
    for request in requests:
        check_steps(request)
        instants = [step.at for step in request.history]
        assert instants == sorted(instants)
        assert {beijing_date(at).year for at in instants} == {YEAR}
        assert request.history[0].at == request.received_at
        if request.answer_due is not None:  # counted by the service from the day received
            deadline = RULEBOOK.deadline(request.answer_due.deadline)
            assert deadline is not None
            assert request.answer_due.date == deadline.due(request.received_at, CALENDAR).date
    objections = await all_objections(store)
    assert sorted(o.id for o in objections) == sorted(made.objections)
    for objection in objections:
        check_steps(objection)
        assert objection.answer_due is not None
        assert objection.answer_due.deadline is DeadlineName.ANSWER_OBJECTION
    # every kind of answer is there
    states = {r.state for r in requests}
    assert {RequestState.CLOSED, RequestState.REFUSED, RequestState.DELIVERED} <= states
    # catalog maintenance: entries revised and published again during the year, none left
    # half-way (a request or an objection needs a published entry)
    own = ResourceFilter(catalog_id=store.catalog.id, states=frozenset(LifecycleState))
    entries = (await store.find(own, first=100)).items
    maintained = [e for e in entries if e.updated_at and beijing_date(e.updated_at).year == YEAR]
    assert maintained
    assert all(e.state is LifecycleState.PUBLISHED for e in maintained)
    assert all(
        [h.state for h in e.history[-3:]]
        == [LifecycleState.DRAFT, LifecycleState.SUBMITTED, LifecycleState.PUBLISHED]
        for e in maintained
    )


async def test_some_answers_are_late_and_some_clocks_overdue_at_the_end_of_the_year(
    tmp_path: Path,
) -> None:
    async with EmbeddedStore.open(tmp_path / "a.db", CHENGDU_INTRANET) as store:
        await load_activity(store)
        requests = await all_requests(store)
        objections = await all_objections(store)
    late_answers = [
        r
        for r in requests
        for step in r.history[1:2]
        if r.answer_due is not None and beijing_date(step.at) > r.answer_due.date
    ]
    late_deliveries = [
        r
        for r in requests
        for step in r.history
        if step.action == "deliver"
        and r.delivery_due is not None
        and beijing_date(step.at) > r.delivery_due.date
    ]
    assert late_answers or late_deliveries
    overdue = overdue_of(requests, objections, date(YEAR, 12, 31), CALENDAR)
    assert overdue, "some clocks are left running past due at the end of the year"


async def test_data_refreshes_are_recorded_by_providers_on_days_of_the_year(
    tmp_path: Path,
) -> None:
    async with EmbeddedStore.open(tmp_path / "a.db", CHENGDU_INTRANET) as store:
        await load_activity(store, requests=10, objections=0, data_updates=60)
        entries = [e async for e in own_entries(store)]
        updates = await store.last_data_updates([e.code for e in entries])
        early = await store.last_data_updates([e.code for e in entries], date(YEAR, 6, 30))
    assert 10 <= len(updates) <= 60  # some entries drawn more than once
    providers = {e.code: e.provider_code for e in entries}
    for code, update in updates.items():
        assert update.department_code == providers[code]
        assert date(YEAR, 1, 1) - timedelta(days=3) <= update.updated_on <= date(YEAR, 12, 31)
        assert update.updated_on <= beijing_date(update.recorded_at)
    assert all(u.updated_on <= date(YEAR, 6, 30) for u in early.values())
    assert len(early) < len(updates)


async def test_the_activity_is_bounded_and_needs_published_entries(tmp_path: Path) -> None:
    async with EmbeddedStore.open(tmp_path / "a.db", CHENGDU_INTRANET) as store:
        sample = activity_sample(150)
        with pytest.raises(ValueError, match="load the sample first"):
            await make_activity(store, sample, YEAR, calendar=CALENDAR)
        with pytest.raises(ValueError, match="requests = 10001"):
            await make_activity(store, sample, YEAR, requests=10_001)
    assert CHENGDU_INTRANET.id == CATALOG
