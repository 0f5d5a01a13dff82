"""Benchmark of the catalog stores: load throughput and query latency.

On Neo4j (a server started through infra/ unless MULU_BENCH_NEO4J_URI names one), at
``--size`` resources from the sample generator:

- load: `Neo4jStore.apply` in batches, beside a raw ``UNWIND … CREATE`` of the same rows
  (the same properties, items and relationships; MERGE only where a lineage source may
  already stand as a placeholder) in the same run, with the same schema; the ratio is
  store / raw, each timed from an empty graph (the order is below);
- latency (median, p95) of search, filter + page, resource by code, the catalog tree and
  lineage at depth 3, each beside the raw Cypher that reads the same thing where one exists.

Then the same load and queries on the embedded store at ``--embedded-size``; ``--skip-neo4j``
measures only the embedded store, with no server.

The entries stream: the sample is made batch by batch (1M entries and their rows would not fit
in memory, about 1.5 GB per 100k), and the store's load writes each batch's raw rows to a
temporary file that the raw load reads back; each load's time is the sum of its database
calls. Order: a few batches of each load (the JVM, the plans), untimed; the store's load from
an empty graph on store files not grown yet; the queries; then the raw load on the files the
store's load grew, so that growing them counts against the store. The graph is emptied in
transactions of 10,000 nodes (one scan for the whole graph) before `erase_all`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import pickle
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from graph import Direction, LifecycleState, Resource, ResourceFilter, ShareType
from graph.embedded import EmbeddedStore
from graph.model import Catalog
from graph.neo4j import Neo4jStore
from graph.neo4j.rows import resource_row
from graph.neo4j.schema import FULLTEXT_INDEX
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
  FOREACH (_ IN CASE WHEN row.props.state = 'DRAFT' THEN [1] ELSE [] END |
    CREATE (r)-[:DRAFT_IN]->(c))
  FOREACH (_ IN CASE WHEN row.props.state = 'SUBMITTED' THEN [1] ELSE [] END |
    CREATE (r)-[:SUBMITTED_IN]->(c))
  FOREACH (_ IN CASE WHEN row.props.state = 'RETIRED' THEN [1] ELSE [] END |
    CREATE (r)-[:RETIRED_IN]->(c))
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
BATCH_SIZE = 1000
PROGRESS = 50_000  # entries between two progress lines of the store's load
# One scan of the node store for the whole graph; `erase_all`'s batches each scan from the start
# again, past every record deleted before them, which is quadratic at 1M entries.
# Relationships first: at 1M a catalog node has a million of them, which one DETACH DELETE
# would remove in one inner transaction (past Neo4j's transaction memory limit).
ERASE_IN_TRANSACTIONS = (
    "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
    "MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS",
)
# The entries loaded: a lineage source not loaded yet stands as a placeholder with no state.
HELD = "MATCH (r:Resource) WHERE r.state IS NOT NULL RETURN count(r) AS n"
RAW_GET = "MATCH (r:Resource {code: $code}) RETURN r.snapshot AS snapshot"
RAW_SEARCH = f"""
CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $q) YIELD node, score
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


