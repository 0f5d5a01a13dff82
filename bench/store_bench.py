"""Benchmark of the catalog stores: load throughput and query latency.

On Neo4j (a server started through infra/ unless MULU_BENCH_NEO4J_URI names one), at
``--size`` resources from the sample generator:

- load: `Neo4jStore.apply` in batches, beside a raw ``UNWIND … CREATE`` of the same rows
  (the same properties, items and relationships; MERGE only where a lineage source may
  already stand as a placeholder) in the same run, with the same schema; the ratio is
  store / raw. The raw load runs once whole and the store's a few batches, untimed (the JVM,
  the plans, and store files grown to the full size), then each is timed from an empty graph;
- latency (median, p95) of search, filter + page, resource by code, the catalog tree and
  lineage at depth 3, each beside the raw Cypher that reads the same thing where one exists.

Then the same load and queries on the embedded store at ``--embedded-size``; ``--skip-neo4j``
measures only the embedded store, with no server.

    python bench/store_bench.py --size 100000 --embedded-size 10000
    python bench/store_bench.py --skip-neo4j --embedded-size 100000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from graph import Direction, LifecycleState, Resource, ResourceFilter, ShareType
from graph.embedded import EmbeddedStore
from graph.model import Catalog
from graph.neo4j import Neo4jStore
from graph.neo4j.rows import resource_row
from graph.sample import SampleCatalog, generate_catalog
from graph.search.tokens import tokens
from graph.store import CatalogStore

RAW_CREATE = """
UNWIND $rows AS row
MERGE (r:Resource {code: row.code})
SET r = row.props
WITH r, row
CALL (r, row) {
  MATCH (c:Catalog {id: row.catalog_id})
  CREATE (r)-[:LISTED_IN]->(c)
}
CALL (r, row) {
  MATCH (d:Department {code: row.provider.code})
  CREATE (d)-[:PROVIDES]->(r)
}
CALL (r, row) {
  MATCH (k:Category {code: row.category.code})
  CREATE (r)-[:FILED_UNDER]->(k)
}
CALL (r, row) {
  UNWIND row.themes AS name
  MATCH (t:Theme {name: name})
  CREATE (r)-[:ABOUT]->(t)
}
CALL (r, row) {
  UNWIND row.items AS item
  CREATE (r)-[:HAS_ITEM]->(i:DataItem)
  SET i = item
}
CALL (r, row) {
  UNWIND row.derived_from AS source_code
  MERGE (s:Resource {code: source_code})
  CREATE (r)-[:DERIVED_FROM]->(s)
}
"""
WARM_UP_BATCHES = 5
RAW_GET = "MATCH (r:Resource {code: $code}) RETURN r.snapshot AS snapshot"
RAW_SEARCH = """
CALL db.index.fulltext.queryNodes('resource_text', $q) YIELD node, score
WHERE node.state = 'PUBLISHED'
RETURN node.snapshot AS snapshot, score ORDER BY score DESC, node.code LIMIT 20
"""


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(fn: Callable[[], Awaitable[Any]], runs: int) -> list[float]:
    """Latencies in milliseconds of `runs` calls, after a few unmeasured warm-up calls."""
    for _ in range(min(5, runs)):
        await fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(name: str, ms: list[float], reference: list[float] | None = None) -> None:
    median = statistics.median(ms)
    line = f"  {name:<28} median {median:8.2f} ms   p95 {percentile(ms, 0.95):8.2f} ms"
    if reference:
        ref = statistics.median(reference)
        line += f"   raw Cypher median {ref:7.2f} ms   ratio {median / ref:5.2f}x"
    print(line, flush=True)


def machine() -> str:
    """The load average (1, 5, 15 min), which says how much else the cores were doing."""
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load average unknown"


def batches(sample: SampleCatalog, batch_size: int) -> list[list[Resource]]:
    return list(sample.resources(batch_size))


async def put_reference(store: CatalogStore, sample: SampleCatalog) -> None:
    await store.put_regions(sample.regions)
    await store.put_catalogs(sample.catalogs)
    await store.put_departments(sample.departments)
    await store.put_categories(sample.categories)


async def load(store: CatalogStore, entries: list[list[Resource]]) -> float:
    start = time.perf_counter()
    for batch in entries:
        await store.apply(batch)
    return time.perf_counter() - start


def query_mix(
    store: CatalogStore, sample: SampleCatalog, entries: list[list[Resource]], seed: int
) -> dict[str, Callable[[], Awaitable[Any]]]:
    """The measured queries, each drawing its arguments from the loaded sample."""
    rng = random.Random(seed)
    flat = [e for batch in entries for e in batch if e.state is LifecycleState.PUBLISHED]
    words = sorted({t for e in flat[:2000] for t in tokens(e.name) if len(t) == 2})
    regions = [r.code for r in sample.regions]
    derived = [e.code for e in flat if e.derived_from] or [flat[0].code]
    codes = [e.code for e in flat]

    async def search() -> Any:
        return await store.find(ResourceFilter(), search=rng.choice(words), first=20)

    async def filter_page() -> Any:
        where = ResourceFilter(
            region_code=rng.choice(regions),
            share_types=frozenset({rng.choice(list(ShareType))}),
        )
        page = await store.find(where, first=20)
        if page.end_cursor:
            await store.find(where, first=20, after=page.end_cursor)
        return page

    async def by_code() -> Any:
        return await store.get(rng.choice(codes))

    async def tree() -> Any:
        return await store.tree()

    async def lineage() -> Any:
        return await store.lineage(rng.choice(derived), Direction.BOTH, 3)

    return {
        "search (2-char word)": search,
        "filter + 2 pages": filter_page,
        "resource by code": by_code,
        "catalog tree": tree,
        "lineage depth 3 (both)": lineage,
    }


async def bench_neo4j(uri: str, auth: tuple[str, str], size: int, runs: int, seed: int) -> None:
    print(f"\n== Neo4j store, {size} resources (sample seed {seed}); {machine()} ==", flush=True)
    sample = generate_catalog(size, seed)
    entries = batches(sample, 1000)
    items = sum(len(e.items) for batch in entries for e in batch)
    national = Catalog("100000", sample.catalogs[0].zone, "国家政务信息资源目录")
    async with Neo4jStore.open(uri, auth, catalog=national) as store:
        await store.erase_all()
        await put_reference(store, sample)
        driver = store._driver  # the raw reference runs on the same connection pool

        rows = [[resource_row(e) for e in batch] for batch in entries]
        # Whichever load ran first would also pay for warming the JVM and the plan cache, and
        # for growing the store files (an erased store reuses their records): the raw load runs
        # once whole, untimed, and the store's a few batches; each time from an empty graph.
        for batch_rows in rows:
            await driver.execute_query(RAW_CREATE, rows=batch_rows)
        await store.erase_all()
        await put_reference(store, sample)
        await load(store, entries[:WARM_UP_BATCHES])
        await store.erase_all()
        await put_reference(store, sample)

        start = time.perf_counter()
        for batch_rows in rows:
            await driver.execute_query(RAW_CREATE, rows=batch_rows)
        raw = time.perf_counter() - start
        await store.erase_all()
        await put_reference(store, sample)

        stored = await load(store, entries)
        print(
            f"  load: store {size / stored:8.0f} resources/s {items / stored:9.0f} items/s "
            f"({stored:.1f} s); raw UNWIND…CREATE {size / raw:8.0f} resources/s ({raw:.1f} s); "
            f"store/raw time {stored / raw:.2f}x; {machine()}",
            flush=True,
        )

        mix = query_mix(store, sample, entries, seed)
        rng = random.Random(seed)
        codes = [e.code for batch in entries for e in batch]
        words = sorted({t for batch in entries[:2] for e in batch for t in tokens(e.name)})

        async def raw_get() -> Any:
            return await driver.execute_query(RAW_GET, code=rng.choice(codes))

        async def raw_search() -> Any:
            return await driver.execute_query(RAW_SEARCH, q=f'"{rng.choice(words)}"')

        references = {"resource by code": raw_get, "search (2-char word)": raw_search}
        for name, fn in mix.items():
            ref = await timed(references[name], runs) if name in references else None
            report(name, await timed(fn, runs), ref)
        print(f"  after the queries: {machine()}", flush=True)


async def bench_embedded(size: int, runs: int, seed: int) -> None:
    print(f"\n== Embedded store, {size} resources (sample seed {seed}) ==", flush=True)
    sample = generate_catalog(size, seed)
    entries = batches(sample, 1000)
    items = sum(len(e.items) for batch in entries for e in batch)
    national = Catalog("100000", sample.catalogs[0].zone, "国家政务信息资源目录")
    with tempfile.TemporaryDirectory() as tmp:
        async with EmbeddedStore.open(Path(tmp) / "bench.db", national) as store:
            await put_reference(store, sample)
            stored = await load(store, entries)
            print(
                f"  load: store {size / stored:8.0f} resources/s {items / stored:9.0f} items/s "
                f"({stored:.1f} s)",
                flush=True,
            )
            for name, fn in query_mix(store, sample, entries, seed).items():
                report(name, await timed(fn, runs))
            print(f"  after the queries: {machine()}", flush=True)


def run_neo4j(args: argparse.Namespace) -> None:
    """The Neo4j half: on the server MULU_BENCH_NEO4J_URI names, or on one started for it."""
    uri = os.environ.get("MULU_BENCH_NEO4J_URI")
    if uri:
        user = os.environ.get("MULU_BENCH_NEO4J_USER", "neo4j")
        auth = (user, os.environ["MULU_BENCH_NEO4J_PASSWORD"])
        asyncio.run(bench_neo4j(uri, auth, args.size, args.runs, args.seed))
        return
    from infra.neo4j import Neo4jServer
    from infra.net import free_port

    with tempfile.TemporaryDirectory() as home:
        server = Neo4jServer(
            Path(home) / "neo4j",
            free_port(),
            secrets.token_hex(12),
            heap=args.heap,
            page_cache=args.page_cache,
        )
        info = server.start()
        try:
            asyncio.run(bench_neo4j(info.uri, info.auth, args.size, args.runs, args.seed))
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--embedded-size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--page-cache", default="2g")
    parser.add_argument("--skip-neo4j", action="store_true", help="the embedded store only")
    args = parser.parse_args()
    if not args.skip_neo4j:
        run_neo4j(args)
    asyncio.run(bench_embedded(args.embedded_size, args.runs, args.seed))


if __name__ == "__main__":
    main()
