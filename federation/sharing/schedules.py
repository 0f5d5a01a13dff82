"""The instance's calendar directory: the holiday schedules its operator loaded, a file a year.

    <calendar_dir>/2027.toml    the State Council's notice for 2027, as the operator loaded it

The rules:

1. `keep_schedule` keeps a file only once it validates (`graph.sharing.parse_schedule`), under
   the name of its year, as it was written (its comments too), replacing the one of that year;
   the file is written beside and renamed, so a reader never sees half of it.
2. `read_calendar` reads every ``<year>.toml`` of the directory into the instance's
   `WorkingCalendar`: the official schedules of the package with the loaded ones over them. A
   missing directory means none loaded; a file that does not validate, or whose year is not its
   name, stops it with `ScheduleFileError` naming the file — an instance does not count
   deadlines on a calendar it cannot read.
3. Other files of the directory are left alone.

    schedule, path, replaced = keep_schedule(settings.calendar_dir, Path("2027.toml").read_text())
    calendar = read_calendar(settings.calendar_dir)
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from graph.errors import InvalidValue
from graph.sharing import WorkingCalendar, YearSchedule, parse_schedule

__all__ = ["ScheduleFileError", "keep_schedule", "read_calendar", "read_schedules"]

_YEAR_FILE = re.compile(r"^(\d{4})\.toml$")


class ScheduleFileError(ValueError):
    """A schedule file of the calendar directory that cannot be used; names the file."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__(f"{path}: {reason}")


def keep_schedule(directory: Path, text: str) -> tuple[YearSchedule, Path, bool]:
    """Validate `text` and keep it as ``<directory>/<year>.toml``: the schedule, where it is
    kept, and whether it replaced a file of that year. `InvalidValue` when it does not
    validate (nothing is written)."""
    schedule = parse_schedule(text)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{schedule.year}.toml"
    replaced = path.exists()
    handle, temporary = tempfile.mkstemp(prefix=f".{schedule.year}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return schedule, path, replaced


def read_schedules(directory: Path) -> list[YearSchedule]:
    """The schedules kept in `directory`, by year; none when it does not exist."""
    if not directory.is_dir():
        return []
    schedules = []
    for path in sorted(directory.iterdir()):
        named = _YEAR_FILE.match(path.name)
        if named is None or not path.is_file():
            continue
        try:
            schedule = parse_schedule(path.read_text(encoding="utf-8"))
        except (InvalidValue, UnicodeDecodeError) as exc:
            raise ScheduleFileError(path, str(exc)) from exc
        if schedule.year != int(named.group(1)):
            raise ScheduleFileError(
                path, f"its year is {schedule.year}: name it {schedule.year}.toml"
            )
        schedules.append(schedule)
    return schedules


def read_calendar(directory: Path, *, until: int | None = None) -> WorkingCalendar:
    """The instance's working calendar: the package's schedules (up to `until` when given)
    with those kept in `directory` over them."""
    return WorkingCalendar.official(read_schedules(directory), until=until)
