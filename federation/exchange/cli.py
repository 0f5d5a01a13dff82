"""``mulu import`` and ``mulu export``: the catalog spreadsheet of the 1272 guide, in and out.

$ mulu import 目录.xlsx --department 11510100MB0000001Y --dry-run   # the report, nothing written
$ mulu import 目录.csv --department 11510100MB0000001Y              # all rows, or none
$ mulu import 目录.csv --department 11510100MB0000001Y --partial    # the good rows
$ mulu export 目录.xlsx                      # the published entries of this catalog
$ mulu export 目录.csv --encoding gbk --department 11510100MB0000001Y --drafts

An import exits 0 when every row was accepted (and, unless --dry-run, written), 1 when a row
was refused (its problems listed: sheet, row, column, value, what would be accepted), 2 when
the file itself was refused.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from federation.exchange.importer import importer_for
from federation.options import ConfigOption, settings_from, store_of
from federation.settings import Settings
from graph import CatalogError, LifecycleState, ResourceFilter
from graph.exchange.errors import FileRefused
from graph.exchange.exporting import export_entries
from graph.exchange.importing import ImportReport
from graph.exchange.reading import Limits
from graph.exchange.writing import CSV_ENCODINGS, CsvWriter, XlsxWriter

__all__ = ["export_command", "import_command"]

_SHOWN = 50  # problems printed; the report holds up to a thousand


def _print_report(console: Console, report: ImportReport) -> None:
    encoding = f", encoding {report.encoding}" if report.encoding else ""
    console.print(f"{report.file}: sheet {report.sheet} ({report.kind}{encoding})")
    for column in report.unknown_columns:
        console.print(f"  column {column} is not in the template: ignored")
    console.print(f"  {report.entries} entries read, {report.refused} refused")
    for problem in report.problems[:_SHOWN]:
        console.print(f"  {problem}", markup=False, highlight=False)
    if report.problem_count > _SHOWN:
        console.print(f"  … and {report.problem_count - _SHOWN} more problems")
    if report.dry_run:
        console.print("  dry run: nothing written")
    elif report.written:
        console.print(f"  written: {report.created} new drafts, {report.updated} drafts replaced")
    elif not report.ok:
        console.print("  nothing written (all or nothing: fix the rows, or use --partial)")


async def _import(
    settings: Settings, path: Path, department: str, dry_run: bool, partial: bool, limit_mb: int
) -> ImportReport:
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, object] = {}

        def progress(rows: int, total: int | None, phase: str) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task("checking" if phase == "check" else "writing")
            bar.update(tasks[phase], completed=rows, total=total)  # type: ignore[arg-type]

        async with store_of(settings) as store:
            importer = await importer_for(
                store,
                settings.rulebook_in_force(),
                department,
                limits=Limits(max_bytes=limit_mb * 1024 * 1024),
                progress=progress,
            )
            return await importer.run(path, dry_run=dry_run, partial=partial)


def import_command(
    file: Annotated[Path, typer.Argument(help="an .xlsx or .csv file in the catalog template")],
    department: Annotated[
        str,
        typer.Option(
            "--department",
            "-d",
            help="the importing department's 统一社会信用代码 (registered here)",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="check and report; write nothing")
    ] = False,
    partial: Annotated[
        bool, typer.Option("--partial", help="write the good rows when some are refused")
    ] = False,
    max_mb: Annotated[
        int, typer.Option("--max-mb", help="refuse a file larger than this", min=1, max=1024)
    ] = 50,
    config: ConfigOption = None,
) -> None:
    """Import a department's catalog spreadsheet as its drafts, every row checked by the rules
    of any write."""
    settings = settings_from(config)
    try:
        report = asyncio.run(_import(settings, file, department, dry_run, partial, max_mb))
    except FileRefused as exc:
        typer.echo(f"mulu import: {exc}", err=True)
        raise typer.Exit(2) from None
    except CatalogError as exc:
        typer.echo(f"mulu import: {exc}", err=True)
        raise typer.Exit(2) from None
    _print_report(Console(soft_wrap=True), report)
    if not report.ok:
        raise typer.Exit(1)


async def _export(
    settings: Settings,
    out: Path,
    encoding: str,
    department: str | None,
    drafts: bool,
    items_in_one_cell: bool,
) -> int:
    async with store_of(settings) as store:
        catalog = store.catalog
        states = frozenset(LifecycleState) if drafts else frozenset({LifecycleState.PUBLISHED})
        where = ResourceFilter(catalog_id=catalog.id, provider_code=department, states=states)
        title = f"{catalog.name}政务信息资源目录"
        with out.open("wb") as raw:
            writer: XlsxWriter | CsvWriter
            if out.suffix.lower() == ".xlsx":
                writer = XlsxWriter(raw, title, items_in_one_cell)
            else:
                writer = CsvWriter(raw, title, encoding, items_in_one_cell)
            count = await export_entries(store, where, writer)
            writer.close()
            return count


def export_command(
    file: Annotated[Path, typer.Argument(help="the .xlsx or .csv file to write")],
    encoding: Annotated[
        str, typer.Option(help="a CSV's encoding: " + ", ".join(CSV_ENCODINGS))
    ] = "utf-8",
    department: Annotated[
        str | None, typer.Option("--department", "-d", help="only this department's entries")
    ] = None,
    drafts: Annotated[
        bool, typer.Option("--drafts", help="entries in every state, not only published ones")
    ] = False,
    items_in_one_cell: Annotated[
        bool, typer.Option("--items-in-one-cell", help="an entry's items in one cell, one row")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Export this catalog's entries to the catalog spreadsheet (xlsx or CSV)."""
    if file.suffix.lower() not in (".xlsx", ".csv"):
        raise typer.BadParameter(f"{file.name}: name an .xlsx or .csv file", param_hint="FILE")
    if encoding.lower() not in CSV_ENCODINGS:
        raise typer.BadParameter(f"{encoding}: one of {', '.join(CSV_ENCODINGS)}")
    settings = settings_from(config)
    count = asyncio.run(_export(settings, file, encoding, department, drafts, items_in_one_cell))
    typer.echo(f"wrote {count} entries to {file}")
