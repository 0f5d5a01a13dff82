"""Statistics of sharing (共享统计) per department and period: what the yearly report and the
supervision pages show (Kunming 第二十七、三十五条; Sichuan 第三十四条).

The rules:

1. A period is a range of Beijing dates, both ends included (`Period.year(2026)`). Figures are
   judged on the day `as_of` (the period's last day by default; the report passes the earlier
   of that and today), on everything as it stood that day (`graph.sharing.standing`).
2. Entries: the instance's own entries (listed in its catalog: copies aggregated from below are
   their origin's to count), per providing department, by lifecycle state and by share type
   (the share types of the published ones), and how many are overdue for update against
   their update cycle (`graph.sharing.standing`, rule 3: national 第八条; Kunming 第十五条).
3. Requests and objections are counted in the period they were received (Beijing date),
   under the providing department (it answers); `requests_made` under the requester.
   Answered: the request received a first answer (approval or refusal) by `as_of`.
4. Answer time: working days (`WorkingCalendar.working_days_between`) from the day received
   to the day of the first answer, over the requests the department answered itself; those
   the instance decided on submission (UNCONDITIONAL approved, NONE refused) are answered but
   timed at none. Objection handling time: from the day received to the day it was
   corrected or dismissed. Median: the middle value, or the mean of the two middle ones;
   p95: the least value with at least 95% of them at or below it (nearest rank).
   `provisional` when a count rests on a year the calendar does not know.
5. Late: answered, delivered, or handled after the clock's due day; overdue: still waiting
   past it on `as_of` (`graph.sharing.overdue`) — both under the providing department; an
   escalated dispute's decision overdue is the coordinator's, counted in the total only.
6. The most requested resources: the entries with the most requests received in the period,
   the most first, then by code; at most `TOP_RESOURCES`.
7. Read in pages from the existing store queries (`graph.sharing.reading`: `find`,
   `find_share_requests`, `find_objections`; then `departments`, `get_many`): no store query
   of its own. Memory is bounded by the departments and the distinct entries requested,
   never by the requests: times are kept as histograms of whole working days.

What is overdue, with its department, is listed by `graph.sharing.rectification`.

    stats = await sharing_statistics(store, calendar, rulebook, Period.year(2026))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from graph.dates import beijing_date
from graph.enums import LifecycleState, ShareType
from graph.errors import InvalidValue
from graph.sharing.calendar import WorkingCalendar
from graph.sharing.objections import Objection, ObjectionAction, ObjectionState
from graph.sharing.overdue import OverdueKind, overdue_of
from graph.sharing.reading import PAGE, all_objections, all_requests, own_entries_updated
from graph.sharing.requests import RequestAction, RequestState, ShareRequest
from graph.sharing.rulebook import Rulebook
from graph.sharing.standing import entry_on, objection_on, request_on, update_due
from graph.store import CatalogStore

__all__ = [
    "TOP_RESOURCES",
    "DepartmentStatistics",
    "Durations",
    "Period",
    "RequestedResource",
    "SharingStatistics",
    "durations",
    "sharing_statistics",
]

TOP_RESOURCES = 10
# A period of at most ten years: a report covers a year, an assessment a few.
_MAX_PERIOD_DAYS = 3653

_ANSWERS = frozenset({RequestAction.APPROVE, RequestAction.REFUSE})
_HANDLED = frozenset({ObjectionAction.CORRECT, ObjectionAction.DISMISS})
_TOTAL = "合计"


@dataclass(frozen=True, slots=True)
class Period:
    """Beijing dates from `start` to `end`, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidValue("end", self.end.isoformat(), f"on or after {self.start}")
        if (self.end - self.start).days > _MAX_PERIOD_DAYS:
            raise InvalidValue("end", self.end.isoformat(), "at most ten years after the start")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class Durations:
    """Working-day durations: how many, their median and p95 (None when there are none), and
    whether a count rests on a year not known (rule 5)."""

    count: int
    median: float | None
    p95: int | None
    provisional: bool


@dataclass(frozen=True, slots=True)
class DepartmentStatistics:
    """One department's figures over the period (`code` empty and `name` 合计 for the total)."""

    code: str
    name: str
    entries_by_state: Mapping[LifecycleState, int]
    published_by_share_type: Mapping[ShareType, int]
    updates_overdue: int
    requests_received: int
    requests_answered: int
    requests_made: int
    requests_by_state: Mapping[RequestState, int]
    answer_time: Durations
    answers_late: int
    deliveries_late: int
    objections_received: int
    objections_by_state: Mapping[ObjectionState, int]
    objection_time: Durations
    objections_late: int
    overdue_answers: int
    overdue_deliveries: int
    overdue_objections: int
    overdue_negotiations: int
    overdue_decisions: int  # the coordinator's: in the total only

    @property
    def entries(self) -> int:
        return sum(self.entries_by_state.values())

    @property
    def overdue(self) -> int:
        """Answers, deliveries, objections and disputes overdue on the day judged."""
        return (
            self.overdue_answers
            + self.overdue_deliveries
            + self.overdue_objections
            + self.overdue_negotiations
            + self.overdue_decisions
        )


