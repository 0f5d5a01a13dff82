"""The rows of a sheet as entries: grouping an entry's row with its items' rows, reading the
cells into a `Resource`, and placing a refusal (`InvalidValue`) back on its row and column.

A row with a name or a code starts an entry; a row with only item cells adds an item to the
entry above; a blank row is skipped. An entry's items are its following rows, or all in its
信息项名称 cell (``姓名/字符型/50；性别/字符型/2``) when that cell holds a ``/`` and 数据类型 is
empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from graph.enums import Classification, FormatClass, ShareType, UpdateCycle
from graph.errors import InvalidValue
from graph.exchange.reading import Row, Sheet
from graph.exchange.template import (
    COLUMNS,
    Cell,
    item_parts,
    parse_bool,
    parse_codes,
    parse_date,
    parse_enum,
    parse_item_part,
    parse_length,
    parse_modes,
    parse_themes,
)
from graph.model import DataItem, Resource

__all__ = ["Problem", "Record", "parse_record", "problem_of", "records"]

_RESOURCE_FIELDS = frozenset(c.field for c in COLUMNS if not c.is_item)
_ITEM_FIELDS = tuple(c.field for c in COLUMNS if c.is_item)
_ITEM_INDEX = re.compile(r"^items\[(\d+)\]\.(\w+)$")
_LABELS = {c.field: c.label for c in COLUMNS}


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one row of a sheet is refused: where (sheet, row, column and its label), the value
    found, what would be accepted, and the article when a regulation's rule refused it."""

    sheet: str
    row: int
    column: str
    label: str
    value: str
    accepted: str
    rule: str | None = None

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row} column {self.column} ({self.label})"
        rule = f" ({self.rule})" if self.rule else ""
        return f"{where}: {self.value or '(empty)'!s} is refused{rule}: {self.accepted}"


@dataclass(slots=True)
class Record:
    """One entry's rows: its own (`row`, `cells`) and its items' (row number, cells)."""

    sheet: str
    row: int
    cells: dict[str, Cell]
    items: list[tuple[int, dict[str, Cell]]] = field(default_factory=list)
    one_cell: bool = False


def _starts_entry(row: Row) -> bool:
    return any(row.cells.get(f) not in (None, "") for f in ("code", "name", "summary"))


def records(rows: Iterator[Row], name_column: str = "A") -> Iterator[Record | Problem]:
    """The entries of a sheet's rows, in order; an item row with no entry above is a
    `Problem` (placed in `name_column`, the sheet's 信息资源名称)."""
    current: Record | None = None
    for row in rows:
        if row.is_blank:
            continue
        cells = row.cells
        item = {k: cells[k] for k in _ITEM_FIELDS if k in cells}
        if _starts_entry(row):
            if current is not None:
                yield current
            own = {k: v for k, v in cells.items() if k in _RESOURCE_FIELDS}
            current = Record(row.sheet, row.number, own)
            name = item.get("item.name")
            if (
                isinstance(name, str)
                and "/" in name.replace("／", "/")
                and not item.get("item.data_type")
            ):
                current.one_cell = True
                current.items.append((row.number, item))
            elif any(v not in (None, "") for v in item.values()):
                current.items.append((row.number, item))
        elif current is None:
            yield Problem(
                row.sheet,
                row.number,
                name_column,
                "信息资源名称",
                "",
                "an entry's row (with its 信息资源名称) before the rows of its items",
            )
        else:
            current.items.append((row.number, item))
    if current is not None:
        yield current


def _text(cells: dict[str, Cell], name: str) -> str:
    value = cells.get(name)
    if value is None:
        return ""
    if type(value) is str:
        return value  # `Sheet.rows` stripped it
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _optional(cells: dict[str, Cell], name: str) -> str | None:
    return _text(cells, name) or None


