"""What stood on a day: an entry, a share request or an objection as it was at the end of a
Beijing day, and when an entry was due for an update — the past a report is judged on.

The rules:

1. A request or an objection stood as its steps taken by the end of the day made it: its
   later steps are not yet taken (`request_on`, `objection_on`; None when received later).
2. An entry stood in the state of its last lifecycle step by the end of the day, last updated
   on that step's day (or on a later edit of its content, by then); None when it did not exist
   yet (`entry_on`). A store keeps no past versions, so its other fields are those held now.
3. Update overdue (更新逾期): at the end of each update cycle an entry's data is due again,
   and the department has the rulebook's time to update it — UPDATE_DATA where in force
   (Kunming 第十八条: 5 working days), else UPDATE_CATALOG (15: national 第八条; Kunming
   第十五条):
       due = last update + the cycle's length + those working days
   with the cycle lengths of `CYCLE_LENGTHS`: REALTIME and DAILY one day, WEEKLY seven,
   MONTHLY one month, QUARTERLY three, YEARLY twelve (the same day of the month, or its last
   day). The last update is the last data update the provider recorded by then
   (`graph.sharing.data_updates`); where it recorded none, the entry's own last change (rule
   2) stands in for it. Only a published entry is due; it is overdue on every day after `due`.

    due = update_due(entry, calendar, rulebook, date(2026, 12, 31))
"""

from __future__ import annotations

import calendar as months
import dataclasses
from collections.abc import Mapping
from datetime import date, timedelta

from graph.dates import beijing_date
from graph.enums import LifecycleState, UpdateCycle
from graph.model import Resource
from graph.sharing.calendar import WorkingCalendar, WorkingDate
from graph.sharing.objections import Objection
from graph.sharing.requests import ShareRequest
from graph.sharing.rulebook import Deadline, DeadlineName, Rulebook

__all__ = [
    "CYCLE_LENGTHS",
    "entry_on",
    "objection_on",
    "request_on",
    "update_due",
    "update_source",
]

# (days, months) of each update cycle (rule 3).
CYCLE_LENGTHS: Mapping[UpdateCycle, tuple[int, int]] = {
    UpdateCycle.REALTIME: (1, 0),
    UpdateCycle.DAILY: (1, 0),
    UpdateCycle.WEEKLY: (7, 0),
    UpdateCycle.MONTHLY: (0, 1),
    UpdateCycle.QUARTERLY: (0, 3),
    UpdateCycle.YEARLY: (0, 12),
}
_MEASURES_8 = "《政务信息资源共享管理暂行办法》(国发〔2016〕51号) 第八条"
_KUNMING_15 = "《昆明市政务信息资源共享管理办法》第十五条"


def _add_months(day: date, count: int) -> date:
    month = day.month - 1 + count
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, months.monthrange(year, month)[1]))


def entry_on(entry: Resource, day: date | None) -> tuple[LifecycleState, date | None] | None:
    """The state of `entry` at the end of `day` (None: as it stands) and the day it was last
    updated by then, from its lifecycle history (rule 2); None when it did not exist yet."""
    updated = None if entry.updated_at is None else beijing_date(entry.updated_at)
    if day is None or not entry.history:
        return entry.state, updated or entry.published_on
    steps = [step for step in entry.history if beijing_date(step.at) <= day]
    if not steps:
        return None
    last = beijing_date(steps[-1].at)
    if updated is not None and last <= updated <= day:
        last = updated  # an edit of the content since its last step
    return steps[-1].state, last


def update_due(
    entry: Resource,
    calendar: WorkingCalendar,
    rulebook: Rulebook,
    day: date | None = None,
    data_updated: date | None = None,
) -> WorkingDate | None:
    """The last day `entry` — as it stood at the end of `day`, or as it stands — may go
    without an update (rule 3); `data_updated` the last data update recorded by then, if
    any. None when it was not published then or has no date of update."""
    stood = entry_on(entry, day)
    if stood is None:
        return None
    state, changed = stood
    last = data_updated if data_updated is not None else changed
    if state is not LifecycleState.PUBLISHED or last is None:
        return None
    days, month_count = CYCLE_LENGTHS[entry.update_cycle]
    cycle_end = _add_months(last, month_count) + timedelta(days=days)
    deadline = _update_deadline(rulebook)
    return calendar.add_working_days(cycle_end, 0 if deadline is None else deadline.working_days)


def _update_deadline(rulebook: Rulebook) -> Deadline | None:
    return rulebook.deadline(DeadlineName.UPDATE_DATA) or rulebook.deadline(
        DeadlineName.UPDATE_CATALOG
    )


def update_source(rulebook: Rulebook) -> str:
    """The articles an update's deadline rests on (rule 3), as the rulebook in force cites."""
    deadline = _update_deadline(rulebook)
    if deadline is not None and deadline.name is DeadlineName.UPDATE_DATA:
        return deadline.source
    held = _MEASURES_8 if deadline is None else deadline.source
    return held if _KUNMING_15 in held else f"{held}; {_KUNMING_15}"


def request_on(request: ShareRequest, day: date) -> ShareRequest | None:
    """`request` as it stood at the end of `day` (its steps after it not yet taken); None
    when it was received after `day`."""
    taken = sum(beijing_date(step.at) <= day for step in request.history)
    if not taken:
        return None
    if taken == len(request.history):
        return request
    history = request.history[:taken]
    return dataclasses.replace(request, state=history[-1].state, history=history, version=taken)


def objection_on(objection: Objection, day: date) -> Objection | None:
    """As `request_on`, for an objection."""
    taken = sum(beijing_date(step.at) <= day for step in objection.history)
    if not taken:
        return None
    if taken == len(objection.history):
        return objection
    history = objection.history[:taken]
    return dataclasses.replace(objection, state=history[-1].state, history=history, version=taken)
