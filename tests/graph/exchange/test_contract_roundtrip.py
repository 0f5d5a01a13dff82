"""Contract: the catalog spreadsheet through a store and back, cell for cell. Every entry the
sample generator makes — every share type, cycle, format class, state, base items, classified
ones, lineage and related codes — is written to the template, imported by its providing
department into an empty store (both stores; the intranet's entries into an intranet catalog,
the extranet's into an extranet one), exported again, and the export equals the first file in
every cell: the codes the entries were brought with, their 发布日期, their items.

The sample numbers every 前段码 in one sequence over both zones; an extranet instance numbers
its own entries in the extranet's range (`graph.codes.SEQUENCE_RANGES`) and takes no entry
brought with a code of the intranet's, so the extranet's entries are given the extranet number
of their sequence first (references to them too)."""

from __future__ import annotations

import csv
import dataclasses
from collections import defaultdict
from pathlib import Path

import pytest
from openpyxl import load_workbook

from graph import Actor, Cataloguing, LifecycleState, ResourceFilter, Zone
from graph.codes import SEQUENCE_RANGES
from graph.exchange.exporting import export_entries
from graph.exchange.importing import Importer
from graph.exchange.template import COLUMNS
from graph.exchange.writing import CsvWriter, XlsxWriter
from graph.model import Catalog, Resource
from graph.sample import generate_catalog
from tests.graph.conftest import OpenStore

TITLE = "政务信息资源目录"


def sample() -> dict[Zone, list[Resource]]:
    """The sample's entries by the zone of their origin, the extranet's renumbered."""
    entries = [e for batch in generate_catalog(1200, seed=11).resources(400) for e in batch]
    shift = SEQUENCE_RANGES[Zone.EXTRANET][0] - SEQUENCE_RANGES[Zone.INTRANET][0]
    extranet = {
        e.code: f"{e.category_code}/{int(e.code.split('/')[1]) + shift:06d}"
        for e in entries
        if e.origin.endswith("/extranet")
    }

    def renumbered(entry: Resource) -> Resource:
        return dataclasses.replace(
            entry,
            code=extranet.get(entry.code, entry.code),
            related_codes=tuple(extranet.get(c, c) for c in entry.related_codes),
            derived_from=tuple(extranet.get(c, c) for c in entry.derived_from),
        )

    by_zone: dict[Zone, list[Resource]] = defaultdict(list)
    for entry in entries:
        zone = Zone.EXTRANET if entry.origin.endswith("/extranet") else Zone.INTRANET
        by_zone[zone].append(renumbered(entry))
    return {zone: sorted(found, key=lambda e: e.code) for zone, found in by_zone.items()}


def write(path: Path, entries: list[Resource]) -> None:
    with path.open("wb") as out:
        writer = XlsxWriter(out, TITLE) if path.suffix == ".xlsx" else CsvWriter(out, TITLE, "gbk")
        writer.write(entries)
        writer.close()


def cells(path: Path) -> list[tuple[object, ...]]:
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
            return [tuple(r) + (None,) * (len(COLUMNS) - len(r)) for r in rows]
        finally:
            book.close()
    with path.open(encoding="gbk", newline="") as text:
        return [tuple(row) for row in csv.reader(text)]


def test_the_sample_holds_every_kind_of_entry_in_both_zones() -> None:
    found = sample()
    for zone in Zone:
        entries = found[zone]
        assert {e.share_type for e in entries} == {"UNCONDITIONAL", "CONDITIONAL", "NONE"}
        assert {e.state for e in entries} == set(LifecycleState)
        assert any(e.derived_from for e in entries)
        assert any(e.related_codes for e in entries)
        assert any(e.published_on for e in entries)
        assert any(i.is_base_item for e in entries for i in e.items)
    assert any(e.classification == "CLASSIFIED" for e in found[Zone.INTRANET])
    assert all(e.code.split("/")[1] >= "500000" for e in found[Zone.EXTRANET])


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
@pytest.mark.parametrize("zone", list(Zone))
async def test_every_sample_entry_imported_and_exported_again_is_the_same_cell_for_cell(
    open_store: OpenStore, tmp_path: Path, zone: Zone, suffix: str
) -> None:
    entries = sample()[zone]
    first = tmp_path / f"first.{suffix}"
    write(first, entries)
    catalog = Catalog("510100", zone, "成都市政务信息资源目录")
    async with open_store(catalog) as store:
        await store.put_catalogs([catalog])
        # Each department imports its own entries (谁主管，谁提供，谁负责).
        by_provider: dict[tuple[str, str], list[Resource]] = defaultdict(list)
        for entry in entries:
            by_provider[(entry.provider_code, entry.provider_name)].append(entry)
        for (code, name), provided in by_provider.items():
            mine = tmp_path / f"{code}.{suffix}"
            write(mine, provided)
            importer = Importer(Cataloguing(store), store, Actor(code), name)
            report = await importer.run(mine)
            assert (report.ok, report.created) == (True, len(provided)), report.problems[:3]
        again = tmp_path / f"again.{suffix}"
        every = ResourceFilter(catalog_id=catalog.id, states=frozenset(LifecycleState))
        with again.open("wb") as out:
            writer = XlsxWriter(out, TITLE) if suffix == "xlsx" else CsvWriter(out, TITLE, "gbk")
            assert await export_entries(store, every, writer) == len(entries)
            writer.close()
    before, after = cells(first), cells(again)
    assert len(after) == len(before)
    for row, (expected, found) in enumerate(zip(before, after, strict=True), start=1):
        assert found == expected, f"row {row}"
