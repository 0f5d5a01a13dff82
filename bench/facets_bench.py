"""Benchmark of the facets on Neo4j: every facet the explorer shows (provider, theme, share
type, share mode, update cycle, open to the public, level, kind, category) against the three
the store counted before (provider, theme, share type: the previous statement, run raw in the
same session on the same data), for the whole catalog, a search and a filter.

The sample catalog of ``--size`` entries is loaded through `Neo4jStore.apply`. A Neo4j is
started through infra/ on a free port (or the one MULU_BENCH_NEO4J_URI and _PASSWORD name).

    python bench/facets_bench.py --size 50000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from graph import Level, ResourceFilter
from graph.neo4j import Neo4jStore
from graph.neo4j.cypher import all_of, fill
from graph.neo4j.cypher.finding import ALL_RESOURCES, SEARCHED_RESOURCES
from graph.neo4j.cypher.reference import DEPARTMENT_NAMES
from graph.neo4j.filters import condition
from graph.neo4j.search import lucene_query
from graph.sample import generate_catalog

# The facets' statement before this change: one pass grouped by what three facets count.
BEFORE = """
{selected}
RETURN r.provider_code AS provider, r.share_type AS share_type, r.themes AS themes,
       count(r) AS count
"""

CASES: dict[str, tuple[ResourceFilter, str | None]] = {
    "whole catalog": (ResourceFilter(), None),
    "search 人口": (ResourceFilter(), "人口"),
    "filter municipal": (ResourceFilter(levels=frozenset({Level.MUNICIPAL})), None),
    "category 301": (ResourceFilter(category="301"), None),
}


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


async def _median(run: Callable[[], Awaitable[Any]], rounds: int) -> float:
    await run()  # warm: the plan cached, the pages in memory
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def bench(uri: str, auth: tuple[str, str], args: argparse.Namespace) -> None:
    sample = generate_catalog(args.size, seed=7)
    national = sample.catalog("national/intranet")
    async with Neo4jStore.open(uri, auth, catalog=national) as store:
        await store.erase_all()
        await store.put_regions(sample.regions)
        await store.put_catalogs(sample.catalogs)
        await store.put_departments(sample.departments)
        await store.put_categories(sample.categories)
        started = time.perf_counter()
        for batch in sample.resources(1000):
            await store.apply(batch)
        print(f"{args.size} entries loaded in {time.perf_counter() - started:.0f} s; {load()}")

        async def before(where: ResourceFilter, search: str | None) -> None:
            parts, params = condition(where, searching=search is not None)
            source = ALL_RESOURCES
            if search is not None:
                source = SEARCHED_RESOURCES
                params["query"] = lucene_query(store.searcher.read(search))  # type: ignore[arg-type]
            statement = fill(BEFORE, selected=fill(source, where=all_of(parts)))
            async with store._session() as session:  # the store's own driver and database
                groups = await (await session.run(statement, params)).data()
                providers = sorted({g["provider"] for g in groups})
                await (await session.run(DEPARTMENT_NAMES, {"codes": providers})).data()

        for name, (where, search) in CASES.items():
            now = await _median(lambda w=where, s=search: store.facets(w, s), args.rounds)
            if where.category is None:
                then = await _median(lambda w=where, s=search: before(w, s), args.rounds)
                ratio = f"{then:.0f} ms before (3 facets); ratio {now / then:.2f}"
            else:
                ratio = "no category filter before"
            print(f"facets, {name}: {now:.0f} ms (9 facets); {ratio}")
        print(load())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--heap", default="1g")
    parser.add_argument("--page-cache", default="1g")
    args = parser.parse_args()
    uri = os.environ.get("MULU_BENCH_NEO4J_URI")
    if uri:
        auth = ("neo4j", os.environ["MULU_BENCH_NEO4J_PASSWORD"])
        asyncio.run(bench(uri, auth, args))
        return
    from infra.neo4j import Neo4jServer
    from infra.net import free_port

    with tempfile.TemporaryDirectory() as directory:
        server = Neo4jServer(
            Path(directory) / "neo4j",
            free_port(),
            secrets.token_hex(12),
            heap=args.heap,
            page_cache=args.page_cache,
        )
        info = server.start()
        try:
            asyncio.run(bench(info.uri, info.auth, args))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
