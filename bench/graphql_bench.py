"""Benchmark of the GraphQL API over HTTP: `mulu serve` beside `@neo4j/graphql` on one Neo4j.

At ``--size`` resources of the sample catalog (every catalog of it, loaded through
`Neo4jStore` into the store of catalog national/intranet, as bench/store_bench.py does), on a
Neo4j server started through infra/ (unless MULU_BENCH_NEO4J_URI names one):

1. `mulu serve` (store neo4j, region 100000, zone intranet; one uvicorn process) and
   bench/neo4j-graphql/server.js (@neo4j/graphql 7 on Apollo Server 5, one Node process) start
   as subprocesses on loopback, over the same database;
2. a few answers of each query kind are compared between the two (same content);
3. an httpx load generator keeps ``--concurrency`` requests in flight for ``--duration``
   seconds, first on the fixed mix (search + page, resource detail, lineage depth 3, catalog
   tree, in turn), then on each kind alone; the two servers take turns, mix first; before
   each measured pair both send the same requests for as long, unmeasured (the page cache then
   holds what either reads, whichever goes first), and each run starts on an idle Neo4j (the
   queries of requests the generator gave up on, which go on in the server, are waited for up
   to 30 s and then ended: they would count against the next run);
4. throughput, p50/p99 latency per kind and overall, CPU per request of each process, and the
   ratio mulu / @neo4j/graphql are printed; then the mix again at one offered rate (half the
   slower server's throughput, an open loop: each request sent when due, its latency counted
   from then), where the two medians compare as users would see them — in the closed loop
   the faster server keeps all its slots busy, and its median grows with its throughput;
5. with ``--profile FILE``, mulu runs the mix once more under cProfile and the top functions
   are printed (the stats are kept in FILE).

    python bench/graphql_bench.py --size 100000
    python bench/graphql_bench.py --size 5000 --duration 5 --profile /tmp/mulu.prof
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import pstats
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from graph.model import Catalog
from graph.neo4j import Neo4jStore
from graph.neo4j.search import lucene_query
from graph.sample import SampleCatalog, generate_catalog, load_sample
from graph.search.tokens import tokens

HERE = Path(__file__).resolve().parent
NODE_PROJECT = HERE / "neo4j-graphql"
KINDS = ("search", "detail", "lineage", "tree")

# -- the query mix, as each server spells it -----------------------------------------------

MULU_SEARCH = """
query Search($q: String!) {
  resources(search: $q, first: 20) {
    totalCount
    edges { node { code name provider { name } } }
    pageInfo { endCursor hasNextPage }
  }
}"""
NEO_SEARCH = """
query Search($q: String!) {
  searchResources(
    phrase: $q
    where: { node: { state: { eq: "PUBLISHED" } } }
    sort: [{ score: DESC }, { node: { code: ASC } }]
    first: 20
  ) {
    totalCount
    edges { node { code name provider { name } } }
    pageInfo { endCursor hasNextPage }
  }
}"""

MULU_DETAIL = """
query Detail($code: String!) {
  resource(code: $code) {
    code name summary
    items { name dataType length }
    provider { name }
    themes { name }
    catalogPath { id }
  }
}"""
NEO_DETAIL = """
query Detail($code: ID!) {
  resources(where: { code: { eq: $code }, state: { eq: "PUBLISHED" } }) {
    code name summary
    items(sort: [{ position: ASC }]) { name dataType length }
    provider { name }
    themes(sort: [{ name: ASC }]) { name }
    catalogPath { id }
  }
}"""

MULU_LINEAGE = """
query Lineage($code: String!) {
  lineage(code: $code, direction: BOTH, depth: 3) {
    root
    nodes { code resource { name } }
    edges { derived source }
  }
}"""
NEO_LINEAGE = """
query Lineage($code: ID!) {
  resources(where: { code: { eq: $code }, state: { eq: "PUBLISHED" } }) {
    code name
    upstream { code name }
    downstream { code name }
    lineageEdges
  }
}"""

_TREE_FIELDS = "id name ownCount totalCount"


def _tree_selection(depth: int) -> str:
    """``id name … children { … }`` nested `depth` levels: national → province → city → county."""
    inner = _TREE_FIELDS
    for _ in range(depth - 1):
        inner = f"{_TREE_FIELDS} children {{ {inner} }}"
    return inner


MULU_TREE = f"query Tree {{ catalogs {{ {_tree_selection(4)} }} }}"
NEO_TREE = (
    "query Tree { catalogRoots { "
    + _tree_selection(4).replace("children {", "children(sort: [{ id: ASC }]) {")
    + " } }"
)


@dataclass(frozen=True, slots=True)
class Request:
    """One request of the plan: its kind and its variables, the same for both servers."""

    kind: str
    variables: dict[str, str]


def mulu_payload(request: Request) -> dict[str, Any]:
    query = {"search": MULU_SEARCH, "detail": MULU_DETAIL, "lineage": MULU_LINEAGE}
    if request.kind == "tree":
        return {"query": MULU_TREE}
    if request.kind == "search":
        return {"query": query["search"], "variables": {"q": request.variables["word"]}}
    return {"query": query[request.kind], "variables": request.variables}


def neo_payload(request: Request) -> dict[str, Any]:
    if request.kind == "tree":
        return {"query": NEO_TREE}
    if request.kind == "search":
        # The Lucene query mulu's store sends for the same words (`phrases`): the same hits.
        return {"query": NEO_SEARCH, "variables": {"q": request.variables["phrase"]}}
    query = {"detail": NEO_DETAIL, "lineage": NEO_LINEAGE}[request.kind]
    return {"query": query, "variables": request.variables}


def plan(sample: SampleCatalog, seed: int, count: int = 4000) -> dict[str, list[Request]]:
    """`count` requests of each kind, their arguments drawn from the published sample entries:
    2-character words of entry names, entry codes, and codes of entries with lineage."""
    rng = random.Random(seed)
    published = [
        e for batch in sample.resources(1000) for e in batch if e.state.value == "PUBLISHED"
    ]
    words = sorted({t for e in published[:3000] for t in tokens(e.name) if len(t) == 2})
    codes = [e.code for e in published]
    visible = set(codes)
    derived = sorted(
        {e.code for e in published if e.derived_from}
        | {s for e in published for s in e.derived_from if s in visible}
    )
    return {
        "search": [Request("search", {"word": rng.choice(words)}) for _ in range(count)],
        "detail": [Request("detail", {"code": rng.choice(codes)}) for _ in range(count)],
        "lineage": [Request("lineage", {"code": rng.choice(derived)}) for _ in range(count)],
        "tree": [Request("tree", {}) for _ in range(count)],
    }


async def with_phrases(
    target: Neo4jTarget, catalog: Catalog, requests: dict[str, list[Request]]
) -> dict[str, list[Request]]:
    """`requests` with each search's Lucene query, as mulu's store sends it for the word (its
    searcher has learned the catalog's words): what @neo4j/graphql is given, for the same hits."""
    async with Neo4jStore.open(
        target.uri, (target.user, target.password), catalog=catalog
    ) as store:
        searches = [
            Request("search", {**r.variables, "phrase": lucene_query(store.searcher.read(word))})
            for r in requests["search"]
            for word in [r.variables["word"]]
        ]
    return {**requests, "search": searches}


def interleaved(requests: dict[str, list[Request]]) -> list[Request]:
    """The mix: one of each kind in turn."""
    return [r for group in zip(*(requests[k] for k in KINDS), strict=True) for r in group]


# -- comparing answers -----------------------------------------------------------------------


def _names(entries: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["code"], e["name"]) for e in entries]


