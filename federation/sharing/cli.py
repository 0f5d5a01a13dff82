"""``mulu calendar`` and ``mulu rules``: the instance's working days and the rulebook in force.

$ mulu calendar load 2027.toml      # validate the State Council's notice for 2027 and keep it
$ mulu calendar show 2027           # its holidays, make-up workdays, source and status
$ mulu rules -c 510100-intranet.toml

A year is official (the ``chinesecalendar`` package), loaded (a file kept in the instance's
``calendar_dir``, which wins over the package's for its year) or provisional (no schedule: its
working days are Monday to Friday and every date counted in it is marked provisional).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from federation.options import ConfigOption, calendar_of, settings_from
from federation.sharing.schedules import keep_schedule
from graph.errors import InvalidValue
from graph.sharing import (
    OPERATOR_DEADLINES,
    ScheduleStatus,
    WorkingCalendar,
    official_schedules,
)

__all__ = ["calendar", "rules"]

calendar = typer.Typer(
    name="calendar",
    help="Working days (工作日): the holiday schedules (节假日安排) of the instance.",
    no_args_is_help=True,
)


@calendar.command("load")
def load_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="a year's schedule (TOML): year, source (the notice), [[holidays]]",
            exists=True,
            dir_okay=False,
        ),
    ],
    config: ConfigOption = None,
) -> None:
    """Validate a year's schedule and keep it in the calendar directory (replacing that
    year's): deadlines in that year are then exact."""
    settings = settings_from(config)
    try:
        text = file.read_text(encoding="utf-8")
        schedule, kept, replaced = keep_schedule(settings.calendar_dir, text)
    except InvalidValue as exc:
        typer.echo(f"refused: {file}: {exc}", err=True)
        raise typer.Exit(1) from None
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"mulu calendar load: {exc}", err=True)
        raise typer.Exit(1) from None
    workdays = len(schedule.makeup_workdays())
    typer.echo(
        f"loaded {schedule.year}: {len(schedule.holidays)} holidays, {workdays} make-up "
        f"workdays, from {schedule.source}"
    )
    typer.echo(f"kept in {kept}" + (" (replacing the file of that year)" if replaced else ""))
    if schedule.year in official_schedules():
        typer.echo(f"it replaces the official schedule of {schedule.year} at this instance")


@calendar.command("show")
def show_command(
    year: Annotated[int, typer.Argument(help="the year, e.g. 2027", min=1, max=9998)],
    config: ConfigOption = None,
) -> None:
    """A year's holidays, make-up workdays (调休), source, and whether it is official, loaded
    or provisional."""
    known = calendar_of(settings_from(config), "mulu calendar")
    console = Console()
    schedule = known.schedule(year)
    if schedule is None:
        console.print(
            Text(
                f"{year}: provisional — no schedule is known. Its working days are Monday to "
                "Friday, and every date counted in it is marked provisional until its "
                "schedule is loaded from the State Council's notice (mulu calendar load FILE)."
            )
        )
    else:
        console.print(Text(f"{year}: {schedule.status.value} — {schedule.source}"))
        table = Table("holiday (放假)", "from", "to", "days", "make-up workdays (调休上班)")
        for holiday in schedule.holidays:
            table.add_row(
                holiday.name,
                holiday.first.isoformat(),
                holiday.last.isoformat(),
                str((holiday.last - holiday.first).days + 1),
                ", ".join(day.isoformat() for day in holiday.makeup_workdays) or "—",
            )
        console.print(table)
    console.print(Text(_coverage(known)))


def _coverage(known: WorkingCalendar) -> str:
    """Which years are known, e.g. ``known years: official 2004–2026; loaded 2027``."""
    parts = []
    for status in (ScheduleStatus.OFFICIAL, ScheduleStatus.LOADED):
        years = sorted(y for y in known.known_years if known.status(y) is status)
        if years:
            parts.append(f"{status.value} {_ranges(years)}")
    last = max(known.known_years, default=None)
    after = f"; provisional after {last}" if last is not None else "; every year provisional"
    return "known years: " + "; ".join(parts) + after


def _ranges(years: list[int]) -> str:
    spans: list[list[int]] = []
    for year in years:
        if spans and spans[-1][1] == year - 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def rules(config: ConfigOption = None) -> None:
    """Print the rulebook in force: each deadline (working days) and rule with its source."""
    settings = settings_from(config)
    rulebook = settings.rulebook_in_force()
    console = Console()
    local = ", ".join(rulebook.local) if rulebook.local else "none"
    console.print(Text(f"rulebook: {rulebook.title} ({rulebook.key}); local rules: {local}"))
    deadlines = Table(title="Deadlines (工作日)")
    deadlines.add_column("deadline", no_wrap=True)
    deadlines.add_column("days", justify="right")
    deadlines.add_column("counted from", ratio=1)
    deadlines.add_column("source", overflow="fold", ratio=2)
    for deadline in rulebook.deadlines:
        source = Text(deadline.source)
        if deadline.note:
            source.append(f"\n({deadline.note})", style="dim")
        deadlines.add_row(
            deadline.name.value, str(deadline.working_days), deadline.counted_from, source
        )
    for name, counted_from in OPERATOR_DEADLINES.items():
        if rulebook.deadline(name) is None:
            deadlines.add_row(
                name.value,
                "—",
                counted_from,
                Text(
                    "no regulation gives a figure and operator_deadlines sets none: no clock",
                    style="dim",
                ),
            )
    console.print(deadlines)
    table = Table(title="Rules")
    table.add_column("rule", no_wrap=True)
    table.add_column("what", overflow="fold", ratio=1)
    table.add_column("source", overflow="fold", ratio=1)
    for rule in rulebook.rules:
        what = Text(rule.text)
        if rule.check is not None:
            what.append("\n(checked on every create and update of an entry)", style="dim")
        table.add_row(rule.name.value, what, Text(rule.source))
    console.print(table)
