"""Sharing at an instance: its working calendar and its rulebook, from its settings.

- `read_calendar(directory)`: the `WorkingCalendar` of the instance — the official schedules
  of the ``chinesecalendar`` package with those its operator loaded over them
  (`federation.sharing.schedules`, ``mulu calendar load``).
- `Settings.rulebook_in_force()` names the rulebook; ``mulu rules`` prints it.

    calendar = read_calendar(settings.calendar_dir)
    due = settings.rulebook_in_force().deadline(DeadlineName.ANSWER_CONDITIONAL).due(day, calendar)
"""

from federation.sharing.schedules import ScheduleFileError, keep_schedule, read_calendar

__all__ = ["ScheduleFileError", "keep_schedule", "read_calendar"]
