"""The first sheet of an xlsx workbook, its rows streamed from the zip as tuples of values.

What openpyxl's read-only mode reads, several times faster: the sheet's XML is parsed as it
streams (lxml's `iterparse`, libxml2 in C, asked for the rows alone; each row dropped once read)
straight into values, with no cell object of ours per cell — a 100,000-row catalog is read in
seconds, not minutes. Values as openpyxl gives them: text (shared strings, inline strings and
formulas' cached text; rich text as its runs' text, phonetic guides left out), whole numbers as
`int`, others as `float`, booleans, error codes as their text, and dates as `datetime` where the
cell's number format is a date's — Excel's built-in ones (the Chinese ones, 27–36 and 50–58,
among them) or a format code with day, month or year in it. A missing row is an empty tuple,
so that rows keep their numbers.

Bounded: the shared strings, which are held while the sheet is read, may not inflate beyond
`max_shared_bytes` (a zip that would is refused), and the workbook's other parts are small.
Every part is parsed without substituting entities, loading a DTD or reaching the network, and
within libxml2's limits (no `huge_tree`): an entity-expansion bomb is refused, a cell's text
ends where it refers to an entity, and nothing outside the zip is read.

    with first_sheet(path, max_shared_bytes) as sheet:
        sheet.title, sheet.max_row
        for values in sheet.rows: ...
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from lxml import etree

from graph.exchange.errors import FileRefused

__all__ = ["XlsxSheet", "first_sheet"]

Value = str | int | float | bool | date | datetime | None

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ROW, _CELL, _VALUE, _INLINE = _MAIN + "row", _MAIN + "c", _MAIN + "v", _MAIN + "is"
_TEXT, _RUN, _PHONETIC = _MAIN + "t", _MAIN + "r", _MAIN + "rPh"
_DIMENSION = _MAIN + "dimension"

# Excel's built-in number formats that show dates (14–22, 45–47) and those of its Chinese
# locale (27–36, 50–58), which openpyxl does not know.
_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
# A format code shows a date when, outside quoted text, brackets and escapes, it has y, m, d,
# h or s — [h]:mm elapsed times aside, which spreadsheets use for durations, not dates.
_NOT_FORMAT = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_DATE_CODE = re.compile(r"[ymdhsYMDHS]|年|月|日")
_CELL_REF = re.compile(r"([A-Z]+)(\d*)")
# A cell reference's column letters (up to XFD, Excel's last) and the column's index, as met.
_COLUMNS: dict[str, int] = {}
_DIGITS = "0123456789"

# Entities are not substituted (a reference stays a node of its own, its text not read), no
# DTD is loaded, nothing is fetched: a part reads as what it holds, whatever it declares.
# libxml2 refuses a part whose entities would amplify it, even unsubstituted.
_SAFE: dict[str, Any] = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "huge_tree": False,
}
_PARSER = etree.XMLParser(**_SAFE)
# An lxml element (lxml ships no types): the tree API of xml.etree, read-only here.
Element = Any


def _is_date_format(code: str) -> bool:
    return bool(_DATE_CODE.search(_NOT_FORMAT.sub("", code.split(";", 1)[0])))


def _column(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _column_of(ref: str) -> int:
    """The 0-based column of a cell reference (B7 → 1), its letters remembered."""
    letters = ref.rstrip(_DIGITS)
    column = _COLUMNS.get(letters)
    if column is None:
        found = _CELL_REF.match(ref)
        if found is None:
            raise ValueError(f"{ref!r} is no cell reference")
        column = _column(found.group(1))
        if found.group(1) == letters and len(letters) <= 3:
            _COLUMNS[letters] = column
    return column


@dataclass
class XlsxSheet:
    """The sheet's name, the rows its dimension declares (None when it declares none) and its
    rows of values."""

    title: str
    max_row: int | None
    rows: Iterator[tuple[Value, ...]]


def _text(node: Element) -> str:
    """The text of a shared or inline string: its <t>, or its runs' <t>, phonetics left out."""
    parts = []
    for child in node:
        if child.tag == _TEXT:
            parts.append(child.text or "")
        elif child.tag == _RUN:
            parts += [t.text or "" for t in child if t.tag == _TEXT]
    return "".join(parts)


def _xml(book: zipfile.ZipFile, name: str) -> Element | None:
    try:
        return etree.fromstring(book.read(name), _PARSER)
    except KeyError:
        return None


def _part(base: str, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"{base}/{target}")


def _shared_strings(book: zipfile.ZipFile, name: str | None, limit: int) -> list[str]:
    if name is None or name not in book.namelist():
        return []
    size = book.getinfo(name).file_size
    if size > limit:
        raise FileRefused(
            f"its shared strings are {size:,} bytes unpacked; at most {limit:,}: split the file"
        )
    strings: list[str] = []
    with book.open(name) as raw:
        for _, node in etree.iterparse(raw, events=("end",), tag=_MAIN + "si", **_SAFE):
            strings.append(_text(node))
            _drop(node)
    return strings


def _drop(node: Element) -> None:
    """Free `node`, read, and the siblings read before it (lxml keeps a cleared element in
    its parent)."""
    node.clear()
    parent = node.getparent()
    while node.getprevious() is not None:
        del parent[0]