def peak_rss() -> str:
    """This process's peak resident memory (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return f"{int(line.split()[1]) / 1024:.0f} MiB"
    return "unknown"


class Drawn:
    """What the queries draw their arguments from, gathered while the entries stream by: the
    codes of the published entries (and of those derived from others), the two-character words
    of the first 2,000 published entries' names, and every word of the first 2,000 entries'."""

    def __init__(self) -> None:
        self.entries = 0
        self.items = 0
        self.published: list[str] = []
        self.derived: list[str] = []
        self.short_words: set[str] = set()
        self.name_words: set[str] = set()

    def add(self, batch: Sequence[Resource]) -> None:
        for entry in batch:
            if self.entries < 2 * BATCH_SIZE:
                self.name_words.update(tokens(entry.name))
            self.entries += 1
            self.items += len(entry.items)
            if entry.state is not LifecycleState.PUBLISHED:
                continue
            if len(self.published) < 2000:
                self.short_words.update(t for t in tokens(entry.name) if len(t) == 2)
            self.published.append(entry.code)
            if entry.derived_from:
                self.derived.append(entry.code)


def load_all(path: Path) -> Iterator[Any]:
    """The batches `dump_all` wrote, one at a time."""
    with path.open("rb") as source:
        while True:
            try:
                yield pickle.load(source)
            except EOFError:
                return


async def put_reference(store: CatalogStore, sample: SampleCatalog) -> None:
    await store.put_regions(sample.regions)
    await store.put_catalogs(sample.catalogs)
    await store.put_departments(sample.departments)
    await store.put_categories(sample.categories)


async def load(
    store: CatalogStore, entries: Iterable[list[Resource]], held: int = 0, progress: int = 0
) -> float:
    """Seconds spent in `store.apply`, the batches being made or read outside of it; with
    `progress`, a line each time the store holds another `progress` entries (it held `held`)."""
    spent = since = 0.0
    count = 0
    for batch in entries:
        start = time.perf_counter()
        await store.apply(batch)
        elapsed = time.perf_counter() - start
        spent, since, count = spent + elapsed, since + elapsed, count + len(batch)
        if progress and (held + count) // progress > held // progress:
            held += count
            print(
                f"    store holds {held}: the last {count} at {count / since:.0f} resources/s; "
                f"{machine()}",
                flush=True,
            )
            since, count = 0.0, 0
    return spent


def query_mix(
    store: CatalogStore, sample: SampleCatalog, drawn: Drawn, seed: int
) -> dict[str, Callable[[], Awaitable[Any]]]:
    """The measured queries, each drawing its arguments from the loaded sample."""
    rng = random.Random(seed)
    words = sorted(drawn.short_words)
    regions = [r.code for r in sample.regions]
    derived = drawn.derived or drawn.published[:1]
    codes = drawn.published

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


async def measure_queries(
    store: Neo4jStore, sample: SampleCatalog, drawn: Drawn, runs: int, seed: int
) -> None:
    driver = store._driver
    mix = query_mix(store, sample, drawn, seed)
    rng = random.Random(seed)
    codes = drawn.published
    words = sorted(drawn.name_words)

    async def raw_get() -> Any:
        return await driver.execute_query(RAW_GET, code=rng.choice(codes))

    async def raw_search() -> Any:
        return await driver.execute_query(RAW_SEARCH, q=f'"{rng.choice(words)}"')

    references = {"resource by code": raw_get, "search (2-char word)": raw_search}
    for name, fn in mix.items():
        ref = await timed(references[name], runs) if name in references else None
        report(name, await timed(fn, runs), ref)
    print(f"  after the queries: {machine()}; bench peak RSS {peak_rss()}", flush=True)


async def queries_only(
    uri: str, auth: tuple[str, str], size: int, runs: int, seed: int, finish: bool = False
) -> None:
    """The queries on a database that holds the sample of (`size`, `seed`), or its first
    entries, loaded in order by this bench: the arguments are drawn from the entries it holds.
    With `finish`, the store first loads the entries it does not hold yet (timed, with a line
    every `PROGRESS` entries: interrupted, it keeps what it loaded whole batches of)."""
    sample = generate_catalog(size, seed)
    national = Catalog("100000", sample.catalogs[0].zone, "国家政务信息资源目录")
    async with Neo4jStore.open(uri, auth, catalog=national) as store:
        records, _, _ = await store._driver.execute_query(HELD)
        held = int(records[0]["n"])
        print(
            f"\n== Neo4j store holding {held} of {size} resources (sample seed {seed}); "
            f"{machine()} ==",
            flush=True,
        )
        drawn = Drawn()
        batches = sample.resources(BATCH_SIZE)
        rest: list[Resource] = []
        for batch in batches:
            rest = batch[held - drawn.entries :]
            drawn.add(batch[: held - drawn.entries])
            if drawn.entries >= held:
                break
        if finish and held < size:
            await put_reference(store, sample)
            # What an interruption left of its batch, then the batches after it.
            cut = [batch for batch in [rest] if batch]

            def rest_of_it() -> Iterator[list[Resource]]:
                for batch in itertools.chain(cut, batches):
                    drawn.add(batch)
                    yield batch

            spent = await load(store, rest_of_it(), held, PROGRESS)
            loaded = drawn.entries - held
            print(
                f"  load: store {loaded / spent:8.0f} resources/s from {held} to "
                f"{drawn.entries} ({spent:.1f} s in the database); {machine()}",
                flush=True,
            )
        await measure_queries(store, sample, drawn, runs, seed)


async def bench_neo4j(uri: str, auth: tuple[str, str], size: int, runs: int, seed: int) -> None:
    print(f"\n== Neo4j store, {size} resources (sample seed {seed}); {machine()} ==", flush=True)
    sample = generate_catalog(size, seed)
    national = Catalog("100000", sample.catalogs[0].zone, "国家政务信息资源目录")
    async with Neo4jStore.open(uri, auth, catalog=national) as store:
        driver = store._driver  # the raw reference runs on the same connection pool

        async def empty() -> None:
            start = time.perf_counter()
            async with driver.session() as session:
                for statement in ERASE_IN_TRANSACTIONS:
                    await (await session.run(statement)).consume()
            await store.erase_all()
            await put_reference(store, sample)
            print(f"  emptied in {time.perf_counter() - start:.1f} s; {machine()}", flush=True)

        async def raw_load(rows: Iterable[list[dict[str, Any]]]) -> float:
            spent = 0.0
            for batch_rows in rows:
                start = time.perf_counter()
                await driver.execute_query(RAW_CREATE, rows=batch_rows)
                spent += time.perf_counter() - start
            return spent

        drawn = Drawn()
        with tempfile.TemporaryDirectory() as cache:
            rows_file = Path(cache) / "rows.pickle"
            # The JVM and the plan cache warmed by a few batches of each, then thrown away.
            await empty()
            warm_up = list(itertools.islice(sample.resources(BATCH_SIZE), WARM_UP_BATCHES))
            await raw_load([resource_row(e) for e in batch] for batch in warm_up)
            await load(store, warm_up)
            await empty()

            def made() -> Iterator[list[Resource]]:
                """The entries, each batch's raw rows written for the raw load meanwhile."""
                with rows_file.open("wb") as out:
                    for batch in sample.resources(BATCH_SIZE):
                        drawn.add(batch)
                        rows = [resource_row(e) for e in batch]
                        pickle.dump(rows, out, protocol=pickle.HIGHEST_PROTOCOL)
                        yield batch

            # The store's load runs first, on store files not grown yet, and the raw one second,
            # on files the store's load grew: what growing them costs falls on the store.
            stored = await load(store, made(), progress=PROGRESS)
            items = drawn.items
            print(
                f"  load: store {size / stored:8.0f} resources/s {items / stored:9.0f} items/s "
                f"({stored:.1f} s in the database); {machine()}",
                flush=True,
            )

            await measure_queries(store, sample, drawn, runs, seed)

            await empty()
            raw = await raw_load(load_all(rows_file))
        print(
            f"  load: store {size / stored:8.0f} resources/s ({stored:.1f} s); "
            f"raw UNWIND…CREATE {size / raw:8.0f} resources/s ({raw:.1f} s); "
            f"store/raw time {stored / raw:.2f}x; {machine()}",
            flush=True,
        )


