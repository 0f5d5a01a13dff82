"""The catalog spreadsheet of the 1272 guide (《政务信息资源目录编制指南（试行）》): its columns,
and how an entry becomes cells and cells an entry.

The sheet as departments fill it in: a title row, then two header rows — a group label merged
over its columns (信息资源格式, 信息项信息, 共享属性, 开放属性) with the columns' own labels below,
and single columns merged over both rows — then one row per entry, its data items in the rows
that follow (resource columns blank) or all in one cell (``姓名/字符型/50；性别/字符型/2``).

Every label is the field's own (`graph.fields` on `graph.model`), every enumeration the 1272
guide's word (`graph.enums.LABELS_ZH`); a cell may also hold the English value (``MONTHLY``).
Dates are written as dates and read from an Excel serial number or text (2024-05-01, 2024/5/1,
2024年5月1日).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from graph.enums import (
    LABELS_ZH,
    Classification,
    FormatClass,
    LifecycleState,
    ShareMode,
    ShareType,
    UpdateCycle,
)
from graph.errors import InvalidValue
from graph.fields import facts_of
from graph.model import DataItem, Resource

__all__ = [
    "COLUMNS",
    "ITEM_COLUMNS",
    "Cell",
    "Column",
    "entry_rows",
    "item_parts",
    "parse_bool",
    "parse_codes",
    "parse_date",
    "parse_enum",
    "parse_item_part",
    "parse_items_cell",
    "parse_length",
    "parse_modes",
    "parse_themes",
]

Cell = str | int | float | bool | date | datetime | None

_RESOURCE = facts_of(Resource)
_ITEM = facts_of(DataItem)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the template: the field it holds (``item.`` for a data item's), the group
    label merged above it (None: a single column over both header rows) and its label."""

    field: str
    group: str | None

    @property
    def label(self) -> str:
        if self.field.startswith("item."):
            return _ITEM[self.field.removeprefix("item.")].label_zh
        return _RESOURCE[self.field].label_zh

    @property
    def is_item(self) -> bool:
        return self.field.startswith("item.")


_FORMAT, _ITEMS, _SHARING, _OPEN = "信息资源格式", "信息项信息", "共享属性", "开放属性"

COLUMNS: tuple[Column, ...] = (
    Column("code", None),
    Column("name", None),
    Column("provider_name", None),
    Column("provider_code", None),
    Column("summary", None),
    Column("format_class", _FORMAT),
    Column("format_type", _FORMAT),
    Column("item.name", _ITEMS),
    Column("item.data_type", _ITEMS),
    Column("item.length", _ITEMS),
    Column("item.is_base_item", _ITEMS),
    Column("item.share_type", _ITEMS),
    Column("share_type", _SHARING),
    Column("share_condition", _SHARING),
    Column("legal_basis", _SHARING),
    Column("share_modes", _SHARING),
    Column("open_to_public", _OPEN),
    Column("open_condition", _OPEN),
    Column("update_cycle", None),
    Column("published_on", None),
    Column("related_codes", None),
    Column("derived_from", None),
    Column("themes", None),
    Column("classification", None),
)
ITEM_COLUMNS = tuple(c for c in COLUMNS if c.is_item)

# Separators: between codes or themes, and between the items (and their parts) in one cell.
_LIST_OUT = "；"
_LIST_IN = re.compile(r"[;；,，、\s]+")
_ITEMS_IN = re.compile(r"[;；\n]+")
_ITEM_PARTS = re.compile(r"[/／|｜]")
_YES, _NO = "是", "否"


# -- an entry as cells ------------------------------------------------------------------------


def _label(member: StrEnum | None) -> str | None:
    return None if member is None else LABELS_ZH[member]


def _joined(values: Iterator[str] | tuple[str, ...]) -> str | None:
    text = _LIST_OUT.join(values)
    return text or None


def _resource_cells(entry: Resource) -> dict[str, Cell]:
    return {
        "code": entry.code,
        "name": entry.name,
        "provider_name": entry.provider_name,
        "provider_code": entry.provider_code,
        "summary": entry.summary,
        "format_class": _label(entry.format_class),
        "format_type": entry.format_type,
        "share_type": _label(entry.share_type),
        "share_condition": entry.share_condition,
        "legal_basis": entry.legal_basis,
        "share_modes": _joined(tuple(LABELS_ZH[m] for m in ShareMode if m in entry.share_modes)),
        "open_to_public": _YES if entry.open_to_public else _NO,
        "open_condition": entry.open_condition,
        "update_cycle": _label(entry.update_cycle),
        "published_on": entry.published_on,
        "related_codes": _joined(entry.related_codes),
        "derived_from": _joined(entry.derived_from),
        "themes": _joined(tuple(sorted(entry.themes))),
        "classification": _label(entry.classification),
    }


def _item_cells(item: DataItem) -> dict[str, Cell]:
    return {
        "item.name": item.name,
        "item.data_type": item.data_type,
        "item.length": item.length,
        "item.is_base_item": _YES if item.is_base_item else None,
        "item.share_type": _label(item.share_type),
    }


