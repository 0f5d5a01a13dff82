"""The rectification list (整改清单): everything overdue on a day, with the department that
owes it — the national 第二十四条 triggers (a catalog not updated, information not provided)
as the platform can see them.

The rules:

1. Every clock overdue on the day — answers, deliveries and objections, however long ago
   received — judged on the requests and objections as they stood that day
   (`graph.sharing.standing`, `graph.sharing.overdue`); the department is the provider, or
   the coordinator (`COORDINATOR`) for an escalated dispute's decision.
2. Every own entry overdue for update on the day (`graph.sharing.standing.update_due`).
3. The longest due first, then by kind, department, entry and id; each item cites the
   article that sets its clock.
4. Read in pages from the store (`graph.sharing.reading`); the list itself is the answer.

    todo = await rectification_list(store, calendar, rulebook, date(2027, 1, 15))
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from graph.sharing.calendar import WorkingCalendar
from graph.sharing.objections import Objection
from graph.sharing.overdue import Overdue, OverdueKind, overdue_of
from graph.sharing.reading import PAGE, all_objections, all_requests, own_entries_updated
from graph.sharing.requests import ShareRequest
from graph.sharing.rulebook import Rulebook
from graph.sharing.standing import objection_on, request_on, update_due, update_source
from graph.store import CatalogStore

__all__ = ["COORDINATOR", "RectificationItem", "RectificationKind", "rectification_list"]

# Who owes an escalated dispute's decision (national 第十二条; Sichuan 第二十五条).
COORDINATOR = "本级政务信息资源共享主管部门（协调）"


class RectificationKind(StrEnum):
    """整改事项: 答复逾期 / 提供逾期 / 疑义处理逾期 / 协商逾期 / 协调逾期 / 目录更新逾期."""

    ANSWER = "ANSWER"
    DELIVERY = "DELIVERY"
    OBJECTION = "OBJECTION"
    NEGOTIATION = "NEGOTIATION"
    DECISION = "DECISION"
    UPDATE = "UPDATE"


@dataclass(frozen=True, slots=True)
class RectificationItem:
    """One item of the 整改清单, overdue on `day`: its `kind`, the department that owes it,
    the entry, the request's or objection's id (None for an update), the day it was due, how
    many working days late, whether that rests on a year not known, and the article that
    sets the clock."""

    kind: RectificationKind
    department_code: str | None  # None: the coordinator (an escalated dispute)
    department_name: str
    resource_code: str
    resource_name: str
    subject: str | None
    due: date
    day: date
    working_days_late: int
    provisional: bool
    source: str


_KIND = {
    OverdueKind.ANSWER: RectificationKind.ANSWER,
    OverdueKind.DELIVERY: RectificationKind.DELIVERY,
    OverdueKind.OBJECTION: RectificationKind.OBJECTION,
    OverdueKind.NEGOTIATION: RectificationKind.NEGOTIATION,
    OverdueKind.DECISION: RectificationKind.DECISION,
}


async def rectification_list(
    store: CatalogStore, calendar: WorkingCalendar, rulebook: Rulebook, day: date
) -> list[RectificationItem]:
    """整改清单 on `day` (rule 9): every answer, delivery and objection overdue, and every own
    entry overdue for update, the longest due first (then by kind, department, entry)."""
    found: list[RectificationItem] = []
    late: list[Overdue] = []
    requests: list[ShareRequest] = []
    async for held in all_requests(store):
        request = request_on(held, day)
        if request is not None:
            requests.append(request)
        if len(requests) >= PAGE:
            late += overdue_of(requests, [], day, calendar)
            requests = []
    late += overdue_of(requests, [], day, calendar)
    objections: list[Objection] = []
    async for held_objection in all_objections(store):
        objection = objection_on(held_objection, day)
        if objection is not None:
            objections.append(objection)
        if len(objections) >= PAGE:
            late += overdue_of([], objections, day, calendar)
            objections = []
    late += overdue_of([], objections, day, calendar)
    names: dict[str, str] = {}
    for i in range(0, len(late), PAGE):
        chunk = await store.get_many(sorted({o.resource_code for o in late[i : i + PAGE]}))
        names.update({code: entry.name for code, entry in chunk.items()})
    for one in late:
        found.append(
            RectificationItem(
                kind=_KIND[one.kind],
                department_code=one.department,
                department_name="",
                resource_code=one.resource_code,
                resource_name=names.get(one.resource_code, ""),
                subject=one.id,
                due=one.due.date,
                day=day,
                working_days_late=one.working_days_late,
                provisional=one.provisional,
                source=one.due.source,
            )
        )
    source = update_source(rulebook)
    async for entry, data_updated in own_entries_updated(store, day):
        due = update_due(entry, calendar, rulebook, day, data_updated)
        if due is None or day <= due.date:
            continue
        counted = calendar.working_days_between(due.date, day)
        found.append(
            RectificationItem(
                kind=RectificationKind.UPDATE,
                department_code=entry.provider_code,
                department_name=entry.provider_name,
                resource_code=entry.code,
                resource_name=entry.name,
                subject=None,
                due=due.date,
                day=day,
                working_days_late=counted.days,
                provisional=due.provisional or counted.provisional,
                source=source,
            )
        )
    owing = sorted({i.department_code for i in found if i.department_code is not None})
    departments = {d.code: d.name for d in await store.departments(owing)}
    return sorted(
        (
            dataclasses.replace(
                item,
                department_name=COORDINATOR
                if item.department_code is None
                else departments.get(item.department_code, item.department_name)
                or item.department_code,
            )
            for item in found
        ),
        key=lambda i: (i.due, i.kind, i.department_code or "", i.resource_code, i.subject or ""),
    )
