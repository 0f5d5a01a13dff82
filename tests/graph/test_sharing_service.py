"""The sharing service (graph.sharing.service) on every store, with a frozen clock: requests,
answers, deliveries, disputes and objections end to end with their deadlines (national 第十、
十二条; Sichuan 第二十四、二十五条; the 2025 regulation's 1, 10 and 20 working days), overdue
detection, access details shown only as the share type allows, and every step in the audit
log with its actor and versions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from graph import (
    CatalogStore,
    InvalidTransition,
    InvalidValue,
    NotFound,
    NotPermitted,
    VersionConflict,
)
from graph.audit import AuditFilter, AuditKind, AuditRecord, verify
from graph.sharing import (
    STATE_COUNCIL_2025,
    ObjectionState,
    OverdueKind,
    RequestState,
    Rulebook,
    Sharing,
    WorkingCalendar,
    rulebook_named,
)
from tests.graph.entries import POLICE
from tests.graph.sharing_data import (
    CALENDAR,
    CONDITION,
    COORDINATOR,
    INSTANCE,
    LEGAL_BASIS,
    OTHER,
    PROVIDER,
    RECEIVED,
    REQUESTER,
    SCHEDULE_2027,
    application,
    at,
    conditional_entry,
    none_entry,
    unconditional_entry,
)

S = RequestState
WITH_SICHUAN = rulebook_named("state-council-2025", ["sichuan"])


@dataclass
class FrozenClock:
    """The instant it is told; moved on by the test."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def on(self, year: int, month: int, day: int) -> None:
        self.now = at(year, month, day)


def numbered() -> Callable[[], str]:
    count = iter(range(1, 1000))
    return lambda: f"id-{next(count):03d}"


async def sharing_on(
    store: CatalogStore,
    clock: FrozenClock,
    rulebook: Rulebook = WITH_SICHUAN,
    calendar: WorkingCalendar = CALENDAR,
) -> Sharing:
    for entry in (conditional_entry(), unconditional_entry(), none_entry()):
        if await store.get(entry.code) is None:
            await store.save(entry, None)
    return Sharing(store, calendar, rulebook, clock, numbered())


async def log(store: CatalogStore, kind: AuditKind | None = None) -> list[AuditRecord]:
    where = None if kind is None else AuditFilter(kinds=frozenset({kind}))
    return await store.audit_records(0, 1000, where)


def steps(records: list[AuditRecord]) -> list[tuple[str, str, int | None, int | None]]:
    return [
        (r.entry.actor, r.entry.action, r.entry.version_before, r.entry.version_after)
        for r in records
    ]


# -- a request end to end --------------------------------------------------------------------
async def test_a_conditional_request_is_answered_delivered_and_closed_every_step_audited(
    store: CatalogStore,
) -> None:
    clock = FrozenClock(RECEIVED)
    sharing = await sharing_on(store, clock)
    made = await sharing.request(REQUESTER, application(conditional_entry()), "510000/intranet")
    assert (made.id, made.state, made.requested_from) == ("id-001", S.SUBMITTED, "510000/intranet")
    assert made.answer_due is not None
    assert made.answer_due.date == date(2026, 10, 20)  # National Day skipped (national 第十二条)
    clock.on(2026, 10, 9)
    approved = await sharing.approve(PROVIDER, made.id)
    assert approved.terms == CONDITION
    clock.on(2026, 10, 12)
    delivered = await sharing.deliver(PROVIDER, made.id, "接口已开通")
    clock.on(2026, 10, 13)
    closed = await sharing.close(REQUESTER, made.id, "已收到")
    assert closed.state is S.CLOSED
    assert await sharing.share_request(made.id) == closed
    records = await log(store, AuditKind.SHARE_REQUEST)
    assert steps(records) == [
        (REQUESTER.department_code, "submit", None, 1),
        (PROVIDER.department_code, "approve", 1, 2),
        (PROVIDER.department_code, "deliver", 2, 3),
        (REQUESTER.department_code, "close", 3, 4),
    ]
    assert {r.entry.subject for r in records} == {made.id}
    assert dict(records[1].entry.detail) == {
        "resource_code": made.resource_code,
        "role": "PROVIDER",
        "state_before": "SUBMITTED",
        "state_after": "APPROVED",
        "note": None,
    }
    assert records[2].entry.at == at(2026, 10, 12)
    assert delivered.delivery_note == "接口已开通"
    assert (verify(await log(store), await store.audit_head())).ok


