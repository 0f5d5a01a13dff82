"""Sharing at an instance: its working calendar and its rulebook, from its settings.

- `read_calendar(directory)`: the `WorkingCalendar` of the instance — the official schedules
  of the ``chinesecalendar`` package with those its operator loaded over them
  (`federation.sharing.schedules`, ``mulu calendar load``).
- `Settings.rulebook_in_force()` names the rulebook; ``mulu rules`` prints it.
- `federation.sharing.forwarding`: a share request asked where the entry is only a copy goes
  to the entry's origin through the peers, for the department asking.
- `federation.sharing.events`: each committed step published on ``mulu.<instance>.sharing``.

    calendar = read_calendar(settings.calendar_dir)
    due = settings.rulebook_in_force().deadline(DeadlineName.ANSWER_CONDITIONAL).due(day, calendar)
"""

from federation.sharing.schedules import ScheduleFileError, keep_schedule, read_calendar

__all__ = ["ScheduleFileError", "keep_schedule", "read_calendar"]