async def bench_embedded(size: int, runs: int, seed: int) -> None:
    print(f"\n== Embedded store, {size} resources (sample seed {seed}); {machine()} ==", flush=True)
    sample = generate_catalog(size, seed)
    drawn = Drawn()

    def entries() -> Iterator[list[Resource]]:
        for batch in sample.resources(BATCH_SIZE):
            drawn.add(batch)
            yield batch

    national = Catalog("100000", sample.catalogs[0].zone, "国家政务信息资源目录")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        async with EmbeddedStore.open(path, national) as store:
            await put_reference(store, sample)
            stored = await load(store, entries())
            print(
                f"  load: store {size / stored:8.0f} resources/s "
                f"{drawn.items / stored:9.0f} items/s ({stored:.1f} s); "
                f"database file {path.stat().st_size / 2**20:.0f} MiB",
                flush=True,
            )
            for name, fn in query_mix(store, sample, drawn, seed).items():
                report(name, await timed(fn, runs))
            print(f"  after the queries: {machine()}; bench peak RSS {peak_rss()}", flush=True)


def run_neo4j(args: argparse.Namespace) -> None:
    """The Neo4j half: on the server MULU_BENCH_NEO4J_URI names, or on one started for it."""
    uri = os.environ.get("MULU_BENCH_NEO4J_URI")
    if uri:
        user = os.environ.get("MULU_BENCH_NEO4J_USER", "neo4j")
        auth = (user, os.environ["MULU_BENCH_NEO4J_PASSWORD"])
        if args.no_load or args.finish_load:
            queries = queries_only(uri, auth, args.size, args.runs, args.seed, args.finish_load)
            asyncio.run(queries)
        else:
            asyncio.run(bench_neo4j(uri, auth, args.size, args.runs, args.seed))
        return
    if args.no_load or args.finish_load:
        raise SystemExit(
            "--no-load: name the database that holds the sample in MULU_BENCH_NEO4J_URI"
        )
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
    parser.add_argument(
        "--no-load",
        action="store_true",
        help="the queries only, on the database MULU_BENCH_NEO4J_URI names, which holds this "
        "--size and --seed (or its first entries) loaded by this bench",
    )
    parser.add_argument(
        "--finish-load",
        action="store_true",
        help="as --no-load, the store first loading the entries of the sample not held yet",
    )
    args = parser.parse_args()
    if not args.skip_neo4j:
        run_neo4j(args)
    asyncio.run(bench_embedded(args.embedded_size, args.runs, args.seed))


if __name__ == "__main__":
    main()
