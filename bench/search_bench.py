"""Benchmark of search (graph.search) on Neo4j: quality and latency on the judged query set,
beside the search of before as the baseline, in the same run on the same data.

The sample catalog of ``--size`` entries (every catalog, every state) is loaded through
`Neo4jStore.apply` (timed: the index text is made at write time). The judged queries of
tests/graph/data/search_queries.json are then asked of both searches:

- now: `Neo4jStore.find` (a typo through "did you mean", as the API answers it);
- before: the ``cjk`` full-text index over name and summary that the store used until this
  change, created here beside the new one, queried by `graph.search.tokens.lucene_query`
  (every bigram required) and ordered by Lucene's score then code, as the store did.

Relevance is the set's own judgement (tests/graph/search_judged.py), applied to the entries of
this size: recall@20 is the share of relevant entries in the first 20, out of at most 20;
MRR the mean of 1 / the rank of the first relevant entry in the first 20 (for a query naming
the entry that must come first, an entry of that name). Latency is the median and p95 of each
query class over ``--rounds`` rounds; the slowest queries are printed with their round (the
tail). Index size (on disk) and build time of both indexes
are measured on the same graph.

A Neo4j is started through infra/ unless MULU_BENCH_NEO4J_URI (and _PASSWORD; _HOME, its
directory, for the index sizes) names one.

    python bench/search_bench.py --size 100000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

# The judged queries live with the tests: the repository's root on the path, as pytest has it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph import Resource, ResourceFilter
from graph.neo4j import Neo4jStore
from graph.neo4j.schema import FULLTEXT_INDEX, SCHEMA
from graph.sample import generate_catalog
from graph.search import Searcher, did_you_mean, index_text
from graph.search.tokens import lucene_query
from graph.snapshot import resource_from_json
from tests.graph.search_judged import (
    SAMPLE_SEED,
    is_relevant,
    judged_queries,
    sample_entries,
)

EVERY_STATE = ResourceFilter(states=frozenset())
BASELINE_INDEX = "search_baseline_cjk"
NEW_INDEX = FULLTEXT_INDEX
TOP = 20

# The search of before (graph/neo4j/cypher/finding.py SEARCH_PAGE at the previous commit),
# over every state (r.state IS NOT NULL), on the index created here.
BASELINE_PAGE = f"""
CALL db.index.fulltext.queryNodes('{BASELINE_INDEX}', $query) YIELD node AS r, score
WHERE r.state IS NOT NULL
WITH collect([r, score]) AS hits
CALL (hits) {{
  UNWIND hits AS hit
  WITH hit[0] AS r, hit[1] AS score
  ORDER BY score DESC, r.code
  LIMIT $limit
  RETURN collect([r.snapshot, score]) AS page
}}
RETURN size(hits) AS total, page
"""


def machine() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load average unknown"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def index_build(store: Neo4jStore, name: str, create: str) -> float:
    """Drop `name` if there, create it over the loaded graph and wait until it is ONLINE."""
    driver = store._driver
    await driver.execute_query(f"DROP INDEX {name} IF EXISTS")
    start = time.perf_counter()
    await driver.execute_query(create)
    await driver.execute_query("CALL db.awaitIndex($name, 3600)", name=name)
    return time.perf_counter() - start


async def index_size(store: Neo4jStore, home: Path | None, name: str) -> str:
    records, _, _ = await store._driver.execute_query(
        "SHOW INDEXES YIELD id, name WHERE name = $name RETURN id", name=name
    )
    if home is None or not records:
        return "unknown (MULU_BENCH_NEO4J_HOME not set)"
    directory = home / "data/databases/neo4j/schema/index/fulltext-1.0" / str(records[0]["id"])
    size = sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
    return f"{size / 2**20:.1f} MiB"


async def new_search(store: Neo4jStore, query: dict[str, Any]) -> list[str]:
    text = query["query"]
    if query["class"] == "typo":

        async def finds(candidate: str) -> bool:
            return (await store.find(EVERY_STATE, search=candidate, first=0)).total_count > 0

        page = await store.find(EVERY_STATE, search=text, first=TOP)
        if page.total_count == 0:
            suggestion = await did_you_mean(store.searcher, text, finds)
            if suggestion is None:
                return []
            text = suggestion
    page = await store.find(EVERY_STATE, search=text, first=TOP)
    return [e.code for e in page.items]


async def old_search(store: Neo4jStore, query: dict[str, Any]) -> list[str]:
    lucene = lucene_query(query["query"])
    if lucene is None:
        return []
    records, _, _ = await store._driver.execute_query(
        BASELINE_PAGE, query=lucene, limit=TOP + 1, routing_="r"
    )
    page = records[0]["page"][:TOP]
    return [resource_from_json(snapshot).code for snapshot, _score in page]


def judge(
    entries: list[Resource], query: dict[str, Any], first_names: dict[str, str]
) -> tuple[set[str], set[str]]:
    """(relevant codes, codes that count for the rank: entries of the name that must come
    first, or every relevant one)."""
    relevant = {e.code for e in entries if is_relevant(e, query["judge"])}
    if query["first"] is None:
        return relevant, relevant
    name = first_names[query["first"]]
    return relevant, {e.code for e in entries if e.name == name}


def quality(found: list[str], relevant: set[str], ranked: set[str]) -> tuple[float, float]:
    recall = len(set(found[:TOP]) & relevant) / min(TOP, len(relevant))
    rank = next((i for i, code in enumerate(found[:TOP], 1) if code in ranked), None)
    return recall, 0.0 if rank is None else 1 / rank


async def bench(
    uri: str, auth: tuple[str, str], home: Path | None, args: argparse.Namespace
) -> None:
    print(f"== search on Neo4j, {args.size} entries (seed {SAMPLE_SEED}); {machine()} ==")
    sample = generate_catalog(args.size, seed=SAMPLE_SEED)
    entries = [e for batch in sample.resources(1000) for e in batch]
    first_names = {e.code: e.name for e in sample_entries()}
    national = sample.catalog("national/intranet")
    searcher = Searcher.shipped()
    opening = time.perf_counter()
    async with Neo4jStore.open(uri, auth, catalog=national, searcher=searcher) as store:
        # Opening reindexes entries indexed by an earlier graph.search (--no-load on a graph
        # loaded by an earlier version) and learns the catalog's words.
        print(
            f"store opened in {time.perf_counter() - opening:.1f} s "
            f"({len(store.searcher.learned)} words learned); {machine()}"
        )
        if not args.no_load:
            await store.erase_all()
            await store.put_regions(sample.regions)
            await store.put_catalogs(sample.catalogs)
            await store.put_departments(sample.departments)
            await store.put_categories(sample.categories)
            start = time.perf_counter()
            for batch in sample.resources(1000):
                await store.apply(batch)
            loaded = time.perf_counter() - start
            print(
                f"load through the store: {loaded:.1f} s ({args.size / loaded:.0f}/s); {machine()}"
            )
        start = time.perf_counter()
        for e in entries[: min(len(entries), 10_000)]:
            index_text(e)
        made = (time.perf_counter() - start) / min(len(entries), 10_000) * 1e6
        print(f"index text made per entry (Python): {made:.0f} µs")
        old_build = await index_build(
            store,
            BASELINE_INDEX,
            f"CREATE FULLTEXT INDEX {BASELINE_INDEX} FOR (r:Resource) ON EACH [r.name, r.summary] "
            "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
        )
        new_build = await index_build(store, NEW_INDEX, SCHEMA[NEW_INDEX])
        print(
            f"index build on the loaded graph: before (cjk, name+summary) {old_build:.1f} s, "
            f"{await index_size(store, home, BASELINE_INDEX)}; now (whitespace, name+body+"
            f"pinyin+initials+words) {new_build:.1f} s, "
            f"{await index_size(store, home, NEW_INDEX)}; "
            f"{machine()}"
        )
        scores: dict[str, dict[str, list[tuple[float, float]]]] = {
            "now": defaultdict(list),
            "before": defaultdict(list),
        }
        latency: dict[str, dict[str, list[float]]] = {
            "now": defaultdict(list),
            "before": defaultdict(list),
        }
        skipped = 0
        loads: dict[str, list[float]] = defaultdict(list)
        misses: list[str] = []
        slowest: list[tuple[float, int, str, str]] = []  # (ms, round, class, query) of now
        queries = judged_queries()
        judged = [judge(entries, q, first_names) for q in queries]
        for round_ in range(args.rounds):
            for query, (relevant, ranked) in zip(queries, judged, strict=True):
                if not relevant or not ranked:
                    skipped += round_ == 0
                    continue
                loads[query["class"]].append(os.getloadavg()[0])
                for label, search in (("now", new_search), ("before", old_search)):
                    start = time.perf_counter()
                    found = await search(store, query)
                    elapsed = (time.perf_counter() - start) * 1e3
                    latency[label][query["class"]].append(elapsed)
                    if label == "now":
                        slowest.append((elapsed, round_ + 1, query["class"], query["query"]))
                    if round_ == 0:
                        rated = quality(found, relevant, ranked)
                        scores[label][query["class"]].append(rated)
                        if label == "now" and rated != (1.0, 1.0):
                            misses.append(
                                f"  {query['query']!r}: recall {rated[0]:.2f}, MRR {rated[1]:.2f}"
                            )
        await store._driver.execute_query(f"DROP INDEX {BASELINE_INDEX} IF EXISTS")
    print(f"{len(queries) - skipped} judged queries ({skipped} with nothing relevant at this size)")
    print("queries not perfect now:", *misses, sep="\n")
    # The tail: which queries make the p95 (the first round plans each statement's shape).
    print(
        "slowest now:",
        *(f"  {ms:.1f} ms, round {r}, {c}: {q!r}" for ms, r, c, q in sorted(slowest)[::-1][:15]),
        sep="\n",
    )
    warm: dict[str, list[float]] = defaultdict(list)
    for ms, r, c, _q in slowest:
        if r > 1:
            warm[c].append(ms)
    if warm:
        print(
            "p95 ms now without the first round (each statement's shape planned already):",
            "; ".join(f"{c} {percentile(v, 0.95):.1f}" for c, v in warm.items()),
        )
    print(
        "| class | n | recall@20 now / before | MRR now / before "
        "| median ms now / before (ratio) | p95 ms now / before | load average |"
    )
    print("|---|---|---|---|---|---|---|")
    classes = sorted(scores["now"], key=lambda c: -len(scores["now"][c]))
    for name in [*classes, "all"]:
        row = []
        for label in ("now", "before"):
            pairs = (
                [p for c in classes for p in scores[label][c]]
                if name == "all"
                else scores[label][name]
            )
            times = (
                [t for c in classes for t in latency[label][c]]
                if name == "all"
                else latency[label][name]
            )
            row.append(
                (
                    statistics.mean(r for r, _ in pairs),
                    statistics.mean(m for _, m in pairs),
                    statistics.median(times),
                    percentile(times, 0.95),
                    len(pairs),
                )
            )
        (rn, mn, dn, pn, n), (rb, mb, db, pb, _) = row
        load = [x for c in classes for x in loads[c]] if name == "all" else loads[name]
        print(
            f"| {name} | {n} | {rn:.3f} / {rb:.3f} | {mn:.3f} / {mb:.3f} | "
            f"{dn:.1f} / {db:.1f} ({dn / db:.2f}) | {pn:.1f} / {pb:.1f} | "
            f"{min(load):.1f}–{max(load):.1f} |"
        )
    print(machine())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--page-cache", default="2g")
    parser.add_argument("--no-load", action="store_true", help="search what the server holds")
    args = parser.parse_args()
    uri = os.environ.get("MULU_BENCH_NEO4J_URI")
    if uri:
        auth = (
            os.environ.get("MULU_BENCH_NEO4J_USER", "neo4j"),
            os.environ["MULU_BENCH_NEO4J_PASSWORD"],
        )
        home = os.environ.get("MULU_BENCH_NEO4J_HOME")
        asyncio.run(bench(uri, auth, Path(home) if home else None, args))
        return
    from infra.neo4j import Neo4jServer
    from infra.net import free_port

    with tempfile.TemporaryDirectory() as directory:
        home_path = Path(directory) / "neo4j"
        server = Neo4jServer(
            home_path,
            free_port(),
            secrets.token_hex(12),
            heap=args.heap,
            page_cache=args.page_cache,
        )
        info = server.start()
        try:
            asyncio.run(bench(info.uri, info.auth, home_path, args))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
