"""Sharing (共享): working-day deadlines and the rulebook; share requests and objections next.

Built so far:

- `WorkingCalendar` (`graph.sharing.calendar`): official working days (工作日, 调休 included) on
  Beijing dates; past the last known year a date is counted on weekends alone and marked
  provisional. Its schedules (`graph.sharing.schedules`): the package's official ones and those
  an operator loads from the State Council's notice.

    calendar = WorkingCalendar.official()
    due = calendar.add_working_days(received, 10)

What will follow, as DESIGN "Sharing" sets it out: a share request (`ShareRequest`) made by a
department for one resource, living at the entry's origin instance (submitted → approved /
refused (reasons, always) → delivered → closed, or withdrawn; UNCONDITIONAL requests approved
without a person, national 第十、十二条); an objection (疑义/纠错) that names an entry and what is
wrong, confirmed and corrected by the provider.

It stays in `graph` (a pure domain), so `sync` and `federation` may use it and it imports
neither.
"""

from graph.sharing.calendar import (
    Day,
    WorkingCalendar,
    WorkingDate,
    WorkingDay,
    WorkingDayCount,
)
from graph.sharing.schedules import (
    Holiday,
    ScheduleStatus,
    YearSchedule,
    official_schedules,
    parse_schedule,
)

__all__ = [
    "Day",
    "Holiday",
    "ScheduleStatus",
    "WorkingCalendar",
    "WorkingDate",
    "WorkingDay",
    "WorkingDayCount",
    "YearSchedule",
    "official_schedules",
    "parse_schedule",
]