def normal_mulu(kind: str, data: dict[str, Any]) -> Any:
    """The content of a mulu answer in a form both servers' answers take."""
    if kind == "search":
        return _normal_search(data["resources"])
    if kind == "detail":
        r = data["resource"]
        return {
            "code": r["code"],
            "name": r["name"],
            "summary": r["summary"],
            "items": [(i["name"], i["dataType"], i["length"]) for i in r["items"]],
            "provider": r["provider"]["name"],
            "themes": sorted(t["name"] for t in r["themes"]),
            "path": [c["id"] for c in r["catalogPath"]],
        }
    if kind == "lineage":
        walk = data["lineage"]
        root = walk["root"]
        return {
            "nodes": sorted(
                (n["code"], n["resource"]["name"] if n["resource"] else None)
                for n in walk["nodes"]
                if n["code"] != root
            ),
            "edges": sorted(f"{e['derived']}>{e['source']}" for e in walk["edges"]),
        }
    return _normal_tree(data["catalogs"])


def normal_neo(kind: str, data: dict[str, Any]) -> Any:
    """The content of an @neo4j/graphql answer, as `normal_mulu` gives mulu's."""
    if kind == "search":
        return _normal_search(data["searchResources"])
    if kind == "detail":
        (r,) = data["resources"]
        return {
            "code": r["code"],
            "name": r["name"],
            "summary": r["summary"],
            "items": [(i["name"], i["dataType"], i["length"]) for i in r["items"]],
            "provider": r["provider"]["name"],
            "themes": sorted(t["name"] for t in r["themes"]),
            "path": [c["id"] for c in r["catalogPath"]],
        }
    if kind == "lineage":
        (r,) = data["resources"]
        return {
            "nodes": sorted(set(_names(r["upstream"]) + _names(r["downstream"]))),
            "edges": sorted(set(r["lineageEdges"])),
        }
    return _normal_tree(data["catalogRoots"])


