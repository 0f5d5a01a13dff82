"""Reading a catalog spreadsheet, row by row, without holding the file.

xlsx through `graph.exchange.xlsx` (rows stream from the zip, parsed straight into values),
CSV through the csv module over an incremental decoder. A CSV's encoding is decided from its
first 64 KiB by a strict try-order — a UTF-8 byte order mark, then UTF-8, then GBK, then
GB18030 (what Excel on Chinese Windows writes) — and reported; a later byte the guessed
encoding refuses is the file's error, naming the row. Every file is bounded before it is
opened (`Limits`).

The header: the first of the first 20 rows that names 信息资源名称 is the group row; the next row
holds the columns' own labels when it names any (two header rows, merged cells read as their
top-left value), else the header is one row. Columns are recognised by (group, label) or by
label alone; unknown columns are reported and ignored.

    with open_sheet(path, Limits()) as sheet:
        for row in sheet.rows():
            row.cells["name"]
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from graph.exchange.errors import FileRefused
from graph.exchange.template import COLUMNS, Cell, Column
from graph.exchange.xlsx import first_sheet

__all__ = ["Limits", "Row", "Sheet", "column_letter", "open_sheet"]

_HEADER_SEARCH = 20
_SNIFF = 64 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """What a file may be: at most `max_bytes` (50 MiB) and `max_rows` rows (Excel's own
    limit), at most `max_cell` characters in a cell."""

    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 1_048_576
    max_cell: int = 32_767


@dataclass(frozen=True, slots=True)
class Row:
    """One row below the header: its `number` in the sheet (1-based, as a spreadsheet counts)
    and the cells of the template's columns it has, by field."""

    sheet: str
    number: int
    cells: dict[str, Cell]

    @property
    def is_blank(self) -> bool:
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in self.cells.values())


