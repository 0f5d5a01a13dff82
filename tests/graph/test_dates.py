"""Beijing dates (graph.dates): the day the regulations count is the Asia/Shanghai date of an
instant kept in UTC; a naive instant is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.dates import beijing_date, beijing_year


def test_half_past_seven_on_new_year_in_beijing_is_new_year() -> None:
    instant = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # 07:30, 1 January, in Beijing
    assert beijing_date(instant) == date(2026, 1, 1)
    assert beijing_year(instant) == 2026


def test_the_beijing_day_ends_at_16_utc() -> None:
    assert beijing_date(datetime(2026, 3, 1, 15, 59, 59, tzinfo=UTC)) == date(2026, 3, 1)
    assert beijing_date(datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == date(2026, 3, 2)


def test_an_instant_in_another_zone_is_the_same_instant() -> None:
    new_york = timezone(timedelta(hours=-5))
    assert beijing_date(datetime(2026, 1, 31, 11, 0, tzinfo=new_york)) == date(2026, 2, 1)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        beijing_date(datetime(2026, 1, 1, 7, 30))


@given(
    st.datetimes(
        min_value=datetime(1992, 1, 1), max_value=datetime(9000, 1, 1), timezones=st.just(UTC)
    )
)
def test_beijing_is_eight_hours_ahead_all_year(instant: datetime) -> None:
    # China has kept no daylight saving time since 1991: always UTC+8.
    assert beijing_date(instant) == (instant + timedelta(hours=8)).date()