def _normal_search(page: dict[str, Any]) -> Any:
    # The same hits, counted alike; mulu orders them by its ranking (graph.search), the other
    # by Lucene's score, so the two pages hold different entries of the same hits.
    return {
        "total": page["totalCount"],
        "page size": len(page["edges"]),
        "providers named": all(e["node"]["provider"]["name"] for e in page["edges"]),
        "has_next": page["pageInfo"]["hasNextPage"],
    }


def _normal_tree(nodes: list[dict[str, Any]]) -> Any:
    return sorted(
        (n["id"], n["name"], n["ownCount"], n["totalCount"], _normal_tree(n.get("children") or []))
        for n in nodes
    )


async def spot_check(
    mulu: httpx.AsyncClient, neo: httpx.AsyncClient, requests: dict[str, list[Request]], n: int
) -> list[str]:
    """Ask both servers the first `n` requests of each kind; the differences, described."""
    differences = []
    for kind in KINDS:
        for request in requests[kind][: 1 if kind == "tree" else n]:
            a = await _data(mulu, mulu_payload(request))
            b = await _data(neo, neo_payload(request))
            if normal_mulu(kind, a) != normal_neo(kind, b):
                differences.append(
                    f"{kind} {request.variables}: mulu {normal_mulu(kind, a)!r:.600} "
                    f"!= @neo4j/graphql {normal_neo(kind, b)!r:.600}"
                )
    return differences


async def _data(client: httpx.AsyncClient, payload: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json=payload)
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(
            f"{client.base_url} answered {response.status_code} to {payload!r:.300}: "
            f"{json.dumps(body, ensure_ascii=False)[:800]}"
        )
    data: dict[str, Any] = body["data"]
    return data


# -- load ------------------------------------------------------------------------------------


@dataclass
class Run:
    """What one load run measured."""

    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)  # ms, by kind
    errors: dict[str, int] = field(default_factory=dict)
    first_error: str | None = None
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by process
    connections: int = 0  # distinct HTTP connections used: keep-alive held if ≈ concurrency

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def all_latencies(self) -> list[float]:
        return [ms for v in self.latencies.values() for ms in v]


