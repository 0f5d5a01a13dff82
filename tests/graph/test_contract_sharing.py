"""Contract: share requests, objections and access details in the store (graph.sharing) — each
write compared and set on its version, with its audit records in its own transaction or not
at all; lists by entry, requester, provider, state and running clock, in the order received,
in pages; open objections per entry; access details kept apart from the entry, so never in
what crosses a link. Run on every store."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from graph import CatalogStore, InvalidValue, NotFound, VersionConflict
from graph.audit import AuditEntry, AuditKind, AuditRecord
from graph.sharing import (
    STATE_COUNCIL_2025,
    ObjectionFilter,
    ObjectionState,
    RequestFilter,
    RequestState,
    ShareRequest,
    rulebook_named,
)
from graph.sharing.objections import Objection, confirm, correct, dismiss, report
from graph.sharing.requests import approve, deliver, refuse
from graph.snapshot import resource_to_json
from tests.graph.conftest import CHENGDU_INTRANET, OpenStore
from tests.graph.entries import HEALTH, MARKET, POLICE, credit_code
from tests.graph.sharing_data import (
    CALENDAR,
    PROVIDER,
    RECEIVED,
    REQUESTER,
    at,
    conditional_entry,
    later,
    submit_for,
    unconditional_entry,
)
from tests.graph.test_access_details import details
from tests.graph.test_contract_find import DEEP_CURSOR

ACTOR = REQUESTER.department_code
SICHUAN_RULES = rulebook_named("state-council-2025", ["sichuan"])


def audit_of(subject: str, before: int | None, after: int, action: str = "submit") -> AuditEntry:
    return AuditEntry(
        AuditKind.SHARE_REQUEST,
        ACTOR,
        action,
        subject=subject,
        version_before=before,
        version_after=after,
        at=RECEIVED,
    )


def request(n: int, **overrides: Any) -> ShareRequest:
    """Request ``req-n`` for entry n of the 成都市公安局, received n hours after RECEIVED."""
    entry = overrides.pop("entry", None) or conditional_entry(f"101001001/{n:06d}")
    received = overrides.pop("received", RECEIVED + timedelta(hours=n))
    return submit_for(entry, received, id=f"req-{n:03d}", **overrides)


def objection(n: int, code: str = "101001001/000001", **overrides: Any) -> Objection:
    return report(
        conditional_entry(code),
        overrides.pop("reporter", REQUESTER),
        ("summary",),
        "摘要有误",
        id=f"obj-{n:03d}",
        zone=CHENGDU_INTRANET.zone,
        at=overrides.pop("received", RECEIVED + timedelta(hours=n)),
        calendar=CALENDAR,
        rulebook=SICHUAN_RULES,
    )


async def records(store: CatalogStore) -> list[AuditRecord]:
    return await store.audit_records(0, 1000)


# -- requests: written, read, compared and set ------------------------------------------------
async def test_a_request_is_held_and_read_back_with_its_audit_record(store: CatalogStore) -> None:
    one = request(1)
    await store.create_share_request(one, [audit_of(one.id, None, 1)])
    assert await store.share_requests([one.id, "req-999"]) == {one.id: one}
    assert await store.share_requests([]) == {}
    (record,) = await records(store)
    assert record.entry == audit_of(one.id, None, 1)


async def test_a_request_decided_at_once_is_held_with_a_record_per_step(
    store: CatalogStore,
) -> None:
    approved = request(1, entry=unconditional_entry())
    assert approved.version == 2
    audit = [audit_of(approved.id, None, 1), audit_of(approved.id, 1, 2, "approve")]
    await store.create_share_request(approved, audit)
    assert [r.entry for r in await records(store)] == audit


async def test_an_id_held_already_is_refused_and_records_nothing(store: CatalogStore) -> None:
    one = request(1)
    await store.create_share_request(one, [audit_of(one.id, None, 1)])
    with pytest.raises(VersionConflict):
        await store.create_share_request(request(1), [audit_of(one.id, None, 1)])
    with pytest.raises(InvalidValue, match="audit"):
        await store.create_share_request(request(2), [])
    assert len(await records(store)) == 1
    assert set(await store.share_requests(["req-001", "req-002"])) == {"req-001"}


async def test_an_update_is_compared_and_set_on_the_version(store: CatalogStore) -> None:
    one = request(1)
    await store.create_share_request(one, [audit_of(one.id, None, 1)])
    approved = approve(one, PROVIDER, later(RECEIVED), CALENDAR, STATE_COUNCIL_2025)
    await store.update_share_request(approved, 1, [audit_of(one.id, 1, 2, "approve")])
    refused = refuse(one, PROVIDER, later(RECEIVED), "用途不明确")
    with pytest.raises(VersionConflict):  # approved meanwhile: this refusal read version 1
        await store.update_share_request(refused, 1, [audit_of(one.id, 1, 2, "refuse")])
    with pytest.raises(InvalidValue, match="version"):
        await store.update_share_request(approved, 2, [audit_of(one.id, 2, 2)])
    with pytest.raises(NotFound):
        await store.update_share_request(
            approve(request(2), PROVIDER, later(RECEIVED), CALENDAR, STATE_COUNCIL_2025),
            1,
            [audit_of("req-002", 1, 2)],
        )
    assert (await store.share_requests([one.id]))[one.id] == approved
    assert [r.entry.action for r in await records(store)] == ["submit", "approve"]


async def test_of_two_concurrent_steps_one_wins(store: CatalogStore) -> None:
    one = request(1)
    await store.create_share_request(one, [audit_of(one.id, None, 1)])
    approved = approve(one, PROVIDER, later(RECEIVED), CALENDAR, STATE_COUNCIL_2025)
    refused = refuse(one, PROVIDER, later(RECEIVED), "用途不明确")
    outcomes = await asyncio.gather(
        store.update_share_request(approved, 1, [audit_of(one.id, 1, 2, "approve")]),
        store.update_share_request(refused, 1, [audit_of(one.id, 1, 2, "refuse")]),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "VersionConflict"]
    held = (await store.share_requests([one.id]))[one.id]
    assert held.version == 2
    assert [r.entry.action for r in await records(store)] == ["submit", held.history[-1].action]


# -- requests: lists -------------------------------------------------------------------------
async def _held(store: CatalogStore) -> list[ShareRequest]:
    """Requests of several entries, requesters and states, created out of order."""
    made = [
        request(3),
        request(1),
        request(2, requester=REQUESTER),
        request(4, entry=conditional_entry("101001001/000001")),
        request(5, requester=type(REQUESTER)(HEALTH.code)),
        request(6, entry=unconditional_entry()),  # APPROVED at once: delivery clock runs
        request(7, received=at(2026, 12, 28)),  # due in 2027: provisional
    ]
    for one in made:
        audit = [audit_of(one.id, i or None, i + 1) for i in range(one.version)]
        await store.create_share_request(one, audit)
    approved = approve(made[1], PROVIDER, at(2026, 10, 9), CALENDAR, STATE_COUNCIL_2025)
    await store.update_share_request(approved, 1, [audit_of(approved.id, 1, 2)])
    delivered = deliver(
        approve(made[0], PROVIDER, at(2026, 10, 9), CALENDAR, STATE_COUNCIL_2025),
        PROVIDER,
        at(2026, 10, 12),
        "已提供",
    )
    await store.update_share_request(delivered, 1, [audit_of(delivered.id, 1, 3)])
    return sorted(
        [*(await store.share_requests([m.id for m in made])).values()],
        key=lambda r: (r.received_at, r.id),
    )


async def everything(store: CatalogStore, where: RequestFilter, first: int = 3) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        page = await store.find_share_requests(where, first=first, after=after)
        ids += [r.id for r in page.items]
        assert page.total_count >= len(ids)
        if not page.has_next_page:
            assert page.total_count == len(ids)
            return ids
        after = page.end_cursor


@pytest.mark.parametrize(
    "where",
    [
        RequestFilter(),
        RequestFilter(resource_code="101001001/000001"),
        RequestFilter(requester_code=HEALTH.code),
        RequestFilter(provider_code=POLICE.code),
        RequestFilter(provider_code=MARKET.code),
        RequestFilter(states=frozenset({RequestState.APPROVED, RequestState.DELIVERED})),
        RequestFilter(states=frozenset({RequestState.SUBMITTED}), requester_code=ACTOR),
        RequestFilter(due_before=date(2026, 10, 21)),  # late on 21 October: answers due the 20th
        RequestFilter(due_before=date(2027, 2, 1), provisional=True),
        RequestFilter(provisional=False),
    ],
)
async def test_lists_select_as_the_filter_says_in_the_order_received(
    store: CatalogStore, where: RequestFilter
) -> None:
    held = await _held(store)

    def selected(r: ShareRequest) -> bool:
        from graph.sharing import pending_clock

        clock = pending_clock(r)
        return (
            (where.resource_code is None or r.resource_code == where.resource_code)
            and (where.requester_code is None or r.requester_code == where.requester_code)
            and (where.provider_code is None or r.provider_code == where.provider_code)
            and (not where.states or r.state in where.states)
            and (where.due_before is None or (clock is not None and clock.date < where.due_before))
            and (
                where.provisional is None
                or (clock is not None and clock.provisional == where.provisional)
            )
        )

    assert await everything(store, where) == [r.id for r in held if selected(r)]


async def test_the_overdue_ones_as_of_a_day(store: CatalogStore) -> None:
    await _held(store)
    late = await store.find_share_requests(RequestFilter(due_before=date(2026, 10, 21)), first=100)
    # Answers due 20 October (conditional, received 30 September): requests 2, 4, 5.
    assert [r.id for r in late.items] == ["req-002", "req-004", "req-005"]
    assert {r.state for r in late.items} == {RequestState.SUBMITTED}


async def test_pages_are_bounded_and_cursors_checked(store: CatalogStore) -> None:
    with pytest.raises(InvalidValue, match="first"):
        await store.find_share_requests(RequestFilter(), first=101)
    with pytest.raises(InvalidValue, match="after"):
        await store.find_share_requests(RequestFilter(), after="not a cursor")
    with pytest.raises(InvalidValue, match="after"):  # once a RecursionError
        await store.find_share_requests(RequestFilter(), after=DEEP_CURSOR)
    empty = await store.find_share_requests(RequestFilter())
    assert (empty.items, empty.total_count, empty.end_cursor, empty.has_next_page) == (
        (),
        0,
        None,
        False,
    )


# -- objections ------------------------------------------------------------------------------
def objection_audit(subject: str, before: int | None, after: int) -> AuditEntry:
    return AuditEntry(
        AuditKind.OBJECTION,
        ACTOR,
        "report",
        subject=subject,
        version_before=before,
        version_after=after,
        at=RECEIVED,
    )


async def test_objections_are_held_stepped_listed_and_open_ones_shown_per_entry(
    store: CatalogStore,
) -> None:
    one, two, three = objection(1), objection(2), objection(3, "101001001/000002")
    other_reporter = objection(4, reporter=type(REQUESTER)(HEALTH.code))
    for o in (three, one, two, other_reporter):
        await store.create_objection(o, [objection_audit(o.id, None, 1)])
    with pytest.raises(VersionConflict):
        await store.create_objection(objection(1), [objection_audit("obj-001", None, 1)])
    confirmed = confirm(one, PROVIDER, later(RECEIVED))
    await store.update_objection(confirmed, 1, [objection_audit(one.id, 1, 2)])
    corrected = correct(confirmed, PROVIDER, later(RECEIVED, 2), "已更正摘要")
    await store.update_objection(corrected, 2, [objection_audit(one.id, 2, 3)])
    await store.update_objection(
        confirm(two, PROVIDER, later(RECEIVED)), 1, [objection_audit(two.id, 1, 2)]
    )
    with pytest.raises(VersionConflict):  # dismissed from what was read before the confirmation
        await store.update_objection(
            dismiss(two, PROVIDER, later(RECEIVED), "无误"), 1, [objection_audit(two.id, 1, 2)]
        )
    assert await store.objections(["obj-001", "obj-404"]) == {"obj-001": corrected}
    # Open: REPORTED or CONFIRMED; the corrected one no longer shows.
    shown = await store.open_objections(
        ["101001001/000001", "101001001/000002", "101001001/000404"]
    )
    assert {code: [o.id for o in held] for code, held in shown.items()} == {
        "101001001/000001": ["obj-002", "obj-004"],
        "101001001/000002": ["obj-003"],
    }
    limited = await store.open_objections(["101001001/000001"], limit=1)
    assert [o.id for o in limited["101001001/000001"]] == ["obj-002"]
    with pytest.raises(InvalidValue, match="limit"):
        await store.open_objections(["101001001/000001"], limit=0)
    assert await store.open_objections([]) == {}
    page = await store.find_objections(ObjectionFilter(reporter=HEALTH.code))
    assert [o.id for o in page.items] == ["obj-004"]
    page = await store.find_objections(
        ObjectionFilter(states=frozenset({ObjectionState.REPORTED})), first=1
    )
    assert ([o.id for o in page.items], page.total_count, page.has_next_page) == (
        ["obj-003"],
        2,
        True,
    )
    rest = await store.find_objections(
        ObjectionFilter(states=frozenset({ObjectionState.REPORTED})), after=page.end_cursor
    )
    assert [o.id for o in rest.items] == ["obj-004"]
    # Sichuan 第二十四条: answered within 10 working days of 30 September — 20 October.
    late = await store.find_objections(ObjectionFilter(due_before=date(2026, 10, 21)))
    assert [o.id for o in late.items] == ["obj-002", "obj-003", "obj-004"]
    assert len(await records(store)) == 7


# -- access details --------------------------------------------------------------------------
def access_audit(code: str, before: int | None, after: int) -> AuditEntry:
    return AuditEntry(
        AuditKind.ACCESS_DETAILS,
        POLICE.code,
        "set access details",
        subject=code,
        version_before=before,
        version_after=after,
        at=RECEIVED,
    )


async def test_access_details_are_compared_and_set_and_audited(store: CatalogStore) -> None:
    code = "101001001/000001"
    first = details(code)
    await store.put_access_details(first, None, access_audit(code, None, 1))
    with pytest.raises(VersionConflict):
        await store.put_access_details(first, None, access_audit(code, None, 1))
    second = details(
        code, version=2, exchange_table="QZJ_HJRK", interface_url=None, credentials=None
    )
    with pytest.raises(VersionConflict):
        await store.put_access_details(replace(second, version=8), 7, access_audit(code, 7, 8))
    with pytest.raises(InvalidValue, match="version"):
        await store.put_access_details(second, 2, access_audit(code, 2, 2))
    await store.put_access_details(second, 1, access_audit(code, 1, 2))
    assert await store.access_details([code, "101001001/000404"]) == {code: second}
    assert await store.access_details([]) == {}
    assert [(r.entry.version_before, r.entry.version_after) for r in await records(store)] == [
        (None, 1),
        (1, 2),
    ]


async def test_access_details_never_reach_the_entry_nor_its_outbox(store: CatalogStore) -> None:
    entry = conditional_entry()
    await store.save(entry, None)
    outbox_before = await store.outbox_after(0, 100)
    held = details(entry.code)
    await store.put_access_details(held, None, access_audit(entry.code, None, 1))
    stored = await store.get(entry.code)
    assert stored == entry
    assert held.interface_url is not None
    assert held.interface_url not in resource_to_json(stored)
    assert await store.outbox_after(0, 100) == outbox_before


# -- lifetime --------------------------------------------------------------------------------
async def test_sharing_persists_across_a_reopen_and_erase_all_clears_it(
    open_store: OpenStore,
) -> None:
    one, obj = request(1), objection(1)
    async with open_store(CHENGDU_INTRANET) as store:
        await store.create_share_request(one, [audit_of(one.id, None, 1)])
        await store.create_objection(obj, [objection_audit(obj.id, None, 1)])
        await store.put_access_details(
            details(one.resource_code), None, access_audit(one.resource_code, None, 1)
        )
    async with open_store(CHENGDU_INTRANET) as store:
        assert await store.share_requests([one.id]) == {one.id: one}
        assert await store.objections([obj.id]) == {obj.id: obj}
        assert set(await store.access_details([one.resource_code])) == {one.resource_code}
        erase: Any = store.erase_all
        await erase()
        assert await store.share_requests([one.id]) == {}
        assert await store.objections([obj.id]) == {}
        assert await store.access_details([one.resource_code]) == {}
        assert (await store.find_share_requests(RequestFilter())).total_count == 0


async def test_a_request_names_departments_by_their_credit_code(store: CatalogStore) -> None:
    someone = credit_code("510000", "MB0000077")
    one = request(1, requester=type(REQUESTER)(someone))
    await store.create_share_request(one, [audit_of(one.id, None, 1)])
    page = await store.find_share_requests(RequestFilter(requester_code=someone))
    assert [r.requester_code for r in page.items] == [someone]
