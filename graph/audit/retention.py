"""How long the audit log is kept: 15 years (Chengdu 第二十六条) unless configured longer,
never shorter; nothing younger than that is ever pruned.

Years count on Beijing dates, as the regulations do: the `cutoff` is the start (Asia/Shanghai)
of the day `years` before today's Beijing date, so a record pruned is older than `years` by
every reckoning. Pruning removes the oldest records only (a prefix of the chain) and keeps the
last one removed as the anchor (`AuditHead.anchor_seq`, `anchor_hash`), from which the held
records still verify.

    before = cutoff(datetime.now(UTC), settings.audit_retention_years)
    await store.prune_audit(before)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from graph.audit.records import utc
from graph.dates import BEIJING, beijing_date
from graph.errors import InvalidValue

__all__ = ["RETENTION", "check_prune", "cutoff"]

# Years the audit log is kept, at least (Chengdu 第二十六条).
RETENTION = 15


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year - years, day=28)


def cutoff(now: datetime, years: int = RETENTION) -> datetime:
    """The instant (UTC) before which records may be pruned when the log is kept `years`;
    fewer than `RETENTION` years is refused."""
    if isinstance(years, bool) or not isinstance(years, int) or years < RETENTION:
        raise InvalidValue(
            "retention_years",
            years,
            f"a whole number of years, at least {RETENTION}: the audit log is kept 15 years "
            "unless configured longer",
            rule="Chengdu 第二十六条",
        )
    first_kept = _years_before(beijing_date(utc(now, "now")), years)
    return datetime.combine(first_kept, time(), BEIJING).astimezone(UTC)


def check_prune(before: datetime, now: datetime) -> datetime:
    """`before` in UTC, if pruning the records older than it keeps every record of the last
    `RETENTION` years; refused (field ``before``) otherwise."""
    before = utc(before, "before")
    latest = cutoff(now)
    if before > latest:
        raise InvalidValue(
            "before",
            before.isoformat(),
            f"no later than {latest.isoformat()}: records younger than {RETENTION} years are "
            "never pruned",
            rule="Chengdu 第二十六条",
        )
    return before
