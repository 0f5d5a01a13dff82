"""Working days (graph.sharing.calendar): the official schedule with its make-up workdays (调休),
deadlines counted from day 0, and provisional dates past the last known year that a loaded
schedule makes exact.

The clocks these count: a conditional share request answered within 10 working days (national
第十二条); an objection reported within 5 and answered within 10 (Sichuan 第二十四条).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.sharing import ScheduleStatus, WorkingCalendar, WorkingDate, parse_schedule

# The package as installed may know 2027 one day: capped at 2026, it does not, whatever its version.
OFFICIAL = WorkingCalendar.official(until=2026)

# The State Council's notice for 2027, as an operator would load it (the dates are an example,
# not the real notice, which was not out when this was written).
SCHEDULE_2027 = """
year = 2027
source = "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕9号）"

[[holidays]]
name = "元旦"
first = 2027-01-01
last = 2027-01-03

[[holidays]]
name = "春节"
first = 2027-02-05
last = 2027-02-13
makeup_workdays = [2027-01-31, 2027-02-20]

[[holidays]]
name = "国庆节"
first = 2027-10-01
last = 2027-10-07
makeup_workdays = [2027-09-26, 2027-10-09]
"""
LOADED = OFFICIAL.with_schedule(parse_schedule(SCHEDULE_2027))


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ],
)
def test_the_2026_make_up_workdays_are_working_days(day: date) -> None:
    assert day.weekday() >= 5  # a Saturday or Sunday, worked
    answer = OFFICIAL.is_working_day(day)
    assert (answer.working, answer.provisional) == (True, False)


@pytest.mark.parametrize(
    "day",
    [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]  # 春节: 02-15 – 02-23
    + [date(2026, 10, 1) + timedelta(days=i) for i in range(7)],  # 国庆节: 10-01 – 10-07
)
def test_the_spring_festival_and_national_day_holidays_are_not_working_days(day: date) -> None:
    answer = OFFICIAL.is_working_day(day)
    assert (answer.working, answer.provisional) == (False, False)


def test_an_ordinary_weekend_is_rest_and_a_weekday_is_work() -> None:
    assert not OFFICIAL.is_working_day(date(2026, 3, 7))  # a Saturday
    assert OFFICIAL.is_working_day(date(2026, 3, 9))  # a Monday


def test_the_answer_is_the_packages_for_every_day_it_covers() -> None:
    day = date(2004, 1, 1)
    while day <= date(2026, 12, 31):
        assert bool(OFFICIAL.is_working_day(day)) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_an_instant_is_counted_on_its_beijing_date() -> None:
    # 17:00 UTC on Tuesday 30 September 2026 is 01:00 on Thursday 1 October in Beijing: 国庆节.
    answer = OFFICIAL.is_working_day(datetime(2026, 9, 30, 17, 0, tzinfo=UTC))
    assert (answer.date, answer.working) == (date(2026, 10, 1), False)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        OFFICIAL.add_working_days(datetime(2026, 9, 30, 17, 0), 1)


def test_the_day_received_is_day_0_and_the_deadline_the_nth_working_day_after() -> None:
    # Received Monday 2026-03-02: 10 working days (national 第十二条) end Monday 03-16.
    assert OFFICIAL.add_working_days(date(2026, 3, 2), 10) == WorkingDate(date(2026, 3, 16), False)
    # Received on a Saturday, the Monday after is day 1.
    assert OFFICIAL.add_working_days(date(2026, 3, 7), 1) == WorkingDate(date(2026, 3, 9), False)
    assert OFFICIAL.add_working_days(date(2026, 3, 7), 0) == WorkingDate(date(2026, 3, 7), False)


def test_a_deadline_steps_over_national_day_onto_the_make_up_saturday() -> None:
    # Received Wednesday 30 September: 1 October – 7 October rest, 8 and 9 October work,
    # Saturday 10 October is a make-up workday.
    assert OFFICIAL.add_working_days(date(2026, 9, 30), 3).date == date(2026, 10, 10)


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        OFFICIAL.add_working_days(date(2026, 3, 2), -1)


def test_a_request_of_late_december_is_due_in_january_provisionally_until_2027_is_loaded() -> None:
    received = date(2026, 12, 28)  # a Monday
    provisional = OFFICIAL.add_working_days(received, 10)
    # Weekends alone: 12-29 … 12-31 (3), 01-01 (4), 01-04 … 01-08 (9), 01-11 (10).
    assert provisional == WorkingDate(date(2027, 1, 11), provisional=True)
    exact = LOADED.add_working_days(received, 10)
    # 元旦 2027-01-01 is a holiday in the loaded schedule: one day later, and exact.
    assert exact == WorkingDate(date(2027, 1, 12), provisional=False)


def test_a_loaded_year_is_known_and_its_status_says_so() -> None:
    assert 2027 not in OFFICIAL.known_years
    assert OFFICIAL.status(2027) is ScheduleStatus.PROVISIONAL
    assert OFFICIAL.schedule(2027) is None
    assert LOADED.status(2027) is ScheduleStatus.LOADED
    assert LOADED.status(2026) is ScheduleStatus.OFFICIAL
    assert OFFICIAL.is_working_day(date(2027, 1, 1)).provisional
    assert not LOADED.is_working_day(date(2027, 1, 1))
    assert not LOADED.is_working_day(date(2027, 1, 1)).provisional


def test_past_the_last_known_year_the_weekends_alone_count() -> None:
    far = date(2031, 2, 3)  # a Monday; whatever its Spring Festival will be
    answer = OFFICIAL.is_working_day(far)
    assert (answer.working, answer.provisional) == (True, True)
    assert not OFFICIAL.is_working_day(date(2031, 2, 1)).working  # a Saturday


def test_a_loaded_schedule_wins_over_the_packages_for_the_same_year() -> None:
    corrected = parse_schedule(
        """
        year = 2026
        source = "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）"
        [[holidays]]
        name = "元旦"
        first = 2026-01-01
        last = 2026-01-02
        """
    )
    calendar = OFFICIAL.with_schedule(corrected)
    assert calendar.status(2026) is ScheduleStatus.LOADED
    assert calendar.is_working_day(date(2026, 2, 17))  # the package's 春节 is no longer there
    assert not calendar.is_working_day(date(2026, 1, 4))  # nor its make-up Sunday
    assert WorkingCalendar.official([corrected], until=2026).schedule(2026) == corrected


def test_two_schedules_of_one_status_for_one_year_are_refused() -> None:
    schedule = parse_schedule(SCHEDULE_2027)
    with pytest.raises(ValueError, match="two loaded schedules for 2027"):
        WorkingCalendar([schedule, schedule])


def test_a_notice_reaching_into_december_sets_those_days() -> None:
    # 元旦 2019: 2018-12-30 – 2019-01-01 off, Saturday 2018-12-29 worked (the 2019 notice).
    calendar = WorkingCalendar.official()
    assert calendar.is_working_day(date(2018, 12, 29))
    assert not calendar.is_working_day(date(2018, 12, 31))


@pytest.mark.parametrize(
    ("a", "b", "days", "provisional"),
    [
        # 2026 alone: 261 weekdays, 19 holidays on weekdays, 6 make-up weekend days.
        (date(2025, 12, 31), date(2026, 12, 31), 248, False),
        # Two years: 2025 has 261 weekdays, 18 holidays on weekdays, 5 make-up days.
        (date(2024, 12, 31), date(2026, 12, 31), 248 + 248, False),
        # Three years, the last not known: 2027 on weekends alone (261 weekdays).
        (date(2024, 12, 31), date(2027, 12, 31), 248 + 248 + 261, True),
        # …until its schedule is loaded: 261 less 12 weekday holidays plus 4 make-up days.
        (date(2024, 12, 31), date(2027, 12, 31), 248 + 248 + 253, False),
    ],
    ids=["2026", "2025-2026", "2025-2027-provisional", "2025-2027-loaded"],
)
def test_spans_over_two_and_three_years(a: date, b: date, days: int, provisional: bool) -> None:
    calendar = OFFICIAL if provisional else LOADED
    counted = calendar.working_days_between(a, b)
    assert (counted.days, counted.provisional) == (days, provisional)
    assert calendar.working_days_between(b, a).days == -days


def test_a_span_across_the_year_end_counts_both_years_days() -> None:
    # 2026-12-28 (Monday) to 2027-01-12: 4 days of 2026, 7 of 2027 with 元旦 off.
    assert LOADED.working_days_between(date(2026, 12, 28), date(2027, 1, 12)).days == 10
    assert OFFICIAL.working_days_between(date(2026, 12, 28), date(2027, 1, 12)).days == 11


# A day anywhere from the package's first year to a few years past the last known one.
days = st.dates(min_value=date(2004, 1, 1), max_value=date(2029, 12, 31))
counts = st.integers(min_value=0, max_value=400)
calendars = st.sampled_from([OFFICIAL, LOADED])


@given(calendars, days, counts)
def test_adding_n_working_days_then_counting_back_gives_n(
    calendar: WorkingCalendar, start: date, n: int
) -> None:
    due = calendar.add_working_days(start, n)
    counted = calendar.working_days_between(start, due.date)
    assert counted.days == n
    assert counted.provisional == due.provisional


@given(calendars, days, st.integers(min_value=1, max_value=400))
def test_the_deadline_is_always_a_working_day(
    calendar: WorkingCalendar, start: date, n: int
) -> None:
    assert calendar.is_working_day(calendar.add_working_days(start, n).date).working


@given(calendars, days, counts)
def test_the_deadline_moves_on_with_n(calendar: WorkingCalendar, start: date, n: int) -> None:
    assert calendar.add_working_days(start, n).date < calendar.add_working_days(start, n + 1).date


@given(calendars, days, st.integers(min_value=-60, max_value=400))
def test_counting_a_span_is_counting_its_working_days_one_by_one(
    calendar: WorkingCalendar, start: date, length: int
) -> None:
    end = start + timedelta(days=length)
    lo, hi = min(start, end), max(start, end)
    one_by_one = sum(
        calendar.is_working_day(lo + timedelta(days=i)).working
        for i in range(1, (hi - lo).days + 1)
    )
    assert calendar.working_days_between(start, end).days == (
        one_by_one if end >= start else -one_by_one
    )


@given(days, counts)
def test_a_date_is_provisional_exactly_when_a_day_counted_lies_past_the_known_years(
    start: date, n: int
) -> None:
    due = OFFICIAL.add_working_days(start, n)
    assert due.provisional == (n > 0 and due.date.year > 2026)
