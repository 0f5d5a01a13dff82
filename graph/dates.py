"""Beijing dates: the days the regulations count, from the instants the stores keep.

The rules:

1. Instants are stored and sent in UTC (aware `datetime`s), always.
2. Every date the regulations speak of — an entry's publication date, the day of a lifecycle
   step or of an audit record, the year a statistic falls in — is the date in Beijing
   (Asia/Shanghai, UTC+8, no daylight saving): an entry published at 07:30 on 1 January
   Beijing time (23:30 on 31 December UTC) was published on 1 January.
3. A naive `datetime` is refused: whose wall clock it shows cannot be known.

The zone comes from the IANA database (the ``tzdata`` package when the system has none).

    beijing_date(datetime(2025, 12, 31, 23, 30, tzinfo=UTC))  # date(2026, 1, 1)
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

__all__ = ["BEIJING", "beijing_date", "beijing_year"]

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_date(instant: datetime) -> date:
    """The Beijing date of `instant` (aware; a naive one is refused with `ValueError`)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(
            f"{instant.isoformat()} has no time zone: give an aware instant (UTC), "
            "so that its Beijing date is known"
        )
    return instant.astimezone(BEIJING).date()


def beijing_year(instant: datetime) -> int:
    """The year `instant` falls in, counted in Beijing (a yearly report's bucket)."""
    return beijing_date(instant).year
