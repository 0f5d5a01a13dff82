"""Holiday schedules (节假日安排): the State Council's notice for a year, as data.

Each year the General Office of the State Council (国务院办公厅) publishes the year's holidays
(放假) and the weekend days worked in exchange (调休上班, make-up workdays). A `YearSchedule` is
one such notice: its year, its holiday periods with the make-up workdays of each, and the
notice it comes from. The rules:

1. A date in a holiday period is a rest day, a make-up workday a working day, whatever the
   weekday; every other date is a working day from Monday to Friday.
2. A notice may reach into the December before its year (元旦 2019 ran 2018-12-30 – 2019-01-01,
   with 2018-12-29 worked); its days count all the same.
3. The official schedules come from the ``chinesecalendar`` package for the years it covers
   (`official_schedules`, status OFFICIAL); an operator loads a later year — or corrects one —
   from a file (`parse_schedule`, status LOADED).

A schedule file (TOML), one per year, as the notice reads:

    year = 2027
    source = "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕7号）"

    [[holidays]]
    name = "春节"
    first = 2027-02-06
    last = 2027-02-13
    makeup_workdays = [2027-02-14, 2027-02-20]

`parse_schedule` refuses anything else with `InvalidValue`, naming the field (``holidays[1].last``)
and what is accepted: the year from 2000 to 2199; the source naming the notice by its document
number (国办发明电〔2026〕7号, issued in the year before or the year itself); holiday periods
within the year (or from the December before), at most 31 days each, none overlapping; make-up
workdays on a Saturday or Sunday, never on a holiday; no key besides these.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from graph.errors import InvalidValue

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "Holiday",
    "ScheduleStatus",
    "YearSchedule",
    "official_schedules",
    "parse_schedule",
]

FIRST_YEAR = 2000
LAST_YEAR = 2199
_LONGEST_HOLIDAY = 31  # days; the longest yet was 10 (春节 2020, extended)
_LONGEST_TEXT = 500

# A notice's document number (文号): 国办发明电〔2025〕7号; 〔〕 as the standard writes it, or the
# brackets a keyboard has.
_DOCUMENT_NUMBER = re.compile(r"国办发(?:明电)?[〔\[［(（](\d{4})[〕\]］)）]\d+号")


class ScheduleStatus(StrEnum):
    """Where a year's schedule comes from, as shown beside each date counted on it."""

    OFFICIAL = "official"  # the chinesecalendar package
    LOADED = "loaded"  # a file the operator loaded from the State Council's notice
    PROVISIONAL = "provisional"  # none known: weekends alone


@dataclass(frozen=True, slots=True)
class Holiday:
    """A holiday period (放假, weekends within it included) and the make-up workdays (调休上班)
    the notice sets for it."""

    name: str
    first: date
    last: date
    makeup_workdays: tuple[date, ...] = ()

    def days(self) -> Iterator[date]:
        """Every date of the period, `first` to `last`."""
        day = self.first
        while day <= self.last:
            yield day
            day += timedelta(days=1)


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """节假日安排: one year's holidays and make-up workdays, and the notice they come from."""

    year: int
    holidays: tuple[Holiday, ...]
    source: str
    status: ScheduleStatus = ScheduleStatus.LOADED

    def rest_days(self) -> frozenset[date]:
        return frozenset(day for holiday in self.holidays for day in holiday.days())

    def makeup_workdays(self) -> frozenset[date]:
        return frozenset(day for holiday in self.holidays for day in holiday.makeup_workdays)


