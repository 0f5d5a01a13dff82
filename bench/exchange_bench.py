"""Benchmark of the catalog spreadsheet: importing N rows (xlsx and CSV) into each store beside
the store's own batch load of the same entries, and exporting them again.

The entries are ``--entries`` entries of the sample catalog, all given to one department of
成都 (the importing one) and filed as new (their 前段码 in the code cell), their items in one
cell so that one entry is one row. For each store, in the same run:

- reference: the store's own batch load (`CatalogStore.apply`, 1,000 a transaction, as
  `graph.sample.load_sample` loads) of the same entries as drafts, into an empty store;
- import: `graph.exchange.importing.Importer` of the xlsx, then of the CSV, each into an empty
  store — all or nothing (every row checked before any is written, the checked drafts kept in
  a temporary file meanwhile), every row checked by the rules of any write, codes allocated,
  audit records and change events written;
- export: the imported entries written back to xlsx and to CSV (`export_entries`).

The goal: import ≤ 1.5 × the batch load's time. Each round loads and imports afresh; each
figure is printed with the load average, and the medians of the rounds at the end. Beside each
time, the CPU time of this process (all its threads) in it: on the embedded store all the work
is this process's, and its CPU time moves far less with the machine's load than the wall clock
(on Neo4j most of the work is the server's, which it does not count).

A run at 100,000 rows takes many minutes a phase, so it says where it is as it goes (every
tenth of a batch load or an import, `--progress`), and never ends without saying why: a batch
the store did not apply whole, an error of a store (named with the phase it ended), or a
SIGTERM/SIGHUP (a `timeout`, a closed terminal) each end the run with a line naming the phase,
the entries done and the load average, and a non-zero exit.

    python bench/exchange_bench.py --entries 100000
    python bench/exchange_bench.py --entries 10000 --rounds 3 --skip-neo4j
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from graph import Actor, Cataloguing, LifecycleState, Resource, ResourceFilter
from graph.embedded import EmbeddedStore
from graph.exchange.exporting import export_entries
from graph.exchange.importing import Importer
from graph.exchange.reading import Limits
from graph.exchange.writing import CsvWriter, XlsxWriter, write_csv, write_xlsx
from graph.model import Catalog
from graph.queries import ApplyOutcome
from graph.sample import generate_catalog
from graph.store import CatalogStore

CATALOG = "510100/intranet"


def machine() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load average unknown"


class Phase:
    """Where the run is — the store, round, phase and how far — for its progress lines and for
    the line that says where it ended."""

    def __init__(self, every: float = 0.1) -> None:
        self.every = every  # a progress line each such share of the phase; 0: none
        self.name = "starting"
        self.done = 0
        self.total = 0
        self._started = time.perf_counter()
        self._next = 0.0
        self.cpu = 0.0  # the process's CPU seconds (all its threads) in the phase just ended

    def enter(self, name: str, total: int) -> None:
        self.name, self.done, self.total = name, 0, total
        self._started = time.perf_counter()
        self._next = self.every

    def advance(self, done: int) -> None:
        self.done = done
        if self.every <= 0 or not self.total or done < self._next * self.total:
            return
        while self._next * self.total <= done:
            self._next += self.every
        took = time.perf_counter() - self._started
        print(f"[{self.name}] {done:,} of {self.total:,} in {took:.1f} s, {machine()}", flush=True)

    def where(self) -> str:
        return f"{self.name}, {self.done:,} of {self.total:,} done, {machine()}"


PHASE = Phase()


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


async def batch_load(
    opener: StoreOpener, catalog: Catalog, entries: list[Resource], phase: Phase = PHASE
) -> float:
    """Seconds to write `entries` as drafts by `CatalogStore.apply`, 1,000 a transaction; a
    batch the store does not apply whole ends the run, naming the first entry it refused."""
    drafts = [dataclasses.replace(e, state=LifecycleState.DRAFT, version=1) for e in entries]
    async with opener(catalog) as store:
        await store.put_catalogs([catalog])
        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(drafts), 1000):
            batch = drafts[start : start + 1000]
            outcomes = await store.apply(batch)
            refused = [
                (e.code, o)
                for e, o in zip(batch, outcomes, strict=True)
                if o != ApplyOutcome.APPLIED
            ]
            if refused or len(outcomes) != len(batch):
                code, outcome = refused[0] if refused else ("?", "missing")
                raise SystemExit(
                    f"[{phase.name}] the store applied {len(batch) - len(refused)} of the "
                    f"{len(batch)} entries from {start:,} ({code}: {outcome}); "
                    f"{start:,} written before"
                )
            phase.advance(start + len(batch))
        phase.cpu = time.process_time() - cpu
        return time.perf_counter() - started


async def import_file(
    opener: StoreOpener, catalog: Catalog, code: str, name: str, path: Path, out: Path
) -> tuple[float, int, float, float]:
    """Seconds to import `path`, entries written, and seconds to export them to xlsx, CSV."""
    from sync.events import outbox_record

    async with opener(catalog) as store:
        await store.put_catalogs([catalog])
        cataloguing = Cataloguing(store, outbox=outbox_record)
        # 100,000 rows of CSV are some 60 MB: past the default 50 MiB (`mulu import --max-mb`).
        limits = Limits(max_bytes=1024 * 1024 * 1024)
        # The phase counts each row twice: checked, then written.
        half = PHASE.total // 2

        def progress(rows: int, _total: int | None, step: str) -> None:
            PHASE.advance(rows if step == "check" else half + rows)

        importer = Importer(cataloguing, store, Actor(code), name, limits=limits, progress=progress)
        started, cpu = time.perf_counter(), time.process_time()
        report = await importer.run(path)
        seconds = time.perf_counter() - started
        PHASE.cpu = time.process_time() - cpu
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


async def run_store(
    store_name: str,
    opener: StoreOpener,
    catalog: Catalog,
    entries: list[Resource],
    files: dict[str, Path],
    directory: Path,
    rounds: int,
) -> None:
    """`rounds` rounds of: the batch load, then each file's import (and export) beside it."""
    count = len(entries)
    ratios: dict[str, list[float]] = {suffix: [] for suffix in files}
    seconds: dict[str, list[float]] = {"batch load": [], **{s: [] for s in files}}
    exports: dict[str, list[float]] = {"xlsx": [], "csv": []}
    for round_number in range(1, rounds + 1):
        PHASE.enter(f"{store_name} {round_number} batch load", count)
        reference = await batch_load(opener, catalog, entries)
        reference_cpu = PHASE.cpu
        seconds["batch load"].append(reference)
        print(
            f"[{store_name} {round_number}] batch load (apply): {reference:.1f} s, "
            f"{count / reference:,.0f}/s (this process's CPU {reference_cpu:.1f} s), {machine()}",
            flush=True,
        )
        for suffix, path in files.items():
            # Rows checked, then rows written: twice the rows in all.
            PHASE.enter(
                f"{store_name} {round_number} import {suffix} (rows checked + written)", 2 * count
            )
            took, written, xlsx_out, csv_out = await import_file(
                opener, catalog, code_of(entries), name_of(entries), path, directory
            )
            seconds[suffix].append(took)
            ratios[suffix].append(took / reference)
            exports["xlsx"].append(written / xlsx_out)
            exports["csv"].append(written / csv_out)
            print(
                f"[{store_name} {round_number}] import {suffix}: {took:.1f} s, "
                f"{written / took:,.0f} rows/s, {took / reference:.2f} × the batch load "
                f"(this process's CPU {PHASE.cpu:.1f} s, {PHASE.cpu / reference_cpu:.2f} ×); "
                f"export xlsx {written / xlsx_out:,.0f}/s, csv {written / csv_out:,.0f}/s; "
                f"{machine()}",
                flush=True,
            )
    median = statistics.median
    print(
        f"[{store_name}] medians of {rounds}: batch load {median(seconds['batch load']):.1f} s; "
        + "; ".join(
            f"import {s} {median(seconds[s]):.1f} s, {median(ratios[s]):.2f} ×" for s in files
        )
        + f"; export xlsx {median(exports['xlsx']):,.0f}/s, csv {median(exports['csv']):,.0f}/s;"
        f" {machine()}",
        flush=True,
    )


