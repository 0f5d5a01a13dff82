"""Export then import, for every kind of entry the sample generator makes: what is read back is
the entry as written (every field of the template), and writing it again gives the same file,
cell for cell — xlsx (items in following rows, or in one cell) and CSV in UTF-8 and GBK."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from graph.exchange.reading import open_sheet
from graph.exchange.records import Record, parse_record, records
from graph.exchange.template import COLUMNS
from graph.exchange.writing import write_csv, write_xlsx
from graph.model import Resource
from graph.sample import generate_catalog

# Every field the template holds (the lifecycle, history and extensions are the store's).
TEMPLATE_FIELDS = (
    "code",
    "name",
    "provider_code",
    "provider_name",
    "summary",
    "format_class",
    "format_type",
    "share_type",
    "update_cycle",
    "classification",
    "items",
    "share_condition",
    "legal_basis",
    "share_modes",
    "open_to_public",
    "open_condition",
    "published_on",
    "related_codes",
    "derived_from",
    "themes",
)
FORMATS = [
    ("xlsx", None, False),
    ("xlsx", None, True),
    ("csv", "utf-8", False),
    ("csv", "gbk", False),
]


@pytest.fixture(scope="module")
def entries() -> list[Resource]:
    """1,200 sample entries over every catalog: every share type, cycle, format class, base
    items, classified ones, lineage and related codes."""
    return [e for batch in generate_catalog(1200, seed=11).resources(400) for e in batch]


def write(path: Path, entries: list[Resource], encoding: str | None, one_cell: bool) -> None:
    with path.open("wb") as out:
        if path.suffix == ".xlsx":
            write_xlsx(out, "目录", entries, items_in_one_cell=one_cell)
        else:
            write_csv(out, "目录", entries, encoding or "utf-8", items_in_one_cell=one_cell)


def cells(path: Path, encoding: str | None) -> list[tuple[object, ...]]:
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
            return [tuple(r) + (None,) * (len(COLUMNS) - len(r)) for r in rows]
        finally:
            book.close()
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    with path.open(encoding=codec, newline="") as text:
        return [tuple(row) for row in csv.reader(text)]


def read(path: Path) -> list[Resource]:
    with open_sheet(path) as sheet:
        found = list(records(sheet.rows()))
    assert all(isinstance(r, Record) for r in found)
    return [parse_record(r, "", "") for r in found if isinstance(r, Record)]


def test_the_sample_covers_what_the_template_must_carry(entries: list[Resource]) -> None:
    assert {e.share_type for e in entries} == {"UNCONDITIONAL", "CONDITIONAL", "NONE"}
    assert len({e.update_cycle for e in entries}) == 6
    assert any(i.is_base_item for e in entries for i in e.items)
    assert any(e.classification == "CLASSIFIED" for e in entries)
    assert any(e.derived_from for e in entries)
    assert any(e.related_codes for e in entries)
    assert any(e.open_condition for e in entries)
    assert any(e.legal_basis for e in entries)
    assert any(e.published_on for e in entries)
    assert any(e.published_on is None for e in entries)


@pytest.mark.parametrize(("suffix", "encoding", "one_cell"), FORMATS)
def test_every_sample_entry_reads_back_as_written_and_writes_again_cell_for_cell(
    tmp_path: Path,
    entries: list[Resource],
    suffix: str,
    encoding: str | None,
    one_cell: bool,
) -> None:
    first = tmp_path / f"first.{suffix}"
    write(first, entries, encoding, one_cell)
    back = read(first)
    assert len(back) == len(entries)
    for written, read_back in zip(entries, back, strict=True):
        for name in TEMPLATE_FIELDS:
            if one_cell and name == "items":  # one cell holds name, type and length only
                expected = [(i.name, i.data_type, i.length) for i in written.items]
                assert [(i.name, i.data_type, i.length) for i in read_back.items] == expected
                continue
            assert getattr(read_back, name) == getattr(written, name), (written.code, name)
    second = tmp_path / f"second.{suffix}"
    write(second, back, encoding, one_cell)
    assert cells(second, encoding) == cells(first, encoding)