def parse_schedule(text: str) -> YearSchedule:
    """The schedule a file's TOML `text` describes (status LOADED), or `InvalidValue`."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidValue("file", str(exc), "a TOML document (https://toml.io)") from None
    _only_keys("", document, ("year", "source", "holidays"))
    year = _year(document.get("year"))
    source = _source(document.get("source"), year)
    raw = document.get("holidays")
    if not isinstance(raw, list) or not raw:
        raise InvalidValue(
            "holidays", raw, "one [[holidays]] table or more (name, first, last, makeup_workdays)"
        )
    holidays = tuple(_holiday(f"holidays[{i}]", one, year) for i, one in enumerate(raw))
    _no_overlaps(holidays)
    return YearSchedule(year, holidays, source, ScheduleStatus.LOADED)


def _only_keys(where: str, table: Mapping[str, Any], accepted: tuple[str, ...]) -> None:
    for key in table:
        if key not in accepted:
            accepted_keys = "no such key; one of " + ", ".join(accepted)
            raise InvalidValue(f"{where}{key}", table[key], accepted_keys)


def _year(value: object) -> int:
    if type(value) is not int or not FIRST_YEAR <= value <= LAST_YEAR:
        raise InvalidValue("year", value, f"the year of the notice, {FIRST_YEAR} to {LAST_YEAR}")
    return value


def _source(value: object, year: int) -> str:
    accepted = (
        "the State Council notice it comes from, with its document number, e.g. "
        f"国务院办公厅关于{year}年部分节假日安排的通知（国办发明电〔{year - 1}〕7号）"
    )
    if not isinstance(value, str) or not value.strip() or len(value) > _LONGEST_TEXT:
        raise InvalidValue("source", value, accepted)
    found = _DOCUMENT_NUMBER.search(value)
    if found is None:
        raise InvalidValue("source", value, accepted)
    issued = int(found.group(1))
    if issued not in (year - 1, year):
        raise InvalidValue(
            "source",
            value,
            f"a notice issued in {year - 1} or {year} for the holidays of {year}; "
            f"{found.group(0)} was issued in {issued}",
        )
    return value.strip()


def _date(field: str, value: object, year: int) -> date:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):  # refused below, as any other value
            value = date.fromisoformat(value.strip())
    if type(value) is not date:  # a datetime is a date too: refused, it has a time
        raise InvalidValue(field, value, "a date such as 2027-02-06 (no time of day)")
    if not (value.year == year or (value.year == year - 1 and value.month == 12)):
        raise InvalidValue(field, value.isoformat(), f"a date of {year}, or of December {year - 1}")
    return value


def _holiday(where: str, raw: object, year: int) -> Holiday:
    if not isinstance(raw, dict):
        raise InvalidValue(where, raw, "a [[holidays]] table: name, first, last, makeup_workdays")
    _only_keys(f"{where}.", raw, ("name", "first", "last", "makeup_workdays"))
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise InvalidValue(
            f"{where}.name", name, "the holiday's name, e.g. 春节 (1 to 100 characters)"
        )
    first = _date(f"{where}.first", raw.get("first"), year)
    last = _date(f"{where}.last", raw.get("last"), year)
    if last.year != year:
        raise InvalidValue(f"{where}.last", last.isoformat(), f"a date of {year}")
    length = (last - first).days + 1
    if not 1 <= length <= _LONGEST_HOLIDAY:
        raise InvalidValue(
            f"{where}.last",
            last.isoformat(),
            f"a date from {first.isoformat()} (first) to at most {_LONGEST_HOLIDAY} days on",
        )
    raw_workdays = raw.get("makeup_workdays", [])
    if not isinstance(raw_workdays, list):
        raise InvalidValue(
            f"{where}.makeup_workdays", raw_workdays, "a list of dates, e.g. [2027-02-14]"
        )
    workdays: list[date] = []
    for i, value in enumerate(raw_workdays):
        field = f"{where}.makeup_workdays[{i}]"
        day = _date(field, value, year)
        if day.weekday() < 5:
            raise InvalidValue(
                field,
                day.isoformat(),
                "a Saturday or Sunday: a make-up workday (调休上班) is a weekend day worked; "
                f"{day.isoformat()} is a {day.strftime('%A')}",
            )
        if first <= day <= last:
            raise InvalidValue(field, day.isoformat(), f"a day outside the holiday itself ({name})")
        workdays.append(day)
    return Holiday(name.strip(), first, last, tuple(sorted(set(workdays))))


def _no_overlaps(holidays: tuple[Holiday, ...]) -> None:
    rest: dict[date, str] = {}
    for i, holiday in enumerate(holidays):
        for day in holiday.days():
            if day in rest:
                raise InvalidValue(
                    f"holidays[{i}].first",
                    holiday.first.isoformat(),
                    f"a period that does not overlap {rest[day]} ({day.isoformat()} is in both)",
                )
            rest[day] = holiday.name
    for i, holiday in enumerate(holidays):
        for j, day in enumerate(holiday.makeup_workdays):
            if day in rest:
                raise InvalidValue(
                    f"holidays[{i}].makeup_workdays[{j}]",
                    day.isoformat(),
                    f"a day that is not a holiday ({day.isoformat()} is in {rest[day]})",
                )


# The package's names of the holidays, in the notices' words.
_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@cache
def official_schedules() -> Mapping[int, YearSchedule]:
    """The official schedules the ``chinesecalendar`` package records, by year (status
    OFFICIAL). A period belongs to the year it ends in (元旦 2018-12-30 – 2019-01-01 is 2019's),
    a make-up workday to the nearest period of the same holiday."""
    import chinese_calendar  # the package's tables, read once

    version = str(getattr(chinese_calendar, "__version__", "?"))
    rest: dict[date, str] = {
        day: str(getattr(name, "value", name)) for day, name in chinese_calendar.holidays.items()
    }
    worked: dict[date, str] = {
        day: str(getattr(name, "value", name)) for day, name in chinese_calendar.workdays.items()
    }
    periods: list[tuple[str, date, date]] = []
    for day in sorted(rest):
        name = rest[day]
        if periods and periods[-1][0] == name and periods[-1][2] == day - timedelta(days=1):
            periods[-1] = (name, periods[-1][1], day)
        else:
            periods.append((name, day, day))
    makeup: dict[int, list[date]] = {i: [] for i in range(len(periods))}
    for day, name in sorted(worked.items()):
        nearest = min(
            (i for i, (n, _, _) in enumerate(periods) if n == name),
            key=lambda i: min(abs((periods[i][1] - day).days), abs((periods[i][2] - day).days)),
            default=None,
        )
        if nearest is not None:  # the package names every make-up workday's holiday
            makeup[nearest].append(day)
    by_year: dict[int, list[Holiday]] = {}
    for i, (name, first, last) in enumerate(periods):
        holiday = Holiday(_NAMES.get(name, name), first, last, tuple(makeup[i]))
        by_year.setdefault(last.year, []).append(holiday)
    return {
        year: YearSchedule(
            year,
            tuple(holidays),
            f"国务院办公厅 {year}年部分节假日安排 (as the chinesecalendar package {version} "
            "records it)",
            ScheduleStatus.OFFICIAL,
        )
        for year, holidays in sorted(by_year.items())
    }