class _Tally:
    """The answers of one run as they come (latencies of those without errors, by kind), its
    time and the CPU of `processes` from its making to `run()`."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        payload: Callable[[Request], Any],
        processes: dict[str, int],
    ) -> None:
        self.client, self.payload, self.processes = client, payload, processes
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.first_error: str | None = None
        self.streams: set[int] = set()
        self.cpu_before = {name: cpu_seconds(pid) for name, pid in processes.items()}
        self.started = time.perf_counter()

    async def send(self, request: Request, start: float | None = None) -> None:
        """One request; its latency counted from `start` (default: now)."""
        start = time.perf_counter() if start is None else start
        try:
            response = await self.client.post("/graphql", json=self.payload(request))
            self.streams.add(id(response.extensions.get("network_stream")))
            ok = response.status_code == 200 and b'"errors"' not in response.content
            detail = f"{response.status_code} {response.text[:300]}"
        except httpx.HTTPError as exc:
            ok, detail = False, repr(exc)
        ms = (time.perf_counter() - start) * 1000
        if ok:
            self.latencies.setdefault(request.kind, []).append(ms)
        else:
            self.errors[request.kind] = self.errors.get(request.kind, 0) + 1
            self.first_error = self.first_error or f"{request.kind}: {detail}"

    def run(self) -> Run:
        """What was measured, now that every request has its answer."""
        seconds = time.perf_counter() - self.started
        cpu = {n: cpu_seconds(pid) - self.cpu_before[n] for n, pid in self.processes.items()}
        return Run(seconds, self.latencies, self.errors, self.first_error, cpu, len(self.streams))


async def load(
    client: httpx.AsyncClient,
    payload: Callable[[Request], dict[str, Any]],
    requests: list[Request],
    concurrency: int,
    duration: float,
    processes: dict[str, int],
) -> Run:
    """Keep `concurrency` requests in flight, cycling through `requests`, for `duration`
    seconds (or until `requests` is used up once); only answers without errors count."""
    pending: Iterator[Request] = iter(requests)
    tally = _Tally(client, payload, processes)
    deadline = tally.started + duration

    async def worker() -> None:
        for request in pending:
            if time.perf_counter() >= deadline:
                return
            await tally.send(request)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return tally.run()


async def paced(
    client: httpx.AsyncClient,
    payload: Callable[[Request], dict[str, Any]],
    requests: list[Request],
    rate: float,
    duration: float,
    processes: dict[str, int],
) -> Run:
    """Send `requests` in turn at `rate` a second for `duration` seconds, each when its time
    comes whether or not the ones before were answered (an open loop: a latency is counted
    from the request's due time, so a wait for a free connection counts too). At a rate both
    servers sustain, their latencies compare as a user's would: under a closed loop the
    faster server keeps every slot busy and its median grows with its throughput."""
    tally = _Tally(client, payload, processes)
    sent: list[asyncio.Task[None]] = []
    for n, request in enumerate(itertools.islice(itertools.cycle(requests), int(rate * duration))):
        due = tally.started + n / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        sent.append(asyncio.create_task(tally.send(request, due)))
    await asyncio.gather(*sent)
    return tally.run()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` (Linux /proc), its finished children included."""
    if pid == os.getpid():
        times = os.times()
        return times.user + times.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(v) for v in fields[11:15]) / ticks  # utime stime cutime cstime


# -- reporting ------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


@dataclass(frozen=True, slots=True)
class Figures:
    rps: float
    p50: float
    p99: float
    count: int
    errors: int


def figures(run: Run, kind: str | None) -> Figures:
    ms = run.all_latencies() if kind is None else run.latencies.get(kind, [])
    errors = sum(run.errors.values()) if kind is None else run.errors.get(kind, 0)
    return Figures(
        len(ms) / run.seconds,
        statistics.median(ms) if ms else 0.0,
        percentile(ms, 0.99),
        len(ms),
        errors,
    )


def print_comparison(title: str, mulu: Run, neo: Run, kinds: list[str | None]) -> None:
    print(f"\n  {title}", flush=True)
    print(
        f"  {'':<9}{'mulu req/s':>11}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'neo req/s':>11}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'ratio req/s':>13}{'p50':>7}{'p99':>7}{'errors m/n':>12}"
    )
    for kind in kinds:
        a, b = figures(mulu, kind), figures(neo, kind)
        print(
            f"  {kind or 'overall':<9}{a.rps:11.1f}{a.p50:9.1f}{a.p99:9.1f}"
            f"{b.rps:11.1f}{b.p50:9.1f}{b.p99:9.1f}"
            f"{_ratio(a.rps, b.rps):13.2f}{_ratio(a.p50, b.p50):7.2f}{_ratio(a.p99, b.p99):7.2f}"
            f"{a.errors:>7}/{b.errors}",
            flush=True,
        )
    for name, run in (("mulu", mulu), ("@neo4j/graphql", neo)):
        if run.first_error:
            print(f"  first error of {name}: {run.first_error}")
        per = ", ".join(f"{p} {1000 * s / max(run.count, 1):.2f}" for p, s in run.cpu.items())
        print(
            f"  CPU ms per request, {name} run: {per}; {run.connections} HTTP connections",
            flush=True,
        )


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