def code_of(entries: list[Resource]) -> str:
    return entries[0].provider_code


def name_of(entries: list[Resource]) -> str:
    return entries[0].provider_name


def ended_by(signum: int, _frame: object) -> None:
    """A SIGTERM or SIGHUP: say where the run was, and end with 128 + the signal's number."""
    name = signal.Signals(signum).name
    print(f"ended by {name} during {PHASE.where()}", file=sys.stderr, flush=True)
    os._exit(128 + signum)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--skip-neo4j", action="store_true")
    parser.add_argument("--skip-embedded", action="store_true")
    parser.add_argument(
        "--progress", type=float, default=0.1, help="a line each such share of a phase; 0: none"
    )
    args = parser.parse_args()
    PHASE.every = args.progress
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, ended_by)
    catalog, _, _, entries = entries_of(args.entries)
    print(f"{len(entries)} entries (one row each), {machine()}", flush=True)
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
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
            files[suffix] = path
        del filed
        stores: dict[str, StoreOpener] = {}
        if not args.skip_embedded:
            stores["embedded"] = embedded(directory)
        uri = os.environ.get("MULU_BENCH_NEO4J_URI")
        if not args.skip_neo4j and uri:
            stores["neo4j"] = neo4j(uri, os.environ.get("MULU_BENCH_NEO4J_PASSWORD", ""))
        for store_name, opener in stores.items():
            try:
                await run_store(store_name, opener, catalog, entries, files, directory, args.rounds)
            except Exception as exc:
                print(f"failed during {PHASE.where()}: {exc!r}", file=sys.stderr, flush=True)
                raise


if __name__ == "__main__":
    asyncio.run(main())