async def test_a_refusal_without_reasons_is_refused_and_records_nothing(
    store: CatalogStore,
) -> None:
    sharing = await sharing_on(store, FrozenClock(RECEIVED))
    made = await sharing.request(REQUESTER, application(conditional_entry()))
    for reasons in (None, "  "):
        with pytest.raises(InvalidValue) as refused:
            await sharing.refuse(PROVIDER, made.id, reasons)
        assert refused.value.field == "reasons"
    with pytest.raises(NotPermitted):
        await sharing.refuse(OTHER, made.id, "不是你的")
    assert (await sharing.share_request(made.id)).state is S.SUBMITTED
    assert len(await log(store, AuditKind.SHARE_REQUEST)) == 1
    refused_ = await sharing.refuse(PROVIDER, made.id, "申请用途与所需信息项不符")
    assert refused_.reasons == "申请用途与所需信息项不符"


async def test_an_unconditional_request_is_approved_on_its_own_by_the_instance(
    store: CatalogStore,
) -> None:
    sharing = await sharing_on(store, FrozenClock(RECEIVED))
    made = await sharing.request(REQUESTER, application(unconditional_entry()))
    assert made.state is S.APPROVED
    assert steps(await log(store, AuditKind.SHARE_REQUEST)) == [
        (REQUESTER.department_code, "submit", None, 1),
        (INSTANCE, "approve", 1, 2),  # without a person
    ]
    assert (await log(store))[1].entry.detail["role"] == "INSTANCE"


async def test_a_none_entry_is_refused_with_its_legal_basis_and_the_dispute_escalates(
    store: CatalogStore,
) -> None:
    clock = FrozenClock(RECEIVED)
    sharing = await sharing_on(store, clock)
    made = await sharing.request(REQUESTER, application(none_entry()))
    assert made.state is S.REFUSED
    assert made.reasons is not None
    assert LEGAL_BASIS in made.reasons
    # National 第十二条, Sichuan 第二十五条: negotiation, then the coordinator.
    clock.on(2026, 10, 8)
    await sharing.dispute(REQUESTER, made.id, "开展户籍核查专项工作确需使用")
    clock.on(2026, 10, 15)
    await sharing.escalate(PROVIDER, made.id, "协商未果")
    with pytest.raises(NotPermitted):
        await sharing.decide(PROVIDER, made.id, overturn=True, decision="自己裁定")
    clock.on(2026, 10, 22)
    decided = await sharing.decide(COORDINATOR, made.id, overturn=False, decision="维持不予共享")
    assert decided.state is S.UPHELD
    assert [a for _, a, _, _ in steps(await log(store, AuditKind.SHARE_REQUEST))] == [
        "submit",
        "refuse",
        "dispute",
        "escalate",
        "uphold",
    ]
    assert (await log(store))[-1].entry.detail["role"] == "REVIEWER"


async def test_an_overturned_refusal_is_approved_with_its_delivery_clock_from_the_decision(
    store: CatalogStore,
) -> None:
    clock = FrozenClock(RECEIVED)
    sharing = await sharing_on(store, clock)
    made = await sharing.request(REQUESTER, application(conditional_entry()))
    await sharing.refuse(PROVIDER, made.id, "涉及个人隐私")
    await sharing.dispute(REQUESTER, made.id, "履行职责确需使用")
    await sharing.escalate(REQUESTER, made.id)
    clock.on(2026, 11, 2)
    overturned = await sharing.decide(
        COORDINATOR, made.id, overturn=True, decision="按申请用途予以共享", terms="仅限核验"
    )
    assert (overturned.state, overturned.terms) == (S.APPROVED, "仅限核验")
    assert overturned.delivery_due is not None
    assert overturned.delivery_due.started == date(2026, 11, 2)


async def test_a_request_lives_at_the_entrys_origin(store: CatalogStore) -> None:
    sharing = await sharing_on(store, FrozenClock(RECEIVED))
    copy = conditional_entry("101001001/000077", origin="510000/intranet")
    await store.save(copy, None)
    with pytest.raises(InvalidValue, match="510000/intranet") as refused:
        await sharing.request(REQUESTER, application(copy))
    assert refused.value.field == "resource_code"
    with pytest.raises(NotFound):
        await sharing.request(REQUESTER, application(conditional_entry("101001001/000404")))
    draft = conditional_entry("101001001/000078", state="DRAFT")
    await store.save(draft, None)
    with pytest.raises(InvalidValue, match="published"):
        await sharing.request(REQUESTER, application(draft))
    with pytest.raises(NotFound):
        await sharing.approve(PROVIDER, "id-404")
    assert await log(store) == []


