"""Schedule files (graph.sharing.schedules): a year's holidays and make-up workdays (调休) from
the State Council's notice, refused — naming the field and what is accepted — when anything in
them is off; and the official schedules the package records."""

from __future__ import annotations

from datetime import date

import pytest

from graph.errors import InvalidValue
from graph.sharing import Holiday, ScheduleStatus, official_schedules, parse_schedule

HEAD = """
year = 2027
source = "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕9号）"
"""
SPRING = """
[[holidays]]
name = "春节"
first = 2027-02-05
last = 2027-02-13
makeup_workdays = [2027-01-31, 2027-02-20]
"""


def test_a_schedule_file_reads_as_the_notice_does() -> None:
    schedule = parse_schedule(HEAD + SPRING)
    assert (schedule.year, schedule.status) == (2027, ScheduleStatus.LOADED)
    assert schedule.source.endswith("（国办发明电〔2026〕9号）")
    assert schedule.holidays == (
        Holiday(
            "春节", date(2027, 2, 5), date(2027, 2, 13), (date(2027, 1, 31), date(2027, 2, 20))
        ),
    )
    assert len(schedule.rest_days()) == 9
    assert schedule.makeup_workdays() == {date(2027, 1, 31), date(2027, 2, 20)}


def test_dates_may_be_written_as_text_and_reach_into_the_december_before() -> None:
    schedule = parse_schedule(
        HEAD
        + """
        [[holidays]]
        name = "元旦"
        first = "2026-12-31"
        last = "2027-01-02"
        makeup_workdays = ["2026-12-26"]
        """
    )
    assert schedule.holidays[0].first == date(2026, 12, 31)
    assert schedule.holidays[0].makeup_workdays == (date(2026, 12, 26),)


@pytest.mark.parametrize(
    ("text", "field", "accepted"),
    [
        ("year = ", "file", "a TOML document"),
        (HEAD.replace("2027\n", "1999\n") + SPRING, "year", "2000 to 2199"),
        (HEAD.replace("year = 2027", 'year = "2027"') + SPRING, "year", "2000 to 2199"),
        (HEAD.replace("（国办发明电〔2026〕9号）", "") + SPRING, "source", "document number"),
        (HEAD.replace("〔2026〕", "〔2024〕") + SPRING, "source", "issued in 2026 or 2027"),
        (HEAD, "holidays", "one [[holidays]] table or more"),
        (HEAD + SPRING + "region = 1\n", "holidays[0].region", "one of name, first, last"),
        ("colour = 1\n" + HEAD + SPRING, "colour", "one of year, source, holidays"),
        (HEAD + SPRING.replace('"春节"', '" "'), "holidays[0].name", "the holiday's name"),
        (HEAD + SPRING.replace("2027-02-05", "2028-02-05"), "holidays[0].first", "a date of 2027"),
        (HEAD + SPRING.replace("2027-02-05", "2026-11-30"), "holidays[0].first", "December 2026"),
        (HEAD + SPRING.replace("2027-02-05", "2027-02-14"), "holidays[0].last", "from 2027-02-14"),
        (HEAD + SPRING.replace("2027-02-05", "2027-01-05"), "holidays[0].last", "at most 31 days"),
        (
            HEAD + SPRING.replace("2027-02-05", "2027-02-05T08:00:00"),
            "holidays[0].first",
            "no time",
        ),
        (
            HEAD + SPRING.replace("2027-01-31,", "2027-02-01,"),
            "holidays[0].makeup_workdays[0]",
            "a Saturday or Sunday",
        ),
        (
            HEAD + SPRING.replace("2027-01-31,", "2027-02-06,"),
            "holidays[0].makeup_workdays[0]",
            "outside the holiday itself",
        ),
        (
            HEAD + SPRING.replace("[2027-01-31, 2027-02-20]", "2027-02-20"),
            "holidays[0].makeup_workdays",
            "a list of dates",
        ),
        (HEAD + SPRING + SPRING.replace("春节", "春节（补）"), "holidays[1].first", "not overlap"),
        (
            HEAD
            + SPRING
            + """
            [[holidays]]
            name = "清明节"
            first = 2027-04-03
            last = 2027-04-05
            makeup_workdays = [2027-02-06]
            """,
            "holidays[1].makeup_workdays[0]",
            "not a holiday",
        ),
    ],
    ids=[
        "not-toml",
        "year-out-of-range",
        "year-as-text",
        "no-document-number",
        "notice-of-another-year",
        "no-holidays",
        "unknown-holiday-key",
        "unknown-key",
        "blank-name",
        "date-of-another-year",
        "date-before-december",
        "last-before-first",
        "too-long",
        "a-time-of-day",
        "make-up-workday-on-a-weekday",
        "make-up-workday-within-the-holiday",
        "make-up-workdays-not-a-list",
        "overlapping-holidays",
        "make-up-workday-on-another-holiday",
    ],
)
def test_a_file_that_is_off_is_refused_naming_the_field_and_what_is_accepted(
    text: str, field: str, accepted: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_schedule(text)
    assert refused.value.field == field
    assert accepted in refused.value.accepted


def test_the_package_covers_2004_to_2026_at_least_each_year_officially() -> None:
    official = official_schedules()
    assert set(range(2004, 2027)) <= set(official)
    assert all(s.status is ScheduleStatus.OFFICIAL for s in official.values())


def test_the_packages_2026_schedule_names_the_holidays_in_the_notices_words() -> None:
    schedule = official_schedules()[2026]
    assert [h.name for h in schedule.holidays] == [
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
    ]
    national_day = schedule.holidays[-1]
    assert national_day.makeup_workdays == (date(2026, 9, 20), date(2026, 10, 10))


def test_a_period_reaching_back_into_december_belongs_to_the_year_it_ends_in() -> None:
    new_year_2019 = official_schedules()[2019].holidays[0]
    assert (new_year_2019.first, new_year_2019.last) == (date(2018, 12, 30), date(2019, 1, 1))
    assert new_year_2019.makeup_workdays == (date(2018, 12, 29),)
