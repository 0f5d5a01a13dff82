"""``mulu report``: the instance's reports, from its store.

$ mulu report yearly 2026 --out reports/ -c 510100-intranet.toml

writes ``report-2026.xlsx`` and ``report-2026.html`` (self-contained: it opens on a machine
without internet): the yearly report of sharing that Sichuan 第三十四条 asks of every
department by 31 January and Kunming 第三十五条 assesses.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from federation.options import ConfigOption, calendar_of, settings_from, store_of
from federation.reports.html import write_html
from federation.reports.xlsx import write_xlsx
from federation.reports.yearly import YearlyReport, yearly_report
from federation.settings import Settings
from graph.dates import beijing_date
from graph.sharing import WorkingCalendar

__all__ = ["report"]

report = typer.Typer(
    name="report",
    help="Reports (报告) of the instance, written from its store.",
    no_args_is_help=True,
)


async def _report(settings: Settings, calendar: WorkingCalendar, year: int) -> YearlyReport:
    today = beijing_date(datetime.now(UTC))
    async with store_of(settings) as store:
        return await yearly_report(store, calendar, settings.rulebook_in_force(), year, today)


@report.command("yearly")
def yearly_command(
    year: Annotated[int, typer.Argument(help="the year reported on, e.g. 2026", min=2000)],
    out: Annotated[
        Path, typer.Option("--out", help="the directory the files are written to")
    ] = Path("."),
    config: ConfigOption = None,
) -> None:
    """The yearly report of sharing (年度政务信息资源共享工作报告): report-YEAR.xlsx (sheets 总览,
    各部门目录, 共享申请, 疑义纠错, 整改清单, with charts) and report-YEAR.html."""
    from federation.instance import embedded_path

    settings = settings_from(config)
    this_year = beijing_date(datetime.now(UTC)).year
    if year > this_year:
        raise typer.BadParameter(f"{year} has not begun: a year up to {this_year}")
    if settings.store == "embedded":
        held = embedded_path(settings, settings.catalog())
        if not held.exists():
            typer.echo(f"mulu report: no store at {held}: name the instance with -c", err=True)
            raise typer.Exit(1)
    calendar = calendar_of(settings, "mulu report")
    made = asyncio.run(_report(settings, calendar, year))
    out.mkdir(parents=True, exist_ok=True)
    xlsx = write_xlsx(made, out / f"report-{year}.xlsx")
    html = write_html(made, out / f"report-{year}.html")
    total = made.statistics.total
    typer.echo(f"{made.title} {made.catalog_name}（{made.catalog_id}）")
    typer.echo(
        f"{total.entries} entries, {total.requests_received} requests, "
        f"{total.objections_received} objections, {len(made.rectification)} items to rectify"
        f" (figures as of {made.statistics.as_of.isoformat()})"
    )
    typer.echo(f"wrote {xlsx}")
    typer.echo(f"wrote {html}")
