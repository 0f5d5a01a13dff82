"""Data updates (数据更新): the providing department says when the data an entry describes was
last brought up to date — what "overdue for update" is judged on.

An entry's update cycle (更新周期) is how often its *data* is refreshed, and the regulations
judge the data: "未及时更新数据" (national 第二十四条(三); Kunming 第四十条(三)), "在数据产生或者
变更之日起5个工作日内更新" (Kunming 第十八条). A change of the catalog entry says nothing about
the data, so the provider records each refresh of the data here, and the platform judges it.

The rules:

1. Only the providing department records a data update, of its own published entry, at the
   entry's origin (谁主管，谁提供，谁负责); the sync, the reviewer, the administrator and the
   auditor never do.
2. `updated_on` is a Beijing date, not after the day it is recorded and not before
   `EARLIEST`; a `note` (what was refreshed, how many records) at most `NOTE_LIMIT`
   characters.
3. One a day per entry: recording a day again replaces that day's note; an earlier day than
   the latest is kept as well (a late report) — the history stays, so a report judged on a
   past day sees the updates made by then.
4. The last data update on a day is the latest `updated_on` on or before it
   (`CatalogStore.last_data_updates`). Where none was ever recorded, the entry's own last
   change stands in for it (`graph.sharing.standing`, rule 3).
5. Kept apart from the entry, like access details: in no snapshot, outbox record or change
   event — a daily refresh makes no new version to carry across a link. Each one is an
   audit record (DATA_UPDATE) in the same transaction.

    update = data_update(entry, actor, date(2026, 12, 1), "全量刷新，共 1,204,332 条", now)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from graph.codes import check_credit_code, check_resource_code
from graph.dates import beijing_date
from graph.enums import LifecycleState, Role
from graph.errors import InvalidValue, NotPermitted
from graph.model import Actor, Resource
from graph.sharing.checks import check_instant, optional_text

__all__ = ["EARLIEST", "NOTE_LIMIT", "DataUpdate", "data_update"]

EARLIEST = date(2000, 1, 1)
NOTE_LIMIT = 500


@dataclass(frozen=True, slots=True)
class DataUpdate:
    """The data of entry `resource_code` brought up to date on `updated_on` (a Beijing date),
    recorded by the providing department `department_code` at `recorded_at`."""

    resource_code: str
    updated_on: date
    department_code: str
    recorded_at: datetime
    note: str | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "resource_code", check_resource_code(self.resource_code, "resource_code"))
        set_(self, "department_code", check_credit_code(self.department_code, "department_code"))
        set_(self, "recorded_at", check_instant(self.recorded_at, "recorded_at"))
        set_(self, "note", optional_text("note", self.note, NOTE_LIMIT))
        on = self.updated_on
        if isinstance(on, datetime) or not isinstance(on, date):
            raise InvalidValue("updated_on", on, "a date (YYYY-MM-DD)")
        recorded = beijing_date(self.recorded_at)
        if not EARLIEST <= on <= recorded:
            raise InvalidValue(
                "updated_on",
                on.isoformat(),
                f"a date from {EARLIEST.isoformat()} to the day it is recorded "
                f"({recorded.isoformat()}, Beijing): a data update is reported once made",
            )


def data_update(
    entry: Resource, actor: Actor, updated_on: date, note: str | None, at: datetime
) -> DataUpdate:
    """`actor` records that the data of `entry` was updated on `updated_on` (the module's
    rules 1 and 2); `entry` is held at this instance as its own."""
    if actor.role is not Role.PROVIDER or actor.department_code != entry.provider_code:
        raise NotPermitted(
            f"only the providing department {entry.provider_code} records updates of the data "
            f"of {entry.code} (谁主管，谁提供，谁负责); {actor.department_code} acts as "
            f"{actor.role.value}"
        )
    if entry.state is not LifecycleState.PUBLISHED:
        raise InvalidValue(
            "resource_code",
            entry.code,
            f"a published entry: {entry.code} is {entry.state.value}, and only a published "
            "entry's data is judged for updates",
        )
    return DataUpdate(entry.code, updated_on, actor.department_code, at, note)
