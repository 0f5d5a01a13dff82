"""The yearly report as a spreadsheet (openpyxl): one worksheet per sheet of the report, its
tables one under another — a title row, a bold header row, the rows, the total in bold — and
its charts (openpyxl.chart, drawn by the spreadsheet program from the cells) beside them.

    write_xlsx(report, Path("report-2026.xlsx"))
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from federation.reports.yearly import CHART_ROWS, Chart, Sheet, Table, YearlyReport

if TYPE_CHECKING:
    # openpyxl is imported when a spreadsheet is written, not with the `mulu` command.
    from openpyxl.chart import BarChart, PieChart
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["write_xlsx"]

_WIDE = {"部门": 28, "信息资源名称": 36, "依据": 48, "指标": 28, "提供部门": 24}


def _write_table(ws: Worksheet, table: Table, row: int) -> tuple[int, int]:
    """Write `table` from `row`; return (its header row, the row after it)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    ws.cell(row, 1, table.title).font = bold
    header = row + 1
    for col, name in enumerate(table.headers, 1):
        cell = ws.cell(header, col, name)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        width = _WIDE.get(name, max(10, len(name) * 2 + 2))
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)
    for i, values in enumerate(table.rows):
        for col, value in enumerate(values, 1):
            cell = ws.cell(header + 1 + i, col, value)
            if table.total and i == len(table.rows) - 1:
                cell.font = bold
    return header, header + 1 + len(table.rows) + 1


def _chart(ws: Worksheet, chart: Chart, table: Table, header: int) -> BarChart | PieChart | None:
    from openpyxl.chart import BarChart, PieChart, Reference

    rows = len(table.rows) - (1 if table.total else 0)
    rows = min(rows, CHART_ROWS)
    if rows < 1:
        return None
    drawn: BarChart | PieChart = PieChart() if chart.kind == "pie" else BarChart()
    drawn.title = chart.title
    labels = Reference(ws, min_col=chart.categories + 1, min_row=header + 1, max_row=header + rows)
    for column in chart.series:
        data = Reference(ws, min_col=column + 1, min_row=header, max_row=header + rows)
        drawn.add_data(data, titles_from_data=True)
    drawn.set_categories(labels)
    drawn.width, drawn.height = 18, 9
    return drawn


def _write_sheet(ws: Worksheet, sheet: Sheet, report: YearlyReport, first: bool) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    row = 1
    if first:
        ws.cell(1, 1, report.title).font = Font(bold=True, size=14)
        ws.cell(2, 1, f"{report.catalog_name}（{report.catalog_id}）")
        ws.cell(
            3,
            1,
            f"统计期间：{report.statistics.period.start.isoformat()} 至 "
            f"{report.statistics.period.end.isoformat()}；统计截止："
            f"{report.statistics.as_of.isoformat()}；生成日期：{report.generated_on.isoformat()}",
        )
        ws.cell(4, 1, f"规则：{report.rulebook}")
        row = 6
    headers: dict[str, int] = {}
    for table in sheet.tables:
        headers[table.key], row = _write_table(ws, table, row)
    anchor_col = get_column_letter(len(max(sheet.tables, key=lambda t: len(t.headers)).headers) + 2)
    anchor_row = 1
    for chart in sheet.charts:
        drawn = _chart(ws, chart, sheet.table(chart.table), headers[chart.table])
        if drawn is not None:
            ws.add_chart(drawn, f"{anchor_col}{anchor_row}")
            anchor_row += 20


def write_xlsx(report: YearlyReport, path: Path) -> Path:
    """Write `report` to `path` (replacing it); return `path`."""
    from openpyxl import Workbook

    book = Workbook()
    for i, sheet in enumerate(report.sheets):
        ws = book.active if i == 0 else book.create_sheet()
        assert ws is not None
        ws.title = sheet.name
        _write_sheet(ws, sheet, report, first=i == 0)
    book.properties.title = report.title
    book.properties.creator = report.catalog_name
    book.save(path)
    return path
