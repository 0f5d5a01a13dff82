"""Writing entries to the catalog spreadsheet (`graph.exchange.template`), as they stream.

xlsx through openpyxl's write-only mode — a title row merged over the columns, the group labels
merged over their columns, single columns merged over both header rows, dates as dates — and
CSV with the same three header rows, in UTF-8 (with a BOM, so Excel opens it as UTF-8) or GBK.
What `graph.exchange.reading` reads back is what was written, cell for cell.

    with path.open("wb") as out:
        count = write_xlsx(out, "成都市政务信息资源目录", entries)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import IO

from graph.exchange.errors import FileRefused
from graph.exchange.reading import column_letter
from graph.exchange.template import COLUMNS, Cell, entry_rows
from graph.model import Resource

__all__ = ["CSV_ENCODINGS", "CsvWriter", "XlsxWriter", "header_rows", "write_csv", "write_xlsx"]

CSV_ENCODINGS = {"utf-8": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030"}


def header_rows(title: str) -> list[list[Cell]]:
    """The title row and the two header rows, merged cells left blank past their first."""
    width = len(COLUMNS)
    top: list[Cell] = []
    below: list[Cell] = []
    previous: str | None = None
    for column in COLUMNS:
        if column.group is None:
            top.append(column.label)
            below.append(None)
        else:
            top.append(column.group if column.group != previous else None)
            below.append(column.label)
        previous = column.group
    return [[title] + [None] * (width - 1), top, below]


def _merges() -> list[str]:
    """The ranges merged in the header (rows 1–3)."""
    last = column_letter(len(COLUMNS) - 1)
    ranges = [f"A1:{last}1"]
    start = 0
    while start < len(COLUMNS):
        group = COLUMNS[start].group
        end = start
        while group is not None and end + 1 < len(COLUMNS) and COLUMNS[end + 1].group == group:
            end += 1
        first = column_letter(start)
        if group is None:
            ranges.append(f"{first}2:{first}3")
        elif end > start:
            ranges.append(f"{first}2:{column_letter(end)}2")
        start = end + 1
    return ranges


class XlsxWriter:
    """An xlsx workbook written to `out` as entries are given (`write`), saved by `close`."""

    def __init__(self, out: IO[bytes], title: str, items_in_one_cell: bool = False) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font
        from openpyxl.worksheet.cell_range import CellRange

        self._out = out
        self._items_in_one_cell = items_in_one_cell
        self._cell = WriteOnlyCell
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet("目录")
        self.count = 0
        bold = Font(bold=True)
        centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for index, values in enumerate(header_rows(title)):
            cells = []
            for value in values:
                cell = WriteOnlyCell(self._sheet, value if isinstance(value, str) else None)
                cell.font = Font(bold=True, size=14) if index == 0 else bold
                cell.alignment = centred
                cells.append(cell)
            self._sheet.append(cells)
        for merged in _merges():
            self._sheet.merged_cells.add(CellRange(merged))

    def write(self, entries: Iterable[Resource]) -> None:
        for entry in entries:
            self.count += 1
            for row in entry_rows(entry, self._items_in_one_cell):
                cells: list[object] = []
                for value in row:
                    if isinstance(value, date):
                        moment = datetime.combine(value, time())
                        cell = self._cell(self._sheet, moment)
                        cell.number_format = "yyyy-mm-dd"
                        cells.append(cell)
                    else:
                        cells.append(value)
                self._sheet.append(cells)

    def close(self) -> None:
        self._book.save(self._out)


def write_xlsx(
    out: IO[bytes], title: str, entries: Iterable[Resource], items_in_one_cell: bool = False
) -> int:
    """Write `entries` to `out` as an xlsx workbook; return how many were written."""
    writer = XlsxWriter(out, title, items_in_one_cell)
    writer.write(entries)
    writer.close()
    return writer.count


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class CsvWriter:
    """CSV written to `out` in `encoding` (utf-8 with a BOM, gbk or gb18030) as entries are
    given; `close` flushes it and leaves `out` open."""

    def __init__(
        self,
        out: IO[bytes],
        title: str,
        encoding: str = "utf-8",
        items_in_one_cell: bool = False,
    ) -> None:
        codec = CSV_ENCODINGS.get(encoding.lower())
        if codec is None:
            raise FileRefused(f"encoding {encoding!r}: one of {', '.join(CSV_ENCODINGS)}")
        self._encoding = encoding
        self._items_in_one_cell = items_in_one_cell
        self._text = io.TextIOWrapper(out, encoding=codec, errors="strict", newline="")
        self._csv = csv.writer(self._text)
        self.count = 0
        for values in header_rows(title):
            self._csv.writerow([_csv_text(v) for v in values])

    def write(self, entries: Iterable[Resource]) -> None:
        for entry in entries:
            self.count += 1
            try:
                for row in entry_rows(entry, self._items_in_one_cell):
                    self._csv.writerow([_csv_text(v) for v in row])
            except UnicodeEncodeError as exc:
                raise FileRefused(
                    f"{entry.code} holds {exc.object[exc.start : exc.end]!r}, which "
                    f"{self._encoding} cannot write: export as utf-8"
                ) from None

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


def write_csv(
    out: IO[bytes],
    title: str,
    entries: Iterable[Resource],
    encoding: str = "utf-8",
    items_in_one_cell: bool = False,
) -> int:
    """Write `entries` to `out` as CSV in `encoding` (utf-8 with a BOM, gbk or gb18030)."""
    writer = CsvWriter(out, title, encoding, items_in_one_cell)
    writer.write(entries)
    writer.close()
    return writer.count
