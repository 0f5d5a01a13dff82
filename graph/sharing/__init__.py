"""Sharing (共享): working-day deadlines and the rulebook; share requests, objections and access
details, and the service departments act on them through.

- `WorkingCalendar` (`graph.sharing.calendar`): official working days (工作日, 调休 included) on
  Beijing dates; past the last known year a date is counted on weekends alone and marked
  provisional. Its schedules (`graph.sharing.schedules`): the package's official ones and those
  an operator loads from the State Council's notice.
- `Rulebook` (`graph.sharing.rulebook`): the deadlines and rules in force at an instance, each
  with its article; by default the State Council's 《政务数据共享条例》 (2025), or the 2016
  measures, with local rule sets (Sichuan's objection clocks, Kunming's legal basis for
  CONDITIONAL entries) on top. A clock started from one of its deadlines is a `Due`
  (`graph.sharing.clocks`), which keeps what it was counted from so that a provisional date
  can be counted again once its year is loaded.
- `ShareRequest` (`graph.sharing.requests`, a pure decision): a department's request for one
  entry, held at the entry's origin — submitted → approved (terms) / refused (reasons,
  always) → delivered → closed, or withdrawn; UNCONDITIONAL approved and NONE refused by the
  instance on submission (national 第十、十二条); a refusal disputed, negotiated, then decided
  by the instance's reviewer as the platform's coordinator (Sichuan 第二十五条).
- `Objection` (`graph.sharing.objections`, a pure decision): what is wrong with an entry or its
  data — reported → confirmed → corrected, or dismissed with reasons; Sichuan 第二十四条's
  clocks where those rules are selected, none otherwise.
- `AccessDetails` (`graph.sharing.access`): how the data is reached (数据挂接), kept apart from
  the entry, shown by share type (`visible_access`).
- `overdue_of` (`graph.sharing.overdue`): answers, deliveries and objections past due.
- `Sharing` (`graph.sharing.service`): the steps over a `CatalogStore`, each compared and set on
  its version with its audit records in the same transaction.
- `sharing_statistics` (`graph.sharing.statistics`): figures per department and period for
  the yearly report (Kunming 第三十五条; Sichuan 第三十四条), judged on what stood on a day
  (`graph.sharing.standing`, update cycles included); `rectification_list`
  (`graph.sharing.rectification`): everything overdue, with its department (整改清单,
  national 第二十四条).

    sharing = Sharing(store, WorkingCalendar.official(), rulebook_named("state-council-2025"))
    request = await sharing.request(Actor(requester), application)

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
from graph.sharing.data_updates import DataUpdate
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
from graph.sharing.overdue import Overdue, OverdueKind, overdue_of
from graph.sharing.queries import ObjectionFilter, Page, RequestFilter
from graph.sharing.rectification import RectificationItem, RectificationKind, rectification_list
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
    OPERATOR_DEADLINES,
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
from graph.sharing.service import Sharing
from graph.sharing.statistics import (
    DepartmentStatistics,
    Durations,
    Period,
    SharingStatistics,
    sharing_statistics,
)

__all__ = [
    "ACCESS_LIMITS",
    "DATA",
    "KUNMING",
    "LOCAL_RULES",
    "MEASURES_2016",
    "OPEN_OBJECTION",
    "OPERATOR_DEADLINES",
    "PUBLIC",
    "RULEBOOKS",
    "SICHUAN",
    "STATE_COUNCIL_2025",
    "AccessDetails",
    "Application",
    "DataUpdate",
    "Day",
    "Deadline",
    "DeadlineName",
    "DepartmentStatistics",
    "Due",
    "Durations",
    "Holiday",
    "LocalRules",
    "Objection",
    "ObjectionAction",
    "ObjectionFilter",
    "ObjectionState",
    "ObjectionStep",
    "Overdue",
    "OverdueKind",
    "Page",
    "Period",
    "RectificationItem",
    "RectificationKind",
    "RequestAction",
    "RequestFilter",
    "RequestState",
    "RequestStep",
    "Rule",
    "RuleName",
    "Rulebook",
    "ScheduleStatus",
    "ShareRequest",
    "Sharing",
    "SharingStatistics",
    "WorkingCalendar",
    "WorkingDate",
    "WorkingDay",
    "WorkingDayCount",
    "YearSchedule",
    "has_approval",
    "objection_clock",
    "objection_fields",
    "official_schedules",
    "overdue_of",
    "parse_schedule",
    "pending_clock",
    "rectification_list",
    "rulebook_named",
    "sharing_statistics",
    "submit",
    "visible_access",
]