# -- the servers -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Neo4jTarget:
    uri: str
    user: str
    password: str
    pid: int | None  # the JVM, when started here


# Every transaction but this statement's own.
_OTHERS = (
    "SHOW TRANSACTIONS YIELD transactionId, currentQuery "
    "WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' "
    "RETURN collect(transactionId) AS ids"
)
QUIET_SECONDS = 30.0


async def quiet(target: Neo4jTarget) -> str:
    """Wait until Neo4j runs no query (at most `QUIET_SECONDS`), then end what is still running:
    a request the load generator gave up on (a timeout) goes on in Neo4j, and would be measured
    against the next server's run. What was found, for the report."""
    from neo4j import AsyncGraphDatabase

    async with AsyncGraphDatabase.driver(target.uri, auth=(target.user, target.password)) as d:
        waited = time.perf_counter()
        while True:
            records, _, _ = await d.execute_query(_OTHERS)
            ids = records[0]["ids"]
            if not ids:
                break
            if time.perf_counter() - waited > QUIET_SECONDS:
                await d.execute_query("TERMINATE TRANSACTIONS $ids", ids=ids)
                return f"{len(ids)} queries still running after {QUIET_SECONDS:.0f} s, ended"
            await asyncio.sleep(0.2)
    seconds = time.perf_counter() - waited
    return "Neo4j idle" if seconds < 0.5 else f"Neo4j idle after {seconds:.1f} s"


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("MULU_")}


def start_mulu(
    target: Neo4jTarget, catalog: Catalog, port: int, profile: Path | None, logs: Path
) -> subprocess.Popen[bytes]:
    """`mulu serve` on loopback over `target`, as the national intranet instance."""
    env = _clean_env() | {
        "MULU_STORE": "neo4j",
        "MULU_NEO4J__URI": target.uri,
        "MULU_NEO4J__USER": target.user,
        "MULU_NEO4J__PASSWORD": target.password,
        "MULU_REGION_CODE": catalog.region_code,
        "MULU_ZONE": catalog.zone.value,
        "MULU_CATALOG_NAME": catalog.name,
        "MULU_LOG_LEVEL": "WARNING",
    }
    # The `mulu` entry point, run by this interpreter (not a shim) so that its pid is the
    # server's and cProfile can wrap it.
    runner = logs / "mulu_serve.py"
    runner.write_text("import sys\nfrom federation.cli import app\nsys.argv[0] = 'mulu'\napp()\n")
    profiling = ["-m", "cProfile", "-o", str(profile)] if profile else []
    command = [
        sys.executable,
        *profiling,
        str(runner),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    out = (logs / "mulu.log").open("ab")
    return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=HERE.parent)


def start_neo4j_graphql(target: Neo4jTarget, port: int, logs: Path) -> subprocess.Popen[bytes]:
    """bench/neo4j-graphql/server.js over `target`, after `npm ci` if node_modules is missing."""
    if not (NODE_PROJECT / "node_modules").is_dir():
        print("  npm ci in bench/neo4j-graphql …", flush=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_PROJECT, check=True)
    env = _clean_env() | {
        "NEO4J_URI": target.uri,
        "NEO4J_USER": target.user,
        "NEO4J_PASSWORD": target.password,
        "PORT": str(port),
        "NODE_ENV": "production",
    }
    out = (logs / "neo4j-graphql.log").open("ab")
    return subprocess.Popen(
        ["node", "server.js"], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=NODE_PROJECT
    )