def column_letter(index: int) -> str:
    """A 0-based column index as a spreadsheet names it: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Sheet:
    """An opened spreadsheet: its name, the columns found, the encoding (CSV) and its rows."""

    name: str
    kind: str  # "xlsx" or "csv"
    encoding: str | None
    total_rows: int | None  # what the file declares, for a progress bar; None when unknown
    _rows: Iterator[tuple[Cell, ...]]
    _limits: Limits
    columns: dict[int, Column] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)
    header_rows: int = 0

    def letter_of(self, field_name: str) -> str:
        for index, column in self.columns.items():
            if column.field == field_name:
                return column_letter(index)
        return "?"

    def rows(self) -> Iterator[Row]:
        """The rows below the header, blank ones included (the caller skips them)."""
        number = self.header_rows
        max_rows, max_cell = self._limits.max_rows, self._limits.max_cell
        fields = [(index, column.field) for index, column in self.columns.items()]
        for values in self._rows:
            number += 1
            if number > max_rows:
                raise FileRefused(f"{self.name} has more than {max_rows} rows: split the file")
            width = len(values)
            cells: dict[str, Cell] = {}
            for index, field_name in fields:
                value = values[index] if index < width else None
                if isinstance(value, str):
                    if len(value) > max_cell:
                        raise FileRefused(
                            f"{self.name} row {number} column {column_letter(index)} holds "
                            f"{len(value)} characters; a cell holds at most {max_cell}"
                        )
                    value = value.strip() or None
                cells[field_name] = value
            yield Row(self.name, number, cells)

    def _find_header(self) -> None:
        by_label: dict[str, list[Column]] = {}
        for column in COLUMNS:
            by_label.setdefault(column.label, []).append(column)
            if column.group is not None:
                by_label.setdefault(f"{column.group}/{column.label}", []).append(column)
        seen: list[tuple[Cell, ...]] = []
        for values in self._rows:
            seen.append(values)
            if any(_text(v) == "信息资源名称" for v in values):
                break
            if len(seen) >= _HEADER_SEARCH:
                raise FileRefused(
                    f"{self.name}: no header naming 信息资源名称 in its first {_HEADER_SEARCH} "
                    "rows; write the template's header (mulu export writes one)"
                )
        else:
            raise FileRefused(f"{self.name}: no header row naming 信息资源名称")
        groups = [_text(v) for v in seen[-1]]
        lower = next(self._rows, ())
        labels = [_text(v) for v in lower]
        two_rows = any(label in by_label for label in labels if label)
        self.header_rows = len(seen) + (1 if two_rows else 0)
        if not two_rows:
            # One header row: the row read past it is the first data row.
            self._rows = _prepend(lower, self._rows) if lower else self._rows
            labels = []
        group = ""
        for index, top in enumerate(groups):
            below = labels[index] if index < len(labels) else ""
            if top:
                group = top
            elif not below:
                group = ""
            label = below or top
            if not label:
                continue
            found = by_label.get(f"{group}/{label}") or by_label.get(label) or []
            if below and not top and not found:
                found = by_label.get(f"{group}/{below}", [])
            chosen = [c for c in found if c.group == (group if below else None)] or found
            if chosen and chosen[0] not in self.columns.values():
                self.columns[index] = chosen[0]
            else:
                self.unknown_columns.append(f"{column_letter(index)} {label}")
        missing = [
            c.label for c in COLUMNS if c.field in _REQUIRED and c not in self.columns.values()
        ]
        if missing:
            raise FileRefused(
                f"{self.name}: the header has no column {'、'.join(missing)}; the template's "
                "columns are " + "、".join(c.label for c in COLUMNS)
            )


_REQUIRED = frozenset({"name", "summary", "share_type", "update_cycle", "item.name"})


def _text(value: Cell) -> str:
    return value.strip().replace("\n", "") if isinstance(value, str) else ""


def _prepend(
    first: tuple[Cell, ...], rest: Iterator[tuple[Cell, ...]]
) -> Iterator[tuple[Cell, ...]]:
    yield first
    yield from rest


def _check_size(path: Path, limits: Limits) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileRefused(f"{path.name}: cannot be read ({exc.strerror})") from None
    if size > limits.max_bytes:
        raise FileRefused(
            f"{path.name} is {size:,} bytes; an import reads at most {limits.max_bytes:,} "
            "bytes: split the file"
        )
    return size


@contextmanager
def open_sheet(path: Path, limits: Limits | None = None) -> Iterator[Sheet]:
    """The first sheet of an xlsx file, or a CSV file, by its suffix; header found."""
    limits = limits or Limits()
    _check_size(path, limits)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        with _open_xlsx(path, limits) as sheet:
            sheet._find_header()
            yield sheet
    elif suffix in (".csv", ".txt"):
        raw = path.open("rb")
        try:
            encoding = detect_encoding(raw.read(_SNIFF))
        except FileRefused:
            raw.close()
            raise
        raw.seek(0)
        # GBK's guess reads on as GB18030, its superset: a rarer character later is still read.
        reading = "gb18030" if encoding == "gbk" else encoding
        text = io.TextIOWrapper(raw, encoding=reading, errors="strict", newline="")
        try:
            sheet = Sheet(path.name, "csv", encoding, None, _csv_rows(path.name, text), limits)
            sheet._find_header()
            yield sheet
        finally:
            text.close()
    else:
        raise FileRefused(f"{path.name}: an .xlsx or .csv file is accepted, not {suffix or 'none'}")


@contextmanager
def _open_xlsx(path: Path, limits: Limits) -> Iterator[Sheet]:
    # Shared strings are held while the sheet streams: at most four times the file's limit.
    with first_sheet(path, 4 * limits.max_bytes) as sheet:
        yield Sheet(sheet.title, "xlsx", None, sheet.max_row, sheet.rows, limits)


# The try-order: the first that decodes the file's start is its encoding.
_ENCODINGS = ("utf-8", "gbk", "gb18030")


def detect_encoding(start: bytes) -> str:
    """The encoding of a CSV from its first bytes: utf-8-sig (a BOM), utf-8, gbk or gb18030."""
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in _ENCODINGS:
        try:
            codecs.getincrementaldecoder(encoding)().decode(start, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileRefused(
        "the CSV is neither UTF-8 (with or without BOM), GBK nor GB18030: save it as "
        "“CSV UTF-8” or as “CSV (逗号分隔)”"
    )


def _csv_rows(name: str, text: io.TextIOWrapper) -> Iterator[tuple[Cell, ...]]:
    reader = csv.reader(text)
    try:
        for values in reader:
            yield tuple(values)
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"{name}: a byte after row {reader.line_num} is not {text.encoding} ({exc.reason}); "
            "save the whole file in one encoding"
        ) from None
    except csv.Error as exc:
        raise FileRefused(f"{name} row {reader.line_num}: {exc}") from None
