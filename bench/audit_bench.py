"""Benchmark of the audit log: catalog writes through `Cataloguing` with audit on and off.

Each write of `Cataloguing` (create, submit, publish of an entry) commits with its audit record
in its own transaction (`graph.audit`); this measures what that costs. For each store, in the
same run and on the same store, each round writes ``--entries`` entries of the sample catalog
through all three steps, audit on and audit off taking turns entry by entry (on first in one
round, off first in the next), so that both meet the same store and the same load of a shared
machine. The figure is writes per second of each, per round; printed are the medians over
``--rounds`` rounds and their ratio on / off (the goal: at least 0.8).

On Neo4j (a server started through infra/ unless MULU_BENCH_NEO4J_URI names one) and on the
embedded store; ``--skip-neo4j`` measures only the embedded store.

    python bench/audit_bench.py --entries 100 --rounds 8
    python bench/audit_bench.py --skip-neo4j
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from graph import Actor, Cataloguing, Resource, Role
from graph.embedded import EmbeddedStore
from graph.model import Catalog
from graph.neo4j import Neo4jStore
from graph.sample import SampleCatalog, generate_catalog
from graph.store import CatalogStore

REVIEWER = Actor("12100000MB0000099X", Role.REVIEWER)
WARM_UP_ENTRIES = 50


def machine() -> str:
    """The load average (1, 5, 15 min), which says how much else the cores were doing."""
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load average unknown"


def drafts(sample: SampleCatalog, count: int) -> list[Resource]:
    """`count` entries of the sample, each as a provider hands it to `Cataloguing.create`:
    its category's 前段码 for a code."""
    flat = [e for batch in sample.resources(1000) for e in batch]
    chosen = [flat[i % len(flat)] for i in range(count)]
    return [dataclasses.replace(e, code=e.code.split("/")[0], derived_from=()) for e in chosen]


async def round_of(
    store: CatalogStore, entries: list[Resource], first_on: bool
) -> dict[bool, float]:
    """Writes per second, audit on (True) and off (False), of create, submit and publish of
    each of `entries`, the two taking turns entry by entry."""
    cataloguing = {True: Cataloguing(store, audit=True), False: Cataloguing(store, audit=False)}
    spent = {True: 0.0, False: 0.0}
    for i, entry in enumerate(entries):
        audit = (i % 2 == 0) == first_on
        provider = Actor(entry.provider_code)
        start = time.perf_counter()
        draft = await cataloguing[audit].create(provider, entry)
        await cataloguing[audit].submit(provider, draft.code)
        await cataloguing[audit].publish(REVIEWER, draft.code)
        spent[audit] += time.perf_counter() - start
    writes = {True: 3 * ((len(entries) + first_on) // 2), False: 0}
    writes[False] = 3 * len(entries) - writes[True]
    return {audit: writes[audit] / spent[audit] for audit in (True, False)}


async def bench(
    name: str, store: CatalogStore, sample: SampleCatalog, entries: int, rounds: int
) -> None:
    await store.put_regions(sample.regions)
    await store.put_catalogs(sample.catalogs)
    await store.put_departments(sample.departments)
    await store.put_categories(sample.categories)
    batch = drafts(sample, entries)
    await round_of(store, batch[:WARM_UP_ENTRIES], True)  # plans, caches, JIT: untimed
    on: list[float] = []
    off: list[float] = []
    for n in range(rounds):
        rates = await round_of(store, batch, first_on=n % 2 == 0)
        on.append(rates[True])
        off.append(rates[False])
    on_median, off_median = statistics.median(on), statistics.median(off)
    records = (await store.audit_head()).seq
    print(
        f"  {name}: audit on {on_median:7.1f} writes/s, off {off_median:7.1f} writes/s, "
        f"on/off {on_median / off_median:.2f} (rounds on {', '.join(f'{x:.0f}' for x in on)}; "
        f"off {', '.join(f'{x:.0f}' for x in off)}); {records} audit records; {machine()}",
        flush=True,
    )


def national(sample: SampleCatalog) -> Catalog:
    return Catalog("100000", sample.catalogs[0].zone, "国家政务信息资源目录")


async def bench_neo4j(uri: str, auth: tuple[str, str], args: argparse.Namespace) -> None:
    sample = generate_catalog(args.sample, args.seed)
    async with Neo4jStore.open(uri, auth, catalog=national(sample)) as store:
        await store.erase_all()
        await bench("Neo4j", store, sample, args.entries, args.rounds)
        await store.erase_all()


async def bench_embedded(args: argparse.Namespace) -> None:
    sample = generate_catalog(args.sample, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        async with EmbeddedStore.open(Path(tmp) / "bench.db", national(sample)) as store:
            await bench("embedded", store, sample, args.entries, args.rounds)


def run_neo4j(args: argparse.Namespace) -> None:
    """The Neo4j half: on the server MULU_BENCH_NEO4J_URI names, or on one started for it."""
    uri = os.environ.get("MULU_BENCH_NEO4J_URI")
    if uri:
        user = os.environ.get("MULU_BENCH_NEO4J_USER", "neo4j")
        auth = (user, os.environ["MULU_BENCH_NEO4J_PASSWORD"])
        asyncio.run(bench_neo4j(uri, auth, args))
        return
    from infra.neo4j import Neo4jServer
    from infra.net import free_port

    with tempfile.TemporaryDirectory() as home:
        server = Neo4jServer(Path(home) / "neo4j", free_port(), secrets.token_hex(12))
        info = server.start()
        try:
            asyncio.run(bench_neo4j(info.uri, info.auth, args))
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100, help="entries written per round")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--sample", type=int, default=2000, help="size of the sample catalog")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-neo4j", action="store_true", help="the embedded store only")
    args = parser.parse_args()
    print(
        f"== audit on vs off, taking turns entry by entry: {args.entries} entries × 3 writes "
        f"per round, {args.rounds} rounds; {os.cpu_count()} cores; {machine()} ==",
        flush=True,
    )
    if not args.skip_neo4j:
        run_neo4j(args)
    asyncio.run(bench_embedded(args))


if __name__ == "__main__":
    main()
