"""Statistics of sharing and the rectification list (整改清单) over GraphQL: the figures of
`graph.sharing.statistics`, the same the yearly report shows (`federation.reports`).

The rules:

1. Only an identified department reads them (any role): they name departments late, which is
   supervision, not the public catalog; an anonymous caller is refused (`NotPermitted`).
2. `statistics(period)`: a range of Beijing dates (default: this year up to today), judged on
   its last day or today, whichever comes first.
3. `rectificationList(day, first)`: what is overdue on `day` (default: today), the longest due
   first, at most `first` (1–1000) — the whole list is the yearly report's 整改清单 sheet.
4. Working days are counted on the instance's calendar when the context carries one
   (``calendar``), on the official schedules otherwise; provisional figures say so.
5. Request and objection states are given by their names (``SUBMITTED``…), as in the domain.

    { statistics(period: {start: "2026-01-01", end: "2026-12-31"}) { total { requestsReceived } } }
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import strawberry

from federation.api.context import Info
from federation.api.enums import LifecycleState, ShareType
from graph import sharing as domain
from graph.dates import beijing_date
from graph.errors import InvalidValue, NotPermitted
from graph.sharing import Period, RectificationKind, WorkingCalendar

__all__ = [
    "DepartmentStatistics",
    "Durations",
    "PeriodInput",
    "RectificationItem",
    "SharingStatistics",
    "rectification_list",
    "statistics",
]

MAX_RECTIFICATION = 1000

strawberry.enum(RectificationKind)


@strawberry.input(description="Beijing dates from `start` to `end`, both included.")
class PeriodInput:
    start: date
    end: date


@strawberry.type(description="Working-day durations: median and p95 (nearest rank).")
class Durations:
    count: int
    median: float | None
    p95: int | None
    provisional: bool = strawberry.field(description="rests on a year whose holidays are unknown")

    @classmethod
    def of(cls, d: domain.Durations) -> Durations:
        return cls(count=d.count, median=d.median, p95=d.p95, provisional=d.provisional)


@strawberry.type
class EntryCount:
    state: LifecycleState
    count: int


@strawberry.type
class ShareTypeCount:
    share_type: ShareType
    count: int


@strawberry.type(description="How many requests or objections are in a state (its name).")
class StateCount:
    state: str
    count: int


@strawberry.type(description="One department's figures over the period; `code` empty: total.")
class DepartmentStatistics:
    code: str
    name: str
    entries: int
    entries_by_state: list[EntryCount]
    published_by_share_type: list[ShareTypeCount]
    updates_overdue: int
    requests_received: int
    requests_answered: int
    requests_made: int
    requests_by_state: list[StateCount]
    answer_time: Durations
    answers_late: int
    deliveries_late: int
    objections_received: int
    objections_by_state: list[StateCount]
    objection_time: Durations
    objections_late: int
    overdue_answers: int
    overdue_deliveries: int
    overdue_objections: int
    overdue_negotiations: int = strawberry.field(
        description="disputes of its refusals not negotiated in time (the operator's clock)"
    )
    overdue_decisions: int = strawberry.field(
        description="escalated disputes the coordinator has not decided in time: the total "
        "only (no department owes them)"
    )

    @classmethod
    def of(cls, d: domain.DepartmentStatistics) -> DepartmentStatistics:
        return cls(
            code=d.code,
            name=d.name,
            entries=d.entries,
            entries_by_state=[EntryCount(state=s, count=n) for s, n in d.entries_by_state.items()],
            published_by_share_type=[
                ShareTypeCount(share_type=t, count=n) for t, n in d.published_by_share_type.items()
            ],
            updates_overdue=d.updates_overdue,
            requests_received=d.requests_received,
            requests_answered=d.requests_answered,
            requests_made=d.requests_made,
            requests_by_state=[
                StateCount(state=s.value, count=n) for s, n in d.requests_by_state.items()
            ],
            answer_time=Durations.of(d.answer_time),
            answers_late=d.answers_late,
            deliveries_late=d.deliveries_late,
            objections_received=d.objections_received,
            objections_by_state=[
                StateCount(state=s.value, count=n) for s, n in d.objections_by_state.items()
            ],
            objection_time=Durations.of(d.objection_time),
            objections_late=d.objections_late,
            overdue_answers=d.overdue_answers,
            overdue_deliveries=d.overdue_deliveries,
            overdue_objections=d.overdue_objections,
            overdue_negotiations=d.overdue_negotiations,
            overdue_decisions=d.overdue_decisions,
        )


@strawberry.type
class RequestedResource:
    code: str
    name: str
    provider_name: str
    requests: int


@strawberry.type(description="共享统计: an instance's figures over a period, per department.")
class SharingStatistics:
    catalog_id: str
    catalog_name: str
    start: date
    end: date
    as_of: date
    provisional: bool
    departments: list[DepartmentStatistics]
    total: DepartmentStatistics
    most_requested: list[RequestedResource]


@strawberry.type(description="整改清单: one thing overdue, with the department that owes it.")
class RectificationItem:
    kind: RectificationKind
    department_code: str | None = strawberry.field(
        description="none for the coordinator (an escalated dispute not decided in time)"
    )
    department_name: str
    resource_code: str
    resource_name: str
    subject: str | None = strawberry.field(description="the request's or objection's id")
    due: date
    working_days_late: int
    provisional: bool
    source: str = strawberry.field(description="the article that sets the clock")


def _require_department(info: Info, doing: str) -> None:
    if info.context.viewer.is_anonymous:
        raise NotPermitted(
            f"{doing} is for the platform's departments: connect with a department certificate"
        )


def _calendar(info: Info) -> WorkingCalendar:
    held = getattr(info.context, "calendar", None)
    return held if isinstance(held, WorkingCalendar) else WorkingCalendar.official()


def _today(info: Info) -> date:
    """Today in Beijing, on the instance's clock (a test's frozen one)."""
    clock = getattr(info.context, "clock", None)
    return beijing_date(clock() if clock is not None else datetime.now(UTC))


async def statistics(info: Info, period: PeriodInput | None = None) -> SharingStatistics:
    """The figures of this instance over `period` (default: this year up to today)."""
    _require_department(info, "reading the statistics of sharing")
    today = _today(info)
    chosen = (
        Period(date(today.year, 1, 1), today)
        if period is None
        else Period(period.start, period.end)
    )
    found = await domain.sharing_statistics(
        info.context.store,
        _calendar(info),
        info.context.rulebook,
        chosen,
        as_of=min(chosen.end, today),
    )
    return SharingStatistics(
        catalog_id=found.catalog_id,
        catalog_name=found.catalog_name,
        start=found.period.start,
        end=found.period.end,
        as_of=found.as_of,
        provisional=found.provisional,
        departments=[DepartmentStatistics.of(d) for d in found.departments],
        total=DepartmentStatistics.of(found.total),
        most_requested=[
            RequestedResource(
                code=r.code, name=r.name, provider_name=r.provider_name, requests=r.requests
            )
            for r in found.most_requested
        ],
    )


async def rectification_list(
    info: Info, day: date | None = None, first: int = 100
) -> list[RectificationItem]:
    """整改清单: what is overdue on `day` (default: today), the longest due first."""
    _require_department(info, "reading the rectification list")
    if isinstance(first, bool) or not 1 <= first <= MAX_RECTIFICATION:
        raise InvalidValue("first", first, f"a whole number from 1 to {MAX_RECTIFICATION}")
    found = await domain.rectification_list(
        info.context.store, _calendar(info), info.context.rulebook, day or _today(info)
    )
    return [
        RectificationItem(
            kind=i.kind,
            department_code=i.department_code,
            department_name=i.department_name,
            resource_code=i.resource_code,
            resource_name=i.resource_name,
            subject=i.subject,
            due=i.due,
            working_days_late=i.working_days_late,
            provisional=i.provisional,
            source=i.source,
        )
        for i in found[:first]
    ]