def _date_styles(book: zipfile.ZipFile) -> frozenset[int]:
    """The indexes of the cell styles whose number format shows a date."""
    styles = _xml(book, "xl/styles.xml")
    if styles is None:
        return frozenset()
    codes = {
        int(f.get("numFmtId", "-1")): f.get("formatCode", "") for f in styles.iter(_MAIN + "numFmt")
    }
    found = set()
    cell_xfs = styles.find(_MAIN + "cellXfs")
    for index, xf in enumerate(() if cell_xfs is None else cell_xfs.iter(_MAIN + "xf")):
        number = int(xf.get("numFmtId", "0"))
        code = codes.get(number)
        if (code is None and number in _DATE_FORMATS) or (code and _is_date_format(code)):
            found.add(index)
    return frozenset(found)


def _number(text: str) -> int | float:
    if "." in text or "E" in text or "e" in text:
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return int(text)


def _serial_date(serial: float, epoch_1904: bool) -> datetime:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    moment = from_excel(serial, CALENDAR_MAC_1904 if epoch_1904 else CALENDAR_WINDOWS_1900)
    if isinstance(moment, datetime):
        return moment
    raise ValueError(serial)


def _rows(
    raw: IO[bytes], shared: list[str], dates: frozenset[int], epoch_1904: bool, sheet: XlsxSheet
) -> Iterator[tuple[Value, ...]]:
    number = 0
    for _, node in etree.iterparse(raw, events=("end",), tag=(_DIMENSION, _ROW), **_SAFE):
        if node.tag == _DIMENSION:
            last = node.get("ref", "").rpartition(":")[2]
            found = _CELL_REF.fullmatch(last)
            if found and found.group(2):
                sheet.max_row = int(found.group(2))
            continue
        at = node.get("r")
        here = int(at) if at else number + 1
        while number + 1 < here:  # rows the file leaves out are empty
            number += 1
            yield ()
        number = here
        yield _values(node, shared, dates, epoch_1904)
        _drop(node)


def _values(
    row: Element, shared: list[str], dates: frozenset[int], epoch_1904: bool
) -> tuple[Value, ...]:
    values: list[Value] = []
    for cell in row:
        if cell.tag != _CELL:
            continue
        ref = cell.get("r")
        if ref:
            column = _column_of(ref)
            if column > len(values):
                values += [None] * (column - len(values))
        kind = cell.get("t", "n")
        value: Value = None
        # The cell's children looked at here: lxml's find is a path search, slower.
        if kind == "inlineStr":
            for child in cell:
                if child.tag == _INLINE:
                    value = _text(child)
                    break
            values.append(value)
            continue
        text = None
        for child in cell:
            if child.tag == _VALUE:
                text = child.text
                break
        if text is None:
            value = None
        elif kind == "s":
            value = shared[int(text)]
        elif kind == "n":
            value = _number(text)
            style = cell.get("s")
            if style is not None and int(style) in dates:
                value = _serial_date(value, epoch_1904)
        elif kind == "b":
            value = text == "1"
        elif kind == "d":
            value = datetime.fromisoformat(text)
        else:  # str (a formula's text), e (an error's code)
            value = text
        values.append(value)
    return tuple(values)


@contextmanager
def first_sheet(path: Path, max_shared_bytes: int) -> Iterator[XlsxSheet]:
    """The workbook's first sheet; `FileRefused` when it is not a readable workbook."""
    name = path.name
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRefused(f"{name} is not a readable xlsx workbook ({exc})") from None
    with book:
        try:
            workbook = _xml(book, "xl/workbook.xml")
            if workbook is None:
                raise FileRefused(f"{name} is not an xlsx workbook: it has no xl/workbook.xml")
            first = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
            if first is None:
                raise FileRefused(f"{name} has no sheet")
            properties = workbook.find(_MAIN + "workbookPr")
            epoch_1904 = properties is not None and properties.get("date1904") in ("1", "true")
            rels = _xml(book, "xl/_rels/workbook.xml.rels")
            targets = (
                {}
                if rels is None
                else {
                    r.get("Id"): (r.get("Type", ""), r.get("Target", ""))
                    for r in rels.iter(_PACKAGE_REL + "Relationship")
                }
            )
            _, target = targets.get(first.get(_REL + "id"), ("", "worksheets/sheet1.xml"))
            shared_name = next(
                (_part("xl", t) for kind, t in targets.values() if kind.endswith("/sharedStrings")),
                None,
            )
            shared = _shared_strings(book, shared_name, max_shared_bytes)
            dates = _date_styles(book)
            raw = book.open(_part("xl", target))
        except (KeyError, ValueError, etree.XMLSyntaxError, zipfile.BadZipFile) as exc:
            raise FileRefused(f"{name} is not a readable xlsx workbook ({exc})") from None
        with raw:
            sheet = XlsxSheet(first.get("name", "Sheet1"), None, iter(()))
            sheet.rows = _checked_rows(name, _rows(raw, shared, dates, epoch_1904, sheet))
            # The dimension comes before the rows: read up to it, so that max_row is known.
            sheet.rows = _peeked(sheet.rows)
            yield sheet


def _checked_rows(name: str, rows: Iterator[tuple[Value, ...]]) -> Iterator[tuple[Value, ...]]:
    try:
        yield from rows
    except (etree.XMLSyntaxError, ValueError, IndexError, KeyError, zipfile.BadZipFile) as exc:
        raise FileRefused(f"{name}: its sheet cannot be read ({exc})") from None


def _peeked(rows: Iterator[tuple[Value, ...]]) -> Iterator[tuple[Value, ...]]:
    first = next(rows, None)
    return iter(()) if first is None else _chain(first, rows)


def _chain(
    first: tuple[Value, ...], rest: Iterator[tuple[Value, ...]]
) -> Iterator[tuple[Value, ...]]:
    yield first
    yield from rest