async def wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until `url` answers a trivial GraphQL query (120 s at most); the log's tail if the
    process exits first."""
    async with httpx.AsyncClient(base_url=url, timeout=5) as client, asyncio.timeout(120):
        while process.poll() is None:
            with contextlib.suppress(httpx.HTTPError):
                response = await client.post("/graphql", json={"query": "{ __typename }"})
                if response.status_code == 200:
                    return
            await asyncio.sleep(0.5)
    raise RuntimeError(f"{url} exited with {process.returncode} before serving:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


def stop(process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """SIGINT (uvicorn and Node shut down cleanly, cProfile writes its stats), then SIGKILL."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- the run ---------------------------------------------------------------------------------


async def load_store(target: Neo4jTarget, sample: SampleCatalog, catalog: Catalog) -> None:
    print(f"  loading {sample.size} resources (all catalogs) through Neo4jStore …", flush=True)
    start = time.perf_counter()
    async with Neo4jStore.open(
        target.uri, (target.user, target.password), catalog=catalog
    ) as store:
        await store.erase_all()
        applied = await load_sample(store, sample, [c.id for c in sample.catalogs])
    seconds = time.perf_counter() - start
    print(
        f"  loaded {applied} resources in {seconds:.0f} s ({applied / seconds:.0f}/s)", flush=True
    )


async def bench(target: Neo4jTarget, args: argparse.Namespace) -> None:
    sample = generate_catalog(args.size, args.seed)
    catalog = sample.catalog("national/intranet")
    if not args.no_load:
        await load_store(target, sample, catalog)
    requests = await with_phrases(target, catalog, plan(sample, args.seed))
    mix = interleaved(requests)

    from infra.net import free_ports

    mulu_port, neo_port = args.ports or free_ports(2)
    logs = Path(tempfile.mkdtemp(prefix="mulu-graphql-bench-"))
    mulu = start_mulu(target, catalog, mulu_port, None, logs)
    neo = start_neo4j_graphql(target, neo_port, logs)
    mulu_url, neo_url = f"http://127.0.0.1:{mulu_port}", f"http://127.0.0.1:{neo_port}"
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    try:
        await wait_until_serving(mulu_url, mulu, logs / "mulu.log")
        await wait_until_serving(neo_url, neo, logs / "neo4j-graphql.log")
        async with (
            httpx.AsyncClient(base_url=mulu_url, timeout=60, limits=limits) as mc,
            httpx.AsyncClient(base_url=neo_url, timeout=60, limits=limits) as nc,
        ):
            differences = await spot_check(mc, nc, requests, args.check)
            print(
                f"\n  spot check: {args.check} search, {args.check} detail, {args.check} "
                f"lineage, 1 tree — {len(differences)} differ",
                flush=True,
            )
            for line in differences:
                print(f"    {line}")
            jvm = {"neo4j": target.pid} if target.pid else {}
            mulu_procs = {"mulu": mulu.pid, **jvm, "client": os.getpid()}
            neo_procs = {"node": neo.pid, **jvm, "client": os.getpid()}

            async def both(requests_: list[Request], seconds: float) -> tuple[Run, Run]:
                # Both servers first send the same requests for as long, unmeasured: each run
                # starts from the list's head, so mulu, measured first, would otherwise pay the
                # page faults of the entries @neo4j/graphql then finds in the page cache.
                quieted, runs = [], []
                for payload, client, procs in (
                    (mulu_payload, mc, mulu_procs),
                    (neo_payload, nc, neo_procs),
                ) * 2:
                    # Each run starts on a Neo4j that is doing nothing else.
                    quieted.append(await quiet(target))
                    runs.append(
                        await load(client, payload, requests_, args.concurrency, seconds, procs)
                    )
                print(f"  before each run: {'; '.join(quieted)}")
                return runs[-2], runs[-1]

            print(f"\n  warm-up {args.warmup:.0f} s each …", flush=True)
            await both(mix, args.warmup)
            print(f"  load average before the mix: {load_average()}")
            a, b = await both(mix, args.duration)
            print_comparison(
                f"mix, {args.concurrency} in flight, {args.duration:.0f} s each "
                f"(load average after: {load_average()})",
                a,
                b,
                [*KINDS, None],
            )
            # The same mix at one offered rate, half the slower server's throughput above.
            rate = max(1.0, 0.5 * min(figures(a, None).rps, figures(b, None).rps))
            notes = [await quiet(target)]
            a = await paced(mc, mulu_payload, mix, rate, args.duration, mulu_procs)
            notes.append(await quiet(target))
            b = await paced(nc, neo_payload, mix, rate, args.duration, neo_procs)
            print(f"  before each run: {'; '.join(notes)}")
            print_comparison(
                f"mix at {rate:.1f} requests/s, an open loop, {args.duration:.0f} s each "
                f"(load average after: {load_average()})",
                a,
                b,
                [*KINDS, None],
            )
            for kind in KINDS:
                a, b = await both(requests[kind], args.kind_duration)
                print_comparison(
                    f"{kind} alone, {args.kind_duration:.0f} s each "
                    f"(load average: {load_average()})",
                    a,
                    b,
                    [kind],
                )
    finally:
        stop(mulu)
        stop(neo)

    if args.profile:
        await profile_mulu(target, catalog, mix, args, logs)
    shutil.rmtree(logs, ignore_errors=True)


