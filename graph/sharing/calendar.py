"""Working days (工作日): the calendar the regulations' deadlines are counted on.

The rules:

1. A working day is a date that is not rest: Monday to Friday, unless the year's schedule makes
   it a holiday (放假); a Saturday or Sunday the schedule makes a make-up workday (调休上班) is a
   working day too (`graph.sharing.schedules`).
2. A year is known when a schedule covers it — the official one of the ``chinesecalendar``
   package, or one the operator loaded from the State Council's notice. A loaded schedule wins
   over the package's for the same year (an operator correcting it). Past the last known year
   a date is counted on weekends alone and every answer that rests on it says
   ``provisional=True`` — never an exception; loading that year's schedule makes it exact.
3. Counting a deadline: the day something is received is day 0; the deadline of n working days
   is the n-th working day after it (national 第十二条: "应在10个工作日内予以答复"). Received on a
   Saturday, the Monday after is day 1.
4. `working_days_between(a, b)` counts the working days after `a` up to and including `b`
   (negative when `b` is before `a`), so that counting back from a deadline gives n again.
5. An instant (an aware `datetime`) is taken as its Beijing date (`graph.dates`); a naive one is
   refused with `ValueError`.

    calendar = WorkingCalendar.official()
    calendar.add_working_days(date(2026, 9, 30), 1)  # WorkingDate(2026-10-08, provisional=False)

The calendar is a value: `with_schedule` returns a new one, so one read at start-up can be
shared by every request.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from graph.dates import beijing_date
from graph.sharing.schedules import ScheduleStatus, YearSchedule, official_schedules

__all__ = ["Day", "WorkingCalendar", "WorkingDate", "WorkingDay", "WorkingDayCount"]

Day = date | datetime  # a date, or an instant taken as its Beijing date


@dataclass(frozen=True, slots=True)
class WorkingDay:
    """Whether `date` is a working day; `provisional` when its year is not known. Truthy when
    it is a working day, so ``if calendar.is_working_day(d):`` reads as it should."""

    date: date
    working: bool
    provisional: bool

    def __bool__(self) -> bool:
        return self.working


@dataclass(frozen=True, slots=True)
class WorkingDate:
    """A date counted in working days (a deadline); `provisional` when a day counted to reach
    it lies in a year not known."""

    date: date
    provisional: bool


@dataclass(frozen=True, slots=True)
class WorkingDayCount:
    """A number of working days; `provisional` when a day counted lies in a year not known."""

    days: int
    provisional: bool


def _as_date(day: Day) -> date:
    if isinstance(day, datetime):
        return beijing_date(day)
    return day


class WorkingCalendar:
    """The working days of the years its schedules cover, and weekends alone past them.

    `schedules`: one per year; where two are given for a year, the LOADED one wins over the
    OFFICIAL one (two of the same status for a year are refused with `ValueError`).
    """

    def __init__(self, schedules: Iterable[YearSchedule] = ()) -> None:
        chosen: dict[int, YearSchedule] = {}
        for schedule in schedules:
            held = chosen.get(schedule.year)
            if held is not None and held.status is schedule.status:
                raise ValueError(
                    f"two {schedule.status.value} schedules for {schedule.year}; give one"
                )
            if held is None or schedule.status is ScheduleStatus.LOADED:
                chosen[schedule.year] = schedule
        self._schedules: Mapping[int, YearSchedule] = dict(sorted(chosen.items()))
        # The days a schedule sets (True: worked, False: rest), in year order, so that a
        # notice reaching into the December before its year wins for those days.
        setting: dict[date, bool] = {}
        for schedule in self._schedules.values():
            setting.update(dict.fromkeys(schedule.rest_days(), False))
            setting.update(dict.fromkeys(schedule.makeup_workdays(), True))
        self._setting = setting
        # The dates whose status differs from the weekday rule, sorted, for counting spans.
        self._exceptions = sorted(day for day, worked in setting.items() if worked != _weekday(day))

    @classmethod
    def official(
        cls, loaded: Iterable[YearSchedule] = (), *, until: int | None = None
    ) -> WorkingCalendar:
        """The package's official schedules — those up to `until` when given, which is how a
        test stands for a year the package does not know — with the `loaded` ones over them."""
        official = [s for year, s in official_schedules().items() if until is None or year <= until]
        return cls([*official, *loaded])

    def with_schedule(self, schedule: YearSchedule) -> WorkingCalendar:
        """This calendar with `schedule` loaded (replacing a loaded one of the same year)."""
        kept = [s for s in self._schedules.values() if s.year != schedule.year]
        return WorkingCalendar([*kept, schedule])

    @property
    def known_years(self) -> frozenset[int]:
        """The years a schedule covers: dates in them are exact."""
        return frozenset(self._schedules)

    def schedule(self, year: int) -> YearSchedule | None:
        """The schedule in force for `year`; None when it is not known (provisional)."""
        return self._schedules.get(year)

    def status(self, year: int) -> ScheduleStatus:
        """OFFICIAL, LOADED, or PROVISIONAL when no schedule covers `year`."""
        schedule = self._schedules.get(year)
        return ScheduleStatus.PROVISIONAL if schedule is None else schedule.status

    def is_working_day(self, day: Day) -> WorkingDay:
        """Whether `day` is a working day (rule 1)."""
        d = _as_date(day)
        return WorkingDay(d, self._working(d), d.year not in self._schedules)

    def add_working_days(self, start: Day, n: int) -> WorkingDate:
        """The n-th working day after `start` (day 0), n ≥ 0; `start` itself for n = 0."""
        if type(n) is not int or n < 0:
            raise ValueError(f"n = {n!r}: a whole number of working days, 0 or more")
        day = _as_date(start)
        first = day
        left = n
        while left:
            day += timedelta(days=1)
            if self._working(day):
                left -= 1
        return WorkingDate(day, self._provisional(first, day))

    def working_days_between(self, a: Day, b: Day) -> WorkingDayCount:
        """The working days after `a` up to and including `b` (rule 4); negative when `b` is
        before `a`: ``working_days_between(due, today)`` is how many working days late."""
        start, end = _as_date(a), _as_date(b)
        if end < start:
            back = self.working_days_between(end, start)
            return WorkingDayCount(-back.days, back.provisional)
        days = _weekdays_after(start, end)
        # Each date in (start, end] the schedules set against the weekday rule.
        lo = bisect_right(self._exceptions, start)
        hi = bisect_right(self._exceptions, end)
        for day in self._exceptions[lo:hi]:
            days += 1 if self._setting[day] else -1
        return WorkingDayCount(days, self._provisional(start, end))

    def _working(self, day: date) -> bool:
        set_by_schedule = self._setting.get(day)
        return _weekday(day) if set_by_schedule is None else set_by_schedule

    def _provisional(self, after: date, upto: date) -> bool:
        """Whether a day in (after, upto] lies in a year not known."""
        if upto <= after:
            return False
        first = after + timedelta(days=1)
        return any(year not in self._schedules for year in range(first.year, upto.year + 1))

    def __repr__(self) -> str:
        years = sorted(self._schedules)
        span = f"{years[0]}–{years[-1]}" if years else "none"
        return f"WorkingCalendar(known years {span}, {len(years)} schedules)"


def _weekday(day: date) -> bool:
    return day.weekday() < 5


def _weekdays_after(start: date, end: date) -> int:
    """Monday-to-Friday dates in (start, end], end ≥ start."""
    return _weekdays_through(end) - _weekdays_through(start)


def _weekdays_through(day: date) -> int:
    """Monday-to-Friday dates from 0001-01-01 (a Monday) up to and including `day`."""
    ordinal = day.toordinal()  # 1 for 0001-01-01
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)