async def test_of_two_concurrent_answers_one_wins(store: CatalogStore) -> None:
    sharing = await sharing_on(store, FrozenClock(RECEIVED))
    made = await sharing.request(REQUESTER, application(conditional_entry()))
    outcomes = await asyncio.gather(
        sharing.approve(PROVIDER, made.id),
        sharing.refuse(PROVIDER, made.id, "不予共享"),
        return_exceptions=True,
    )
    # The second either read before the first wrote (its compare-and-set fails) or after (its
    # step is no longer allowed): never both written.
    failed = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failed) == 1, outcomes
    assert isinstance(failed[0], VersionConflict | InvalidTransition)
    assert len(await log(store, AuditKind.SHARE_REQUEST)) == 2


# -- overdue, on a frozen clock ----------------------------------------------------------------
async def test_overdue_answers_deliveries_and_objections_on_a_frozen_clock(
    store: CatalogStore,
) -> None:
    clock = FrozenClock(RECEIVED)  # 30 September 2026
    sharing = await sharing_on(store, clock)
    waiting = await sharing.request(REQUESTER, application(conditional_entry()))
    undelivered = await sharing.request(REQUESTER, application(unconditional_entry()))
    objection = await sharing.report_objection(OTHER, conditional_entry().code, ["summary"], "有误")
    answered = await sharing.request(OTHER, application(conditional_entry()))
    await sharing.refuse(PROVIDER, answered.id, "已按季度批量提供，无需单独申请")
    # Due 20 October (answer, Sichuan 第二十四条 objection) and 3 November (delivery).
    assert await sharing.overdue(at(2026, 10, 20)) == []
    late = await sharing.overdue(at(2026, 10, 21))
    assert [(o.kind, o.id, o.working_days_late) for o in late] == [
        (OverdueKind.ANSWER, waiting.id, 1),
        (OverdueKind.OBJECTION, objection.id, 1),
    ]
    assert {o.department for o in late} == {POLICE.code}
    assert not any(o.provisional for o in late)
    clock.on(2026, 11, 4)
    later = await sharing.overdue()
    assert [(o.kind, o.id) for o in later] == [
        (OverdueKind.ANSWER, waiting.id),
        (OverdueKind.OBJECTION, objection.id),
        (OverdueKind.DELIVERY, undelivered.id),
    ]
    await sharing.deliver(PROVIDER, undelivered.id, "已开通")
    await sharing.approve(PROVIDER, waiting.id)
    await sharing.dismiss(PROVIDER, objection.id, "经核实无误")
    assert await sharing.overdue() == []


async def test_a_request_due_in_an_unknown_year_is_overdue_provisionally_until_it_is_loaded(
    store: CatalogStore,
) -> None:
    clock = FrozenClock(at(2026, 12, 28))
    sharing = await sharing_on(store, clock)
    made = await sharing.request(REQUESTER, application(conditional_entry()))
    assert made.answer_due is not None
    assert (made.answer_due.date, made.answer_due.provisional) == (date(2027, 1, 11), True)
    (late,) = await sharing.overdue(at(2027, 1, 12))
    assert (late.id, late.due.date, late.provisional) == (made.id, date(2027, 1, 11), True)
    # With 2027's schedule loaded (元旦 1–3 January), it is due the 12th: not late that day.
    loaded = await sharing_on(store, clock, calendar=CALENDAR.with_schedule(SCHEDULE_2027))
    assert await loaded.overdue(at(2027, 1, 12)) == []
    (exact,) = await loaded.overdue(at(2027, 1, 13))
    assert (exact.due.date, exact.provisional, exact.working_days_late) == (
        date(2027, 1, 12),
        False,
        1,
    )


async def test_without_a_rule_that_sets_one_objections_are_never_overdue(
    store: CatalogStore,
) -> None:
    sharing = await sharing_on(store, FrozenClock(RECEIVED), rulebook=STATE_COUNCIL_2025)
    objection = await sharing.report_objection(OTHER, conditional_entry().code, ["data"], "有误")
    assert objection.answer_due is None
    assert await sharing.overdue(at(2027, 6, 1)) == []