def _items(record: Record) -> tuple[DataItem, ...]:
    found: list[DataItem] = []
    if record.one_cell:
        (_, cells) = record.items[0]
        for part in item_parts(_text(cells, "item.name")):
            item = _ONE_CELL.get(part)
            if item is None:
                item = _item_of(part, len(found))
                if len(_ONE_CELL) >= _ONE_CELL_SIZE:
                    _ONE_CELL.clear()
                _ONE_CELL[part] = item
            found.append(item)
        return tuple(found)
    for i, (_, cells) in enumerate(record.items):
        base = _optional(cells, "item.is_base_item")
        share = _optional(cells, "item.share_type")
        found.append(
            DataItem(
                name=_text(cells, "item.name"),
                data_type=_text(cells, "item.data_type"),
                length=parse_length(f"items[{i}].length", cells.get("item.length")),
                is_base_item=parse_bool(f"items[{i}].is_base_item", base or ""),
                share_type=None
                if share is None
                else parse_enum(f"items[{i}].share_type", ShareType, share),
            )
        )
    return tuple(found)


# Items as written in one cell (姓名/字符型/18) and the items they read as: the same few recur
# across a catalog's entries, and an item is a frozen value, shared as it is.
_ONE_CELL: dict[str, DataItem] = {}
_ONE_CELL_SIZE = 20_000


def _item_of(part: str, index: int) -> DataItem:
    """The item `part` of a cell writes, the `index`-th of its entry."""
    name, data_type, length = parse_item_part(part)
    if length is None or length.isdecimal():  # the field's name made only when refused
        number = None if length is None else int(length)
    else:
        number = parse_length(f"items[{index}].length", length)
    return DataItem(name, data_type, number)


def parse_record(record: Record, provider_code: str, provider_name: str) -> Resource:
    """The entry `record` describes, as `provider_code` provides it (a blank 提供方 is the
    importing department); `InvalidValue` naming the field of the first cell not read."""
    cells = record.cells
    classification = _optional(cells, "classification")
    published = cells.get("published_on")
    return Resource(
        code=_text(cells, "code"),
        name=_text(cells, "name"),
        provider_code=_text(cells, "provider_code") or provider_code,
        provider_name=_text(cells, "provider_name") or provider_name,
        summary=_text(cells, "summary"),
        format_class=parse_enum("format_class", FormatClass, _text(cells, "format_class")),
        format_type=_text(cells, "format_type"),
        share_type=parse_enum("share_type", ShareType, _text(cells, "share_type")),
        update_cycle=parse_enum("update_cycle", UpdateCycle, _text(cells, "update_cycle")),
        classification=None
        if classification is None
        else parse_enum("classification", Classification, classification),
        items=_items(record),
        share_condition=_optional(cells, "share_condition"),
        legal_basis=_optional(cells, "legal_basis"),
        share_modes=parse_modes("share_modes", _text(cells, "share_modes")),
        open_to_public=parse_bool("open_to_public", _text(cells, "open_to_public")),
        open_condition=_optional(cells, "open_condition"),
        published_on=parse_date("published_on", published),
        related_codes=parse_codes(_text(cells, "related_codes")),
        derived_from=parse_codes(_text(cells, "derived_from")),
        themes=parse_themes(_text(cells, "themes")),
    )


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(str(v) for v in value)
    return str(value)


def problem_of(sheet: Sheet, record: Record, error: InvalidValue) -> Problem:
    """`error` placed on the row and column of `record` it is about."""
    field_name, row = error.field, record.row
    found = _ITEM_INDEX.match(field_name)
    index_field = field_name.split("[", 1)[0]
    if found is not None:
        index, part = int(found.group(1)), found.group(2)
        column_field = "item.name" if record.one_cell else f"item.{part}"
        if not record.one_cell and index < len(record.items):
            row = record.items[index][0]
        elif record.items:
            row = record.items[0][0]
    elif field_name == "items":
        column_field = "item.name"
    elif index_field in _RESOURCE_FIELDS:
        column_field = index_field
    else:
        column_field = "name"
    cells = record.cells
    if found is None and column_field in cells and cells[column_field] is not None:
        value = _shown(cells[column_field])  # the cell as written, not as read
    else:
        value = _shown(error.value)
    return Problem(
        record.sheet,
        row,
        sheet.letter_of(column_field),
        _LABELS.get(column_field, column_field),
        value,
        error.accepted,
        error.rule,
    )