def item_text(items: tuple[DataItem, ...]) -> str:
    """The items in one cell: ``姓名/字符型/50；性别/字符型/2`` (a length left out when none)."""
    parts = (
        f"{i.name}/{i.data_type}" + ("" if i.length is None else f"/{i.length}") for i in items
    )
    return _LIST_OUT.join(parts)


def entry_rows(entry: Resource, items_in_one_cell: bool = False) -> Iterator[tuple[Cell, ...]]:
    """The rows of `entry`, in `COLUMNS` order: its own row with its first item, then one row
    per further item; with `items_in_one_cell`, one row with the items in 信息项名称."""
    own = _resource_cells(entry)
    if items_in_one_cell:
        own["item.name"] = item_text(entry.items) or None
        yield tuple(own.get(c.field) for c in COLUMNS)
        return
    items = entry.items or (None,)
    for i, item in enumerate(items):
        cells = own if i == 0 else {}
        if item is not None:
            cells = {**cells, **_item_cells(item)}
        yield tuple(cells.get(c.field) for c in COLUMNS)


# -- cells as values ----------------------------------------------------------------------------

E = TypeVar("E", bound=StrEnum)


def _accepted(kind: type[E]) -> str:
    return "one of " + "、".join(LABELS_ZH[m] for m in kind)


# Each enumeration's members by their Chinese label and English value (`parse_enum`).
_BY_WORD: dict[type[StrEnum], dict[str, StrEnum]] = {}


def _words(kind: type[E]) -> dict[str, StrEnum]:
    words = _BY_WORD.get(kind)
    if words is None:
        words = {**{m.value: m for m in kind}, **{LABELS_ZH[m]: m for m in kind}}
        _BY_WORD[kind] = words
    return words


def parse_enum(field: str, kind: type[E], value: str) -> E:
    """The member of `kind` a cell names by its Chinese label (or English value)."""
    text = value.strip()
    found = _words(kind).get(text)
    if found is not None:
        return found  # type: ignore[return-value]
    # Labels as departments shorten them: 无条件 for 无条件共享.
    matches = [m for m in kind if LABELS_ZH[m].startswith(text) and text]
    if len(matches) == 1:
        return matches[0]
    raise InvalidValue(field, value, _accepted(kind))


def parse_modes(field: str, value: str) -> frozenset[ShareMode]:
    return frozenset(parse_enum(field, ShareMode, part) for part in _split(value))


def parse_bool(field: str, value: str) -> bool:
    text = value.strip().lower()
    if text in (_YES, "true", "y", "yes", "1", "√"):
        return True
    if text in (_NO, "false", "n", "no", "0", ""):
        return False
    raise InvalidValue(field, value, f"{_YES} or {_NO}")


def parse_length(field: str, value: Cell) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.isdecimal():
        return int(text)
    raise InvalidValue(field, value, "empty, or a whole number ≥ 1 (the length in characters)")


def _split(value: str) -> list[str]:
    return [part for part in _LIST_IN.split(value) if part]


def parse_codes(value: str) -> tuple[str, ...]:
    """Codes separated by ；, ; , 、 or spaces; `graph.rules` checks each."""
    return tuple(_split(value))


def parse_themes(value: str) -> frozenset[str]:
    return frozenset(_split(value))


_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year quirk kept)
_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(field: str, value: Cell) -> date | None:
    """A date from a date cell, an Excel serial number, or text (2024-05-01, 2024/5/1,
    2024年5月1日)."""
    accepted = "a date: 2024-05-01, 2024/5/1, 2024年5月1日 or a spreadsheet date"
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2_958_466:  # up to 9999-12-31
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise InvalidValue(field, value, accepted)
    text = str(value).strip()
    if text.isdigit() and len(text) <= 6:
        return parse_date(field, int(text))
    found = _DATE_TEXT.match(text)
    if found is None:
        raise InvalidValue(field, value, accepted)
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        raise InvalidValue(field, value, accepted) from None


def item_parts(value: str) -> list[str]:
    """The items written in one cell, each as written (``姓名/字符型/50``), blank ones left
    out."""
    # ； alone (as written by `item_text`) splits as str.split does, without the pattern.
    parts = _ITEMS_IN.split(value) if ";" in value or "\n" in value else value.split(_LIST_OUT)
    return [part for part in parts if part.strip()]


def parse_item_part(part: str) -> tuple[str, str, str | None]:
    """One item written in a cell: (name, data type, length text or None)."""
    if "／" in part or "|" in part or "｜" in part:
        pieces = [p.strip() for p in _ITEM_PARTS.split(part)]
    else:
        pieces = [p.strip() for p in part.split("/")]
    name = pieces[0]
    data_type = pieces[1] if len(pieces) > 1 else ""
    length = pieces[2] if len(pieces) > 2 and pieces[2] else None
    return name, data_type, length


def parse_items_cell(value: str) -> list[tuple[str, str, str | None]]:
    """The items written in one cell: (name, data type, length text or None) each."""
    return [parse_item_part(part) for part in item_parts(value)]


# What `parse_enum` reads for each enumerated column.
ENUMS: Mapping[str, type[StrEnum]] = {
    "format_class": FormatClass,
    "share_type": ShareType,
    "update_cycle": UpdateCycle,
    "classification": Classification,
    "item.share_type": ShareType,
    "state": LifecycleState,
}
