"""A clock running on a share request or an objection: a deadline of the rulebook, started.

The rules:

1. A clock starts on a Beijing date (day 0: the day the request or objection is received, or
   the day the request is approved) and is due on the n-th working day after it, n the
   rulebook's figure (`graph.sharing.rulebook.Deadline`); it cites that figure's source.
2. It is late on every day after the day it is due: due on the 8th, late on the 9th.
3. A clock due past the last year the calendar knows is `provisional` (`graph.sharing.calendar`
   rule 2); `recounted` counts it again on a calendar that knows more — a loaded year makes it
   exact. An exact clock recounts to itself on any calendar that holds the same schedules.
4. Where no regulation in force sets the clock, there is none (None), never a guessed figure.

    due = Due.start(rulebook.deadline(DeadlineName.ANSWER_CONDITIONAL), received, calendar)
    due.date, due.provisional, due.late_on(today)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime

from graph.dates import beijing_date
from graph.errors import InvalidValue
from graph.sharing.calendar import Day, WorkingCalendar
from graph.sharing.rulebook import Deadline, DeadlineName

__all__ = ["Due", "start_clock"]

# A figure no regulation comes near: a clock is a few weeks at most.
_MAX_WORKING_DAYS = 366


@dataclass(frozen=True, slots=True)
class Due:
    """A deadline running: `working_days` working days from `started` (day 0), due on `date`;
    `provisional` when a day counted lies in a year the calendar did not know; `source` the
    article that sets it. Read like a `WorkingDate` (``due.date``, ``due.provisional``)."""

    deadline: DeadlineName
    started: Date
    working_days: int
    source: str
    date: Date
    provisional: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "deadline", DeadlineName(self.deadline))
        if (
            isinstance(self.working_days, bool)
            or not isinstance(self.working_days, int)
            or not 0 <= self.working_days <= _MAX_WORKING_DAYS
        ):
            raise InvalidValue(
                "working_days", self.working_days, f"a whole number from 0 to {_MAX_WORKING_DAYS}"
            )
        if self.date < self.started:
            raise InvalidValue(
                "date", self.date.isoformat(), f"a date on or after {self.started.isoformat()}"
            )

    @classmethod
    def start(cls, deadline: Deadline, day: Day, calendar: WorkingCalendar) -> Due:
        """The clock of `deadline` started on `day` (an instant is taken as its Beijing date)."""
        started = beijing_date(day) if isinstance(day, datetime) else day
        due = deadline.due(started, calendar)
        return cls(
            deadline.name,
            started,
            deadline.working_days,
            deadline.source,
            due.date,
            due.provisional,
        )

    def recounted(self, calendar: WorkingCalendar) -> Due:
        """This clock counted again on `calendar` (rule 3)."""
        due = calendar.add_working_days(self.started, self.working_days)
        return Due(
            self.deadline, self.started, self.working_days, self.source, due.date, due.provisional
        )

    def late_on(self, day: Date) -> bool:
        """Whether the clock is past due on `day` (rule 2)."""
        return day > self.date


def start_clock(deadline: Deadline | None, day: Day, calendar: WorkingCalendar) -> Due | None:
    """`Due.start`, or None where no regulation in force sets the clock (rule 4)."""
    return None if deadline is None else Due.start(deadline, day, calendar)