@dataclass(frozen=True, slots=True)
class RequestedResource:
    code: str
    name: str
    provider_name: str
    requests: int


@dataclass(frozen=True, slots=True)
class SharingStatistics:
    """共享统计: the figures of one instance over `period`, judged on `as_of`: per department
    (by code), their total, and the most requested entries."""

    catalog_id: str
    catalog_name: str
    period: Period
    as_of: date
    departments: tuple[DepartmentStatistics, ...]
    total: DepartmentStatistics
    most_requested: tuple[RequestedResource, ...]

    @property
    def provisional(self) -> bool:
        return self.total.answer_time.provisional or self.total.objection_time.provisional


# -- rule 4: times as histograms -------------------------------------------------------------
@dataclass
class _Times:
    counts: Counter[int] = field(default_factory=Counter)
    provisional: bool = False

    def add(self, days: int, provisional: bool) -> None:
        self.counts[days] += 1
        self.provisional |= provisional

    def merge(self, other: _Times) -> None:
        self.counts.update(other.counts)
        self.provisional |= other.provisional

    def durations(self) -> Durations:
        return durations(self.counts, self.provisional)


def durations(counts: Mapping[int, int], provisional: bool = False) -> Durations:
    """The count, median and p95 (rule 5) of durations given as {working days: how many}."""
    n = sum(counts.values())
    if not n:
        return Durations(0, None, None, provisional)
    middle = (n - 1) // 2, n // 2  # 0-based ranks of the middle value(s)
    rank = -(-95 * n // 100)  # ceil(0.95 n), 1-based
    median_values: list[int] = []
    p95 = None
    seen = 0
    for days in sorted(counts):
        before = seen
        seen += counts[days]
        median_values += [days] * sum(before <= i < seen for i in middle)
        if p95 is None and seen >= rank:
            p95 = days
    return Durations(n, sum(median_values) / 2, p95, provisional)


@dataclass
class _Department:
    by_state: Counter[LifecycleState] = field(default_factory=Counter)
    by_share_type: Counter[ShareType] = field(default_factory=Counter)
    updates_overdue: int = 0
    received: int = 0
    answered: int = 0
    made: int = 0
    requests_by_state: Counter[RequestState] = field(default_factory=Counter)
    answer_time: _Times = field(default_factory=_Times)
    answers_late: int = 0
    deliveries_late: int = 0
    objections: int = 0
    objections_by_state: Counter[ObjectionState] = field(default_factory=Counter)
    objection_time: _Times = field(default_factory=_Times)
    objections_late: int = 0
    overdue: Counter[OverdueKind] = field(default_factory=Counter)

    def merge(self, other: _Department) -> None:
        for name in (
            "by_state",
            "by_share_type",
            "requests_by_state",
            "objections_by_state",
            "overdue",
        ):
            getattr(self, name).update(getattr(other, name))
        for name in (
            "updates_overdue",
            "received",
            "answered",
            "made",
            "answers_late",
            "deliveries_late",
            "objections",
            "objections_late",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.answer_time.merge(other.answer_time)
        self.objection_time.merge(other.objection_time)

    def figures(self, code: str, name: str) -> DepartmentStatistics:
        return DepartmentStatistics(
            code=code,
            name=name,
            entries_by_state={s: self.by_state[s] for s in LifecycleState},
            published_by_share_type={t: self.by_share_type[t] for t in ShareType},
            updates_overdue=self.updates_overdue,
            requests_received=self.received,
            requests_answered=self.answered,
            requests_made=self.made,
            requests_by_state={s: self.requests_by_state[s] for s in RequestState},
            answer_time=self.answer_time.durations(),
            answers_late=self.answers_late,
            deliveries_late=self.deliveries_late,
            objections_received=self.objections,
            objections_by_state={s: self.objections_by_state[s] for s in ObjectionState},
            objection_time=self.objection_time.durations(),
            objections_late=self.objections_late,
            overdue_answers=self.overdue[OverdueKind.ANSWER],
            overdue_deliveries=self.overdue[OverdueKind.DELIVERY],
            overdue_objections=self.overdue[OverdueKind.OBJECTION],
            overdue_negotiations=self.overdue[OverdueKind.NEGOTIATION],
            overdue_decisions=self.overdue[OverdueKind.DECISION],
        )


def _first_day(
    history: Iterable[tuple[object, date]], actions: frozenset[object], upto: date
) -> date | None:
    return next((day for action, day in history if action in actions and day <= upto), None)


def _count_request(
    request: ShareRequest,
    departments: dict[str, _Department],
    as_of: date,
    calendar: WorkingCalendar,
) -> None:
    provider = departments.setdefault(request.provider_code, _Department())
    departments.setdefault(request.requester_code, _Department()).made += 1
    provider.received += 1
    shown = [(s.action, beijing_date(s.at), s.actor) for s in request.history]
    provider.requests_by_state[request.state] += 1
    received = beijing_date(request.received_at)
    answer = next(((a, d, who) for a, d, who in shown if a in _ANSWERS), None)
    if answer is not None:
        provider.answered += 1
        if answer[2] == request.provider_code:  # not the instance's decision on submission
            took = calendar.working_days_between(received, answer[1])
            provider.answer_time.add(took.days, took.provisional)
        if request.answer_due is not None and answer[1] > request.answer_due.date:
            provider.answers_late += 1
    delivered = _first_day(((a, d) for a, d, _ in shown), frozenset({RequestAction.DELIVER}), as_of)
    if (
        delivered is not None
        and request.delivery_due is not None
        and delivered > request.delivery_due.date
    ):
        provider.deliveries_late += 1


def _count_objection(
    objection: Objection,
    departments: dict[str, _Department],
    as_of: date,
    calendar: WorkingCalendar,
) -> None:
    provider = departments.setdefault(objection.provider_code, _Department())
    provider.objections += 1
    shown = [(s.action, beijing_date(s.at)) for s in objection.history]
    provider.objections_by_state[objection.state] += 1
    handled = _first_day(shown, _HANDLED, as_of)
    if handled is not None:
        took = calendar.working_days_between(beijing_date(objection.received_at), handled)
        provider.objection_time.add(took.days, took.provisional)
        if objection.answer_due is not None and handled > objection.answer_due.date:
            provider.objections_late += 1


def _as_of(period: Period, as_of: date | None) -> date:
    return period.end if as_of is None else as_of


async def sharing_statistics(
    store: CatalogStore,
    calendar: WorkingCalendar,
    rulebook: Rulebook,
    period: Period,
    as_of: date | None = None,
    top: int = TOP_RESOURCES,
) -> SharingStatistics:
    """The figures of `store`'s instance over `period`, judged on `as_of` (the module's
    rules)."""
    day = _as_of(period, as_of)
    departments: dict[str, _Department] = {}
    coordinator = _Department()  # an escalated dispute's decision is owed by no department
    for_entry: dict[str, _Department] = {}
    async for entry, data_updated in own_entries_updated(store, day):
        stood = entry_on(entry, day)
        if stood is None:
            continue
        one = for_entry.setdefault(entry.provider_code, _Department())
        one.by_state[stood[0]] += 1
        if stood[0] is LifecycleState.PUBLISHED:
            one.by_share_type[entry.share_type] += 1
            due = update_due(entry, calendar, rulebook, day, data_updated)
            if due is not None and day > due.date:
                one.updates_overdue += 1
    for code, one in for_entry.items():
        departments.setdefault(code, _Department()).merge(one)
    requested: Counter[str] = Counter()
    pending_requests: list[ShareRequest] = []
    async for held in all_requests(store):
        request = request_on(held, day)
        if request is not None and beijing_date(request.received_at) in period:
            _count_request(request, departments, day, calendar)
            requested[request.resource_code] += 1
            pending_requests.append(request)
        if len(pending_requests) >= PAGE:
            _count_overdue(pending_requests, [], departments, coordinator, day, calendar)
            pending_requests = []
    _count_overdue(pending_requests, [], departments, coordinator, day, calendar)
    pending_objections: list[Objection] = []
    async for held_objection in all_objections(store):
        objection = objection_on(held_objection, day)
        if objection is not None and beijing_date(objection.received_at) in period:
            _count_objection(objection, departments, day, calendar)
            pending_objections.append(objection)
        if len(pending_objections) >= PAGE:
            _count_overdue([], pending_objections, departments, coordinator, day, calendar)
            pending_objections = []
    _count_overdue([], pending_objections, departments, coordinator, day, calendar)

    names = {d.code: d.name for d in await store.departments(sorted(departments))}
    total = _Department()
    for one in (*departments.values(), coordinator):
        total.merge(one)
    ranked = sorted(requested.items(), key=lambda kv: (-kv[1], kv[0]))[: max(top, 0)]
    entries = await store.get_many([code for code, _ in ranked])
    most = tuple(
        RequestedResource(
            code,
            entries[code].name if code in entries else code,
            entries[code].provider_name if code in entries else "",
            count,
        )
        for code, count in ranked
    )
    return SharingStatistics(
        catalog_id=store.catalog.id,
        catalog_name=store.catalog.name,
        period=period,
        as_of=day,
        departments=tuple(
            departments[code].figures(code, names.get(code, code)) for code in sorted(departments)
        ),
        total=total.figures("", _TOTAL),
        most_requested=most,
    )


def _count_overdue(
    requests: list[ShareRequest],
    objections: list[Objection],
    departments: dict[str, _Department],
    coordinator: _Department,
    day: date,
    calendar: WorkingCalendar,
) -> None:
    """Overdue on `day`, of requests and objections as they stood on it (rule 5); what the
    coordinator owes counts in the total only."""
    for late in overdue_of(requests, objections, day, calendar):
        owing = (
            coordinator
            if late.department is None
            else departments.setdefault(late.department, _Department())
        )
        owing.overdue[late.kind] += 1