# -- objections ------------------------------------------------------------------------------
async def test_an_objection_is_confirmed_and_corrected_showing_on_the_entry_while_open(
    store: CatalogStore,
) -> None:
    clock = FrozenClock(RECEIVED)
    sharing = await sharing_on(store, clock)
    code = conditional_entry().code
    made = await sharing.report_objection(
        OTHER, code, ["summary", "items"], "信息项缺少户籍地址说明", found_on=date(2026, 9, 29)
    )
    assert made.answer_due is not None
    assert made.answer_due.date == date(2026, 10, 20)  # Sichuan 第二十四条
    assert [o.id for o in await sharing.open_objections(code)] == [made.id]
    clock.on(2026, 10, 8)
    with pytest.raises(NotPermitted):
        await sharing.confirm(OTHER, made.id)
    await sharing.confirm(PROVIDER, made.id, "确有遗漏")
    assert [o.state for o in await sharing.open_objections(code)] == [ObjectionState.CONFIRMED]
    clock.on(2026, 10, 9)
    corrected = await sharing.correct(PROVIDER, made.id, "已补充信息项说明")
    assert corrected.state is ObjectionState.CORRECTED
    assert await sharing.open_objections(code) == []
    assert steps(await log(store, AuditKind.OBJECTION)) == [
        (OTHER.department_code, "report", None, 1),
        (PROVIDER.department_code, "confirm", 1, 2),
        (PROVIDER.department_code, "correct", 2, 3),
    ]


async def test_a_dismissal_without_reasons_is_refused(store: CatalogStore) -> None:
    sharing = await sharing_on(store, FrozenClock(RECEIVED))
    made = await sharing.report_objection(OTHER, conditional_entry().code, ["summary"], "有误")
    with pytest.raises(InvalidValue) as refused:
        await sharing.dismiss(PROVIDER, made.id, "")
    assert refused.value.field == "reasons"
    assert len(await log(store, AuditKind.OBJECTION)) == 1


# -- access details --------------------------------------------------------------------------
URL = "https://data.cd.example/api/hukou/v1"


async def test_only_approved_requesters_see_conditional_access_details_and_each_read_is_logged(
    store: CatalogStore,
) -> None:
    clock = FrozenClock(RECEIVED)
    sharing = await sharing_on(store, clock)
    code = conditional_entry().code
    details = await sharing.set_access_details(
        PROVIDER, code, interface_url=URL, credentials="向市大数据中心申请接口令牌"
    )
    assert details.version == 1
    assert await sharing.access_for(REQUESTER.department_code, code) is None
    assert await sharing.access_for(None, code) is None
    made = await sharing.request(REQUESTER, application(conditional_entry()))
    assert await sharing.access_for(REQUESTER.department_code, code) is None  # not yet approved
    await sharing.approve(PROVIDER, made.id)
    shown = await sharing.access_for(REQUESTER.department_code, code)
    assert shown == details
    assert await sharing.access_for(OTHER.department_code, code) is None
    reads = await log(store, AuditKind.ACCESS_READ)
    assert [(r.entry.actor, r.entry.subject) for r in reads] == [(REQUESTER.department_code, code)]
    # The approval ends with the period it was given for (to 31 August 2027).
    clock.on(2027, 9, 1)
    assert await sharing.access_for(REQUESTER.department_code, code) is None
    await sharing.withdraw(REQUESTER, made.id)
    clock.on(2026, 10, 9)
    assert await sharing.access_for(REQUESTER.department_code, code) is None


async def test_unconditional_access_details_show_to_any_department_and_none_are_never_set(
    store: CatalogStore,
) -> None:
    sharing = await sharing_on(store, FrozenClock(RECEIVED))
    code = unconditional_entry().code
    with pytest.raises(NotPermitted):
        await sharing.set_access_details(OTHER, code, download_location="/共享/人口")
    details = await sharing.set_access_details(PROVIDER, code, download_location="/共享/人口")
    again = await sharing.set_access_details(PROVIDER, code, exchange_table="QZJ_RK")
    assert (again.version, again.download_location) == (2, None)
    assert await sharing.access_for(OTHER.department_code, code) == again
    assert await sharing.access_for(None, code) is None
    assert details.version == 1
    with pytest.raises(InvalidValue) as refused:
        await sharing.set_access_details(PROVIDER, none_entry().code, download_location="/x")
    assert refused.value.field == "share_type"
    assert await log(store, AuditKind.ACCESS_READ) == []  # unconditional reads are not logged
    assert steps(await log(store, AuditKind.ACCESS_DETAILS)) == [
        (POLICE.code, "set access details", None, 1),
        (POLICE.code, "set access details", 1, 2),
    ]
