"""Sharing (共享): working-day deadlines and the rulebook; share requests and objections next.

Built so far:

- `WorkingCalendar` (`graph.sharing.calendar`): official working days (工作日, 调休 included) on
  Beijing dates; past the last known year a date is counted on weekends alone and marked
  provisional. Its schedules (`graph.sharing.schedules`): the package's official ones and those
  an operator loads from the State Council's notice.
- `Rulebook` (`graph.sharing.rulebook`): the deadlines and rules in force at an instance, each
  with its article; by default the State Council's 《政务数据共享条例》 (2025), or the 2016
  measures, with local rule sets (Sichuan's objection clocks, Kunming's legal basis for
  CONDITIONAL entries) on top.

    calendar = WorkingCalendar.official()
    due = STATE_COUNCIL_2025.deadline(DeadlineName.ANSWER_CONDITIONAL).due(received, calendar)

What will follow, as DESIGN "Sharing" sets it out: a share request (`ShareRequest`) made by a
department for one resource, living at the entry's origin instance (submitted → approved /
refused (reasons, always) → delivered → closed, or withdrawn; UNCONDITIONAL requests approved
without a person, national 第十、十二条); an objection (疑义/纠错) that names an entry and what is
wrong, confirmed and corrected by the provider.

It stays in `graph` (a pure domain), so `sync` and `federation` may use it and it imports
neither.
"""

from graph.sharing.access import ACCESS_LIMITS, AccessDetails, has_approval, visible_access
from graph.sharing.calendar import (
    Day,
    WorkingCalendar,
    WorkingDate,
    WorkingDay,
    WorkingDayCount,
)
from graph.sharing.clocks import Due
from graph.sharing.objections import (
    DATA,
    OPEN_OBJECTION,
    PUBLIC,
    Objection,
    ObjectionAction,
    ObjectionState,
    ObjectionStep,
    objection_clock,
    objection_fields,
)
from graph.sharing.queries import ObjectionFilter, Page, RequestFilter
from graph.sharing.requests import (
    Application,
    RequestAction,
    RequestState,
    RequestStep,
    ShareRequest,
    pending_clock,
    submit,
)
from graph.sharing.rulebook import (
    KUNMING,
    LOCAL_RULES,
    MEASURES_2016,
    RULEBOOKS,
    SICHUAN,
    STATE_COUNCIL_2025,
    Deadline,
    DeadlineName,
    LocalRules,
    Rule,
    Rulebook,
    RuleName,
    rulebook_named,
)
from graph.sharing.schedules import (
    Holiday,
    ScheduleStatus,
    YearSchedule,
    official_schedules,
    parse_schedule,
)

__all__ = [
    "ACCESS_LIMITS",
    "DATA",
    "KUNMING",
    "LOCAL_RULES",
    "MEASURES_2016",
    "OPEN_OBJECTION",
    "PUBLIC",
    "RULEBOOKS",
    "SICHUAN",
    "STATE_COUNCIL_2025",
    "AccessDetails",
    "Application",
    "Day",
    "Deadline",
    "DeadlineName",
    "Due",
    "Holiday",
    "LocalRules",
    "Objection",
    "ObjectionAction",
    "ObjectionFilter",
    "ObjectionState",
    "ObjectionStep",
    "Page",
    "RequestAction",
    "RequestFilter",
    "RequestState",
    "RequestStep",
    "Rule",
    "RuleName",
    "Rulebook",
    "ScheduleStatus",
    "ShareRequest",
    "WorkingCalendar",
    "WorkingDate",
    "WorkingDay",
    "WorkingDayCount",
    "YearSchedule",
    "has_approval",
    "objection_clock",
    "objection_fields",
    "official_schedules",
    "parse_schedule",
    "pending_clock",
    "rulebook_named",
    "submit",
    "visible_access",
]