async def profile_mulu(
    target: Neo4jTarget, catalog: Catalog, mix: list[Request], args: argparse.Namespace, logs: Path
) -> None:
    """The mix once more against mulu under cProfile; the functions that took the time."""
    from infra.net import free_port

    port = args.ports[0] if args.ports else free_port()
    process = start_mulu(target, catalog, port, args.profile, logs)
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_serving(url, process, logs / "mulu.log")
        limits = httpx.Limits(
            max_connections=args.concurrency, max_keepalive_connections=args.concurrency
        )
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
            run = await load(
                client, mulu_payload, mix, args.concurrency, args.duration, {"mulu": process.pid}
            )
    finally:
        stop(process)
    print(
        f"\n  mulu under cProfile: {run.count} requests in {run.seconds:.1f} s "
        f"({run.count / run.seconds:.1f} req/s under the profiler, {run.connections} HTTP "
        f"connections, load average {load_average()}); stats in {args.profile}"
    )
    stats = pstats.Stats(str(args.profile))
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=24, help="requests in flight")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of the mix, each")
    parser.add_argument(
        "--kind-duration", type=float, default=10.0, help="seconds of each kind alone, each"
    )
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--check", type=int, default=5, help="answers compared per kind")
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--page-cache", default="2g")
    parser.add_argument(
        "--no-load",
        action="store_true",
        help="the named server already holds this --size and --seed",
    )
    parser.add_argument("--profile", type=Path, help="profile mulu on the mix; stats to this file")
    parser.add_argument(
        "--ports",
        type=int,
        nargs=2,
        metavar=("MULU", "NEO4J_GRAPHQL"),
        help="the two servers' HTTP ports (default: free ones)",
    )
    args = parser.parse_args()
    print(
        f"== GraphQL over HTTP: mulu vs @neo4j/graphql, {args.size} resources, "
        f"seed {args.seed}; {os.cpu_count()} CPUs, load average {load_average()} ==",
        flush=True,
    )

    uri = os.environ.get("MULU_BENCH_NEO4J_URI")
    if uri:
        target = Neo4jTarget(
            uri,
            os.environ.get("MULU_BENCH_NEO4J_USER", "neo4j"),
            os.environ["MULU_BENCH_NEO4J_PASSWORD"],
            int(os.environ["MULU_BENCH_NEO4J_PID"])
            if os.environ.get("MULU_BENCH_NEO4J_PID")
            else None,
        )
        asyncio.run(bench(target, args))
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
            owner_pid=os.getpid(),
        )
        info = server.start()
        print(f"  Neo4j {info.uri} (heap {args.heap}, page cache {args.page_cache})", flush=True)
        try:
            target = Neo4jTarget(info.uri, info.user, info.password, server.status().pid)
            asyncio.run(bench(target, args))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
