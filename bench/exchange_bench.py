"""Benchmark of the catalog spreadsheet: importing N rows (xlsx and CSV) into each store beside
the store's own batch load of the same entries, and exporting them again.

The entries are ``--entries`` entries of the sample catalog, all given to one department of
成都 (the importing one) and filed as new (their 前段码 in the code cell), their items in one
cell so that one entry is one row. For each store, in the same run:

- reference: the store's own batch load (`CatalogStore.apply`, 1,000 a transaction, as
  `graph.sample.load_sample` loads) of the same entries as drafts, into an empty store;
- import: `graph.exchange.importing.Importer` of the xlsx, then of the CSV, each into an empty
  store — all or nothing, so the file is read twice (checked, then written), every row
  checked by the rules of any write, codes allocated, audit records and change events written;
- export: the imported entries written back to xlsx and to CSV (`export_entries`).

The goal: import ≤ 1.5 × the batch load's time. Printed with the load average.

    python bench/exchange_bench.py --entries 100000
    python bench/exchange_bench.py --entries 10000 --skip-neo4j
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from graph import Actor, Cataloguing, LifecycleState, Resource, ResourceFilter
from graph.embedded import EmbeddedStore
from graph.exchange.exporting import export_entries
from graph.exchange.importing import Importer
from graph.exchange.writing import CsvWriter, XlsxWriter, write_csv, write_xlsx
from graph.model import Catalog
from graph.sample import generate_catalog
from graph.store import CatalogStore

CATALOG = "510100/intranet"


def machine() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load average unknown"


def entries_of(count: int) -> tuple[Catalog, str, str, list[Resource]]:
    """The catalog, the importing department (code, name) and `count` entries it provides."""
    sample = generate_catalog(count, seed=9)
    catalog = sample.catalog(CATALOG)
    department = sample.departments[0]
    for d in sample.departments:
        if d.region_code == "510100":
            department = d
            break
    made = []
    for batch in sample.resources(2000):
        for e in batch:
            if e.classification == "CLASSIFIED" and catalog.zone == "EXTRANET":
                continue
            made.append(
                dataclasses.replace(
                    e,
                    provider_code=department.code,
                    provider_name=department.name,
                    origin=catalog.id,
                    classification=e.classification,
                )
            )
    return catalog, department.code, department.name, made


StoreOpener = Callable[[Catalog], AbstractAsyncContextManager[CatalogStore]]


def embedded(directory: Path) -> StoreOpener:
    counter = iter(range(1_000_000))

    def open_one(catalog: Catalog) -> AbstractAsyncContextManager[CatalogStore]:
        return EmbeddedStore.open(directory / f"bench-{next(counter)}.db", catalog)

    return open_one


def neo4j(uri: str, password: str) -> StoreOpener:
    from graph.neo4j import Neo4jStore

    @asynccontextmanager
    async def open_one(catalog: Catalog) -> AsyncIterator[CatalogStore]:
        async with Neo4jStore.open(uri, ("neo4j", password), catalog=catalog) as store:
            await store.erase_all()
            yield store

    return open_one


async def batch_load(opener: StoreOpener, catalog: Catalog, entries: list[Resource]) -> float:
    drafts = [dataclasses.replace(e, state=LifecycleState.DRAFT, version=1) for e in entries]
    async with opener(catalog) as store:
        await store.put_catalogs([catalog])
        started = time.perf_counter()
        for start in range(0, len(drafts), 1000):
            await store.apply(drafts[start : start + 1000])
        return time.perf_counter() - started


async def import_file(
    opener: StoreOpener, catalog: Catalog, code: str, name: str, path: Path, out: Path
) -> tuple[float, int, float, float]:
    """Seconds to import `path`, entries written, and seconds to export them to xlsx, CSV."""
    from sync.events import outbox_record

    async with opener(catalog) as store:
        await store.put_catalogs([catalog])
        cataloguing = Cataloguing(store, outbox=outbox_record)
        importer = Importer(cataloguing, store, Actor(code), name)
        started = time.perf_counter()
        report = await importer.run(path)
        seconds = time.perf_counter() - started
        if not report.ok:
            raise SystemExit(f"import refused rows: {report.problems[:3]}")
        where = ResourceFilter(states=frozenset({LifecycleState.DRAFT}))
        exports = []
        for suffix in ("xlsx", "csv"):
            target = out / f"export.{suffix}"
            with target.open("wb") as raw:
                writer: XlsxWriter | CsvWriter = (
                    XlsxWriter(raw, "目录", True)
                    if suffix == "xlsx"
                    else CsvWriter(raw, "目录", "utf-8", True)
                )
                begun = time.perf_counter()
                await export_entries(store, where, writer)
                writer.close()
                exports.append(time.perf_counter() - begun)
        return seconds, report.written, exports[0], exports[1]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--skip-neo4j", action="store_true")
    args = parser.parse_args()
    catalog, code, name, entries = entries_of(args.entries)
    count = len(entries)
    print(f"{count} entries (one row each), {machine()}")
    with tempfile.TemporaryDirectory(prefix="exchange-bench-") as tmp:
        directory = Path(tmp)
        filed = [dataclasses.replace(e, code=e.category_code) for e in entries]
        files = {}
        for suffix in ("xlsx", "csv"):
            path = directory / f"import.{suffix}"
            started = time.perf_counter()
            with path.open("wb") as raw:
                if suffix == "xlsx":
                    write_xlsx(raw, "目录", filed, items_in_one_cell=True)
                else:
                    write_csv(raw, "目录", filed, "gbk", items_in_one_cell=True)
            size = path.stat().st_size
            print(
                f"wrote {suffix} for the import: {size / 1e6:.1f} MB in "
                f"{time.perf_counter() - started:.1f} s"
            )
            files[suffix] = path
        stores: dict[str, StoreOpener] = {"embedded": embedded(directory)}
        uri = os.environ.get("MULU_BENCH_NEO4J_URI")
        if not args.skip_neo4j and uri:
            stores["neo4j"] = neo4j(uri, os.environ.get("MULU_BENCH_NEO4J_PASSWORD", ""))
        for store_name, opener in stores.items():
            reference = await batch_load(opener, catalog, entries)
            print(
                f"[{store_name}] batch load (apply): {reference:.1f} s, "
                f"{count / reference:,.0f}/s, {machine()}"
            )
            for suffix, path in files.items():
                seconds, written, xlsx_out, csv_out = await import_file(
                    opener, catalog, code, name, path, directory
                )
                print(
                    f"[{store_name}] import {suffix}: {seconds:.1f} s, {written / seconds:,.0f} "
                    f"rows/s, {seconds / reference:.2f} × the batch load; export xlsx "
                    f"{written / xlsx_out:,.0f}/s, csv {written / csv_out:,.0f}/s; {machine()}"
                )


if __name__ == "__main__":
    asyncio.run(main())
