"""What is overdue (逾期): answers, deliveries and objections past the day their clock was due.

The rules:

1. A share request is late to be answered while SUBMITTED past its `answer_due`, late to be
   delivered while APPROVED past its `delivery_due`; an objection is late while open (REPORTED
   or CONFIRMED) past its `answer_due` (`pending_clock`, `objection_clock`). Late on a day is
   late on every day after the one it was due (`graph.sharing.clocks`, rule 2).
2. The department late is the providing department: it answers, delivers, corrects and
   negotiates a dispute of its refusal; a dispute escalated is owed by the coordinator (the
   instance's REVIEWER, `department` None) — clocks the operator's rule sets
   (`graph.sharing.rulebook.OPERATOR_DEADLINES`).
3. A provisional clock is counted again on the calendar in force (`Due.recounted`) before it
   is judged: a year loaded since makes it exact, and what was late on weekends alone may not
   be. The answer says whether it still rests on a year not known (`provisional`).
4. How late, in working days, is counted from the day due to the day judged
   (`WorkingCalendar.working_days_between`).

    late = overdue_of(requests, objections, today, calendar)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from graph.sharing.calendar import WorkingCalendar
from graph.sharing.clocks import Due
from graph.sharing.objections import Objection, objection_clock
from graph.sharing.requests import ShareRequest, pending_clock
from graph.sharing.rulebook import DeadlineName

__all__ = ["Overdue", "OverdueKind", "overdue_of"]


class OverdueKind(StrEnum):
    ANSWER = "ANSWER"  # a share request not answered in time
    DELIVERY = "DELIVERY"  # approved data not delivered in time
    OBJECTION = "OBJECTION"  # an objection not handled and replied to in time
    NEGOTIATION = "NEGOTIATION"  # a disputed refusal not negotiated in time
    DECISION = "DECISION"  # an escalated dispute not decided by the coordinator in time


_KIND_OF_CLOCK = {
    DeadlineName.ANSWER_UNCONDITIONAL: OverdueKind.ANSWER,
    DeadlineName.ANSWER_CONDITIONAL: OverdueKind.ANSWER,
    DeadlineName.DELIVER_DATA: OverdueKind.DELIVERY,
    DeadlineName.NEGOTIATE_DISPUTE: OverdueKind.NEGOTIATION,
    DeadlineName.DECIDE_DISPUTE: OverdueKind.DECISION,
}


@dataclass(frozen=True, slots=True)
class Overdue:
    """One clock past due on `day`: of the request or objection `id` on entry
    `resource_code`, the `department` late, the clock (`due`, counted on the calendar in
    force), how many `working_days_late`, and whether that rests on a year not known.
    `department` is None where the coordinator is late (rule 2)."""

    kind: OverdueKind
    id: str
    resource_code: str
    department: str | None
    due: Due
    day: date
    working_days_late: int
    provisional: bool


def _late(
    kind: OverdueKind,
    id: str,
    code: str,
    department: str | None,
    clock: Due | None,
    day: date,
    calendar: WorkingCalendar,
) -> Overdue | None:
    if clock is None:
        return None
    due = clock.recounted(calendar) if clock.provisional else clock
    if not due.late_on(day):
        return None
    late = calendar.working_days_between(due.date, day)
    return Overdue(
        kind, id, code, department, due, day, late.days, due.provisional or late.provisional
    )


def overdue_of(
    requests: Iterable[ShareRequest],
    objections: Iterable[Objection],
    day: date,
    calendar: WorkingCalendar,
) -> list[Overdue]:
    """Every clock of `requests` and `objections` late on `day`, the longest due first (then
    by id)."""
    found: dict[tuple[OverdueKind, str], Overdue] = {}
    for request in requests:
        clock = pending_clock(request)
        if clock is None:
            continue
        kind = _KIND_OF_CLOCK[clock.deadline]
        owed_by = None if kind is OverdueKind.DECISION else request.provider_code
        late = _late(kind, request.id, request.resource_code, owed_by, clock, day, calendar)
        if late is not None:
            found[(kind, request.id)] = late
    for objection in objections:
        late = _late(
            OverdueKind.OBJECTION,
            objection.id,
            objection.resource_code,
            objection.provider_code,
            objection_clock(objection),
            day,
            calendar,
        )
        if late is not None:
            found[(OverdueKind.OBJECTION, objection.id)] = late
    return sorted(found.values(), key=lambda o: (o.due.date, o.kind, o.id))
