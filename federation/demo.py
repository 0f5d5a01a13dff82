"""``mulu demo``: the nation, 四川 and 成都 (intranet and extranet at each).

Embedded stores and the embedded log under a data directory; the sample catalog's entries of
the nation, 四川 and 成都 written at their INTRANET instances with their change events in the
outbox, as a department's maintenance would write them, so that the sync carries them upward
(成都 → 四川 → 国家) and across (the mirror: intranet → extranet, classified entries held back).
Once every link has caught up it prints each instance's GraphiQL address and example queries
as curl commands, then serves until Ctrl-C.

In two processes by default where the machine has a second core (`demo_processes`): the
intranets in the demo's own, which writes their entries and reads the examples' codes from
their stores, and the extranets in a child (`mulu up TOPOLOGY --group`, `federation.processes`),
whose stores the demo fills with the reference data before it starts them. The sync line's
copies and refusals add up what each process counted, and "caught up" is every process's links
quiet in the same round, twice (`federation.runtime.caught_up`).

Over TLS (the default), the demo is its own platform CA: it issues, into ``<data_dir>/pki``
(re-used when the directory is kept), an instance certificate for each instance, and a
department certificate for 成都市公安局 and for the nation's reviewer department. Every
instance serves HTTPS and asks its peers over it (federation.runtime); the examples are curl
lines with ``--cacert``, ``--cert`` and ``--key`` (the extranets asked as the reviewer
department, which is what shows that the mirror held a classified entry back rather than hid
it from an anonymous caller).

With ``--no-tls``, plain HTTP for development: every instance trusts the development identity
headers instead, so the demo listens on 127.0.0.1 only and says loudly, before any instance
listens, that whoever reaches a port can act as any department or reviewer.

    $ mulu demo --port-base 8100 --sample 2000
    $ mulu demo --processes 1        # every instance in this process
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from federation.dev_identity import warn_dev_identity
from federation.identity import PlatformCA
from federation.instance import embedded_log, open_spec_store
from federation.processes import FAST_LOOK_SECONDS, Children
from federation.runtime import Runtime, caught_up
from federation.settings import Settings
from federation.topology import load_topology
from graph import (
    CatalogStore,
    Classification,
    LifecycleState,
    Resource,
    ResourceKind,
    Role,
    Zone,
)
from graph.audit.records import AuditEntry, AuditKind
from graph.codes import NATION
from graph.dates import beijing_date
from graph.queries import Direction, ResourceFilter
from graph.rules import check_resource
from graph.sample import SampleCatalog, generate_catalog
from graph.sample.activity import make_activity
from graph.sharing import STATE_COUNCIL_2025, Rulebook
from sync.events import outbox_record

__all__ = [
    "DEMO_INSTANCES",
    "DemoCredentials",
    "Example",
    "demo_credentials",
    "demo_groups",
    "demo_processes",
    "demo_sample",
    "demo_topology",
    "examples",
    "load_demo_sample",
    "prepare_demo_stores",
    "run_demo",
    "write_demo_entries",
]

NATION_I, NATION_E = "national/intranet", "national/extranet"
PROVINCE_I, PROVINCE_E = "510000/intranet", "510000/extranet"
CITY_I, CITY_E = "510100/intranet", "510100/extranet"

# (instance id, name), in the order of their ports from --port-base + 1.
DEMO_INSTANCES: tuple[tuple[str, str], ...] = (
    (NATION_I, "国家政务信息资源目录（内网）"),
    (NATION_E, "国家政务信息资源目录（外网）"),
    (PROVINCE_I, "四川省政务信息资源目录（内网）"),
    (PROVINCE_E, "四川省政务信息资源目录（外网）"),
    (CITY_I, "成都市政务信息资源目录（内网）"),
    (CITY_E, "成都市政务信息资源目录（外网）"),
)
_LINKS = (
    (CITY_I, PROVINCE_I),
    (PROVINCE_I, NATION_I),
    (CITY_E, PROVINCE_E),
    (PROVINCE_E, NATION_E),
    (CITY_I, CITY_E),
    (PROVINCE_I, PROVINCE_E),
    (NATION_I, NATION_E),
)
# Where every instance listens: loopback only (without TLS each believes whoever names itself in
# the development identity headers).
_HOST = "127.0.0.1"
# Whose own entries the demo writes: the intranet catalogs (the extranet gets the mirror's).
_ORIGINS = (CITY_I, PROVINCE_I, NATION_I)


def demo_topology(port_base: int, data_dir: Path, pki: Path | None = None) -> str:
    """The demo's topology file (topologies/demo.toml with ports from `port_base` + 1), every
    instance on 127.0.0.1; over TLS with the certificates of the `mulu pki` directory `pki`."""
    lines = [
        "# mulu demo: the nation, 四川 and 成都, intranet and extranet, on embedded stores.",
        f"data_dir = {json.dumps(str(data_dir), ensure_ascii=False)}",
        "",
    ]
    if pki is not None:
        lines += ["[tls]", f"pki = {json.dumps(str(pki), ensure_ascii=False)}", ""]
    for offset, (instance, name) in enumerate(DEMO_INSTANCES, start=1):
        lines += [
            "[[instances]]",
            f'id = "{instance}"',
            f'name = "{name}"',
            f'graphql = "{_HOST}:{port_base + offset}"',
            'store = { kind = "embedded" }',
            "",
        ]
    for source, target in _LINKS:
        lines += ["[[links]]", f'source = "{source}"', f'target = "{target}"', ""]
    return "\n".join(lines)


# The demo's operator's own rule for dispute clocks (no regulation gives a figure).
DEMO_DISPUTE_RULE = "示例：共享争议处理规程（演示用）第五条"


def demo_sample(entries: int, seed: int = 1) -> SampleCatalog:
    """A sample of which 成都's and 四川's own intranet catalogs hold about `entries`."""
    if entries < 1:
        raise ValueError(f"a sample of at least 1 entry, not {entries}")
    probe = generate_catalog(max(entries, 1000), seed)
    held = probe.count(CITY_I) + probe.count(PROVINCE_I)
    return generate_catalog(max(entries, round(entries * probe.size / max(held, 1))), seed)


async def load_demo_sample(
    stores: Mapping[str, CatalogStore],
    sample: SampleCatalog,
    rulebook: Rulebook = STATE_COUNCIL_2025,
) -> int:
    """`prepare_demo_stores`, then `write_demo_entries`: how many entries were written."""
    await prepare_demo_stores(stores, sample)
    return await write_demo_entries(stores, sample, rulebook)


async def prepare_demo_stores(stores: Mapping[str, CatalogStore], sample: SampleCatalog) -> None:
    """Reference data at every instance, and the nation's reviewer department granted REVIEWER
    at each (the demo's one reviewer, as `mulu departments grant` would): what every store
    holds before a link runs, so that a copy finds its catalog and provider where it lands."""
    reviewer = sample.reviewer(NATION).code
    for store in stores.values():
        zone = store.catalog.zone
        await store.put_regions(sample.regions)
        await store.put_catalogs([c for c in sample.catalogs if c.zone is zone])
        await store.put_departments(sample.departments)
        await store.put_categories(sample.categories)
        if (await store.grants([reviewer])).get(reviewer) is not Role.REVIEWER:
            grant = AuditEntry(
                AuditKind.ADMINISTRATION,
                "console:demo",
                "grant role",
                subject=reviewer,
                detail={"role": Role.REVIEWER.value},
            )
            await store.grant_role(reviewer, Role.REVIEWER, grant)


async def write_demo_entries(
    stores: Mapping[str, CatalogStore],
    sample: SampleCatalog,
    rulebook: Rulebook = STATE_COUNCIL_2025,
) -> int:
    """Each intranet catalog's own entries at its instance, with their change events in the
    outbox (at least one of 成都's published entries CLASSIFIED), then last year's sharing at
    成都; how many entries were written. The links may already run: 成都's entries, which have
    the longest way to go (two hops up, a mirror at each level), are written first."""
    written = 0
    for origin in _ORIGINS:
        store = stores[origin]
        entries = [check_resource(e, Zone.INTRANET) for e in sample.resources_for(origin)]
        if origin == CITY_I and not any(_is_classified(e) for e in entries):
            entries = _one_classified(entries)
        for start in range(0, len(entries), 500):
            batch = entries[start : start + 500]
            await store.apply(batch, outbox=[outbox_record(e) for e in batch])
        written += len(entries)
    # Last year's sharing at 成都: requests, answers (some late), disputes, objections and
    # catalog maintenance, through the real services — the statistics and the report show it.
    last_year = beijing_date(datetime.now(UTC)).year - 1
    await make_activity(
        stores[CITY_I],
        sample,
        last_year,
        requests=80,
        objections=20,
        updates=30,
        data_updates=150,
        outbox=outbox_record,
        rulebook=rulebook,
    )
    return written


def _is_classified(entry: Resource) -> bool:
    return (
        entry.classification is Classification.CLASSIFIED
        and entry.state is LifecycleState.PUBLISHED
    )


def _one_classified(entries: list[Resource]) -> list[Resource]:
    for n, entry in enumerate(entries):
        if entry.state is LifecycleState.PUBLISHED:
            secret = dataclasses.replace(
                entry,
                classification=Classification.CLASSIFIED,
                open_to_public=False,
                open_condition=None,
            )
            return [*entries[:n], check_resource(secret, Zone.INTRANET), *entries[n + 1 :]]
    return entries


# -- the certificates ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoCredentials:
    """The CA bundle curl verifies the instances with, and the (certificate, key) of the demo
    department and of the reviewer department."""

    ca: Path
    department: tuple[Path, Path]
    reviewer: tuple[Path, Path]


def demo_credentials(pki: Path, department: str, reviewer: str) -> DemoCredentials:
    """The demo's platform CA in `pki`: made on the first run, re-used afterwards (its CRL
    written again). An instance certificate for each demo instance and a department
    certificate for `department` and `reviewer` (credit codes), each issued once."""
    ca = PlatformCA.open(pki) if (pki / "ca.key").is_file() else None
    if ca is None:
        ca = PlatformCA.init(pki, name="mulu demo platform CA")
    else:
        ca.write_crl()  # the servers refuse every client certificate past its next update
    for instance, _ in DEMO_INSTANCES:
        stem = pki / "instances" / instance.replace("/", "-")
        if not stem.with_suffix(".crt").is_file():
            ca.issue_instance(instance)
    pairs = []
    for code, name in ((department, "demo department"), (reviewer, "demo reviewer")):
        stem = pki / "departments" / code
        if not stem.with_suffix(".crt").is_file():
            ca.issue_department(code, name=name)
        pairs.append((stem.with_suffix(".crt"), stem.with_suffix(".key")))
    return DemoCredentials(ca.cert_path, pairs[0], pairs[1])


# -- the examples ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Example:
    """One printed example: `key` names what it shows (the tests check each by it)."""

    key: str
    title: str
    instance: str
    url: str
    query: str
    headers: tuple[tuple[str, str], ...] = ()
    cacert: Path | None = None
    certificate: tuple[Path, Path] | None = None  # the client certificate and its key

    def curl(self) -> str:
        """The ready-to-run command."""
        words = ["curl", "-s"]
        if self.cacert is not None:
            words += ["--cacert", str(self.cacert)]
        if self.certificate is not None:
            words += ["--cert", str(self.certificate[0]), "--key", str(self.certificate[1])]
        words += [self.url, "-H", "Content-Type: application/json"]
        for name, value in self.headers:
            words += ["-H", f"{name}: {value}"]
        body = json.dumps({"query": self.query}, ensure_ascii=False)
        return " ".join(shlex.quote(w) for w in words) + " -d " + shlex.quote(body)


async def examples(
    stores: Mapping[str, CatalogStore],
    urls: Mapping[str, str],
    reviewer: str,
    credentials: DemoCredentials | None = None,
) -> list[Example]:
    """The example queries, with codes picked from what the instances now hold: over TLS
    with `credentials` (the intranets asked as the demo department, the extranets' absences
    as the reviewer), else with the development headers."""
    national = await _own_published(stores[NATION_I], NATION_I)
    base = next((e for e in national if e.kind is ResourceKind.BASE), national[0])
    city = await _own_published(stores[CITY_I], CITY_I)
    secret = next(e for e in city if e.classification is Classification.CLASSIFIED)
    theme = await _theme_with_lineage(stores[NATION_I], national)
    anonymous: dict[str, Any] = {}
    as_department: dict[str, Any] = {}
    if credentials is None:
        headers = (("X-Mulu-Dev-Department", reviewer), ("X-Mulu-Dev-Role", "REVIEWER"))
        as_reviewer: dict[str, Any] = {"headers": headers}
        who = "a reviewer"
    else:
        anonymous = {"cacert": credentials.ca}
        as_department = {**anonymous, "certificate": credentials.department}
        as_reviewer = {**anonymous, "certificate": credentials.reviewer}
        who = "the reviewer"
    entry = "{ code name origin classification }"
    return [
        Example(
            "peers-national-from-city",
            "成都 intranet asks its parent (scope PEERS) for the nation's base resource "
            f"{base.code} ({base.name}); 成都 does not hold it",
            CITY_I,
            urls[CITY_I],
            f'{{ resource(code: "{base.code}", scope: PEERS) {entry} }}',
            **as_department,
        ),
        Example(
            "peers-provincial-from-city-extranet",
            "成都 extranet, anonymous, scope PEERS: 四川's open entries, answered by the parent",
            CITY_E,
            urls[CITY_E],
            '{ resources(scope: PEERS, filter: {catalog: "510000/intranet"}, first: 3) '
            "{ edges { instance node { code name origin } } unreachablePeers { instance } } }",
            **anonymous,
        ),
        Example(
            "nation-finds-city",
            "the nation's intranet holds 成都's entries, aggregated upward through 四川",
            NATION_I,
            urls[NATION_I],
            '{ resources(filter: {catalog: "510100/intranet"}, first: 3) '
            "{ totalCount edges { node { code name origin } } } }",
            **as_department,
        ),
        Example(
            "classified-on-city-intranet",
            f"the classified entry {secret.code} is on 成都's intranet",
            CITY_I,
            urls[CITY_I],
            f'{{ resource(code: "{secret.code}") {entry} }}',
            **as_department,
        ),
        Example(
            "classified-absent-city-extranet",
            f"…and not on 成都's extranet, even for {who} (the mirror held it back): null",
            CITY_E,
            urls[CITY_E],
            f'{{ resource(code: "{secret.code}") {entry} }}',
            **as_reviewer,
        ),
        Example(
            "classified-absent-national-extranet",
            "…nor on the national extranet: null",
            NATION_E,
            urls[NATION_E],
            f'{{ resource(code: "{secret.code}") {entry} }}',
            **as_reviewer,
        ),
        Example(
            "lineage-upstream",
            f"lineage: what the national theme entry {theme.code} ({theme.name}) derives from, "
            "3 levels up",
            NATION_I,
            urls[NATION_I],
            f'{{ lineage(code: "{theme.code}", direction: UPSTREAM, depth: 3) '
            "{ root truncated nodes { code resource { name origin } } edges { derived source } } }",
            **as_department,
        ),
    ]


async def _own_published(store: CatalogStore, catalog_id: str) -> list[Resource]:
    found: list[Resource] = []
    after = None
    while True:
        page = await store.find(ResourceFilter(catalog_id=catalog_id), first=100, after=after)
        found += page.items
        if not page.has_next_page or len(found) >= 1000:
            return found
        after = page.end_cursor


async def _theme_with_lineage(store: CatalogStore, candidates: Sequence[Resource]) -> Resource:
    """The national theme entry whose upstream reaches furthest into the other levels."""
    best, reach = candidates[0], -1
    for entry in candidates:
        if entry.kind is not ResourceKind.THEME or not entry.derived_from:
            continue
        lineage = await store.lineage(entry.code, Direction.UPSTREAM, 3)
        held = sum(r is not None and r.origin != entry.origin for r in lineage.nodes.values())
        if held > reach:
            best, reach = entry, held
    return best


def process_age() -> float:
    """Seconds since this process started (Linux), else since this module was imported."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED


_IMPORTED = time.monotonic()


def _write_topology(port_base: int, data_dir: Path, pki: Path | None) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "topology.toml"
    path.write_text(demo_topology(port_base, data_dir, pki), encoding="utf-8")
    return path


# -- the run -------------------------------------------------------------------------------


def demo_processes(cores: int | None = None) -> int:
    """The demo's processes by default: two where the machine has a second core, else one.

    Two processes split the sync's CPU about 10.5 : 7.8 s (the intranets, which write the
    entries and relay them up and across, beside the extranets, which apply most copies) for
    about the same total as one, a second interpreter's start included (bench/README.md). On
    two cores they were ready sooner in every condition measured: 17.3 s against 21.3 s on a
    quiet machine, medians 28.3 s against 33.0 s at a load of 6–12 from other work. (The
    default once also asked for a load average below the cores less one; right after another
    run that sent a quiet machine to one process, 24.8 s.)"""
    cores = cores or os.cpu_count() or 1
    return 2 if cores >= 2 else 1


def demo_groups(processes: int) -> list[tuple[str, ...]]:
    """The instances of each of the demo's `processes` (1 to 4): the intranets in the demo's
    own, which writes their entries; the extranets shared in order by the others."""
    if not 1 <= processes <= 4:
        raise ValueError(f"--processes {processes}: give 1 to 4 (the demo's three extranets)")
    if processes == 1:
        return [tuple(i for i, _ in DEMO_INSTANCES)]
    extranets = [i for i, _ in DEMO_INSTANCES if i.endswith("/extranet")]
    shares: list[list[str]] = [[] for _ in range(processes - 1)]
    for n, instance in enumerate(extranets):
        shares[n * (processes - 1) // len(extranets)].append(instance)
    intranets = tuple(i for i, _ in DEMO_INSTANCES if i.endswith("/intranet"))
    return [intranets, *map(tuple, shares)]


def _write_settings(data_dir: Path, settings: Settings) -> Path:
    """What the demo's child processes read (``mulu up --config``): the settings the demo's own
    process runs with."""
    deadlines = "".join(f"{k} = {v}\n" for k, v in settings.operator_deadlines.items())
    path = data_dir / "settings.toml"
    path.write_text(
        f"data_dir = {json.dumps(str(settings.data_dir), ensure_ascii=False)}\n"
        f"dev_identity_header = {'true' if settings.dev_identity_header else 'false'}\n"
        f"log_level = {json.dumps(settings.log_level)}\n"
        f"operator_deadlines_source = "
        f"{json.dumps(settings.operator_deadlines_source, ensure_ascii=False)}\n"
        f"[operator_deadlines]\n{deadlines}",
        encoding="utf-8",
    )
    return path


async def _prepared_elsewhere(
    runtime: Runtime, instances: Sequence[str], sample: SampleCatalog
) -> None:
    """The reference data of the stores of `instances`, which other processes will run: written
    here, before those processes start their links."""
    async with AsyncExitStack() as stack:
        stores: dict[str, CatalogStore] = {}
        for instance in instances:
            spec = runtime.topology.instances[instance]
            store = await stack.enter_async_context(open_spec_store(spec, runtime.catalog_of(spec)))
            await store.put_catalogs([store.catalog])
            stores[instance] = store
        await prepare_demo_stores(stores, sample)


async def run_demo(
    port_base: int,
    entries: int,
    data_dir: Path,
    *,
    tls: bool = True,
    processes: int = 1,
    echo: Callable[[str], None] = lambda line: print(line, flush=True),
) -> None:
    """Start the demo (over TLS with its own CA, else over plain HTTP with the development
    headers), print what to try once the sync has caught up, serve until stopped. The printed
    curl lines name files under `data_dir`: give an absolute path. With `processes` ≥ 2 the
    extranets run in child processes (`demo_groups`, `federation.processes`)."""
    chosen = demo_groups(processes)
    logging.getLogger("mulu.sync.security").setLevel(logging.ERROR)  # counted below instead
    sample = demo_sample(entries)
    credentials = None
    if tls:
        department, reviewer = sample.department("510100", "police"), sample.reviewer(NATION)
        credentials = demo_credentials(data_dir / "pki", department.code, reviewer.code)
    topology_file = _write_topology(port_base, data_dir, data_dir / "pki" if tls else None)
    topology = load_topology(topology_file)
    # Without TLS, callers name themselves (the examples ask the extranets as a reviewer), so
    # every instance is on loopback and it is said loudly.
    # Disputes run on figures the demo's operator sets (no regulation gives one).
    settings = Settings(
        data_dir=data_dir,
        dev_identity_header=not tls,
        log_level="WARNING",
        operator_deadlines={"negotiate_dispute": 10, "decide_dispute": 20},
        operator_deadlines_source=DEMO_DISPUTE_RULE,
    )
    if not tls:
        addresses = {i: (s.graphql.host, s.graphql.port) for i, s in topology.instances.items()}
        warn_dev_identity(addresses)

    async def prepare(stores: Mapping[str, CatalogStore]) -> None:
        await prepare_demo_stores(stores, sample)

    echo(f"mulu demo: starting {len(topology.instances)} instances in {data_dir} …")
    runtime = Runtime(
        topology,
        settings=settings,
        # Several processes: a hop into another is seen on the log file within 50 ms.
        log=embedded_log(
            data_dir / "sync-log.db", look_seconds=FAST_LOOK_SECONDS if processes > 1 else None
        ),
        prepare=prepare,
        only=chosen[0],
    )
    async with AsyncExitStack() as stack:
        children = None
        if processes > 1:
            elsewhere = [i for group in chosen[1:] for i in group]
            await _prepared_elsewhere(runtime, elsewhere, sample)
            children = await stack.enter_async_context(
                Children(
                    topology_file,
                    chosen[1:],
                    config=_write_settings(data_dir, settings),
                    echo=lambda _: None,  # their steps and instances: the table below says it
                    environment={k: v for k, v in os.environ.items() if not k.startswith("MULU_")},
                )
            )
        await stack.enter_async_context(runtime)
        running = runtime.instances
        stores = {i: r.store for i, r in running.items()}
        # Written while the links run: each hop starts on the first batch, not the last.
        written = await write_demo_entries(stores, sample, settings.rulebook_in_force())
        async with asyncio.timeout(300):
            if children is not None:
                await children.wait_ready()
            await caught_up([runtime] if children is None else [runtime, children])
        specs = topology.instances
        urls = {i: s.url for i, s in specs.items()}
        shown = await examples(stores, urls, sample.reviewer(NATION).code, credentials)
        statuses = [s for r in running.values() if r.worker for s in r.worker.statuses()]
        held_back = sum(s.refused for s in statuses if s.side.value == "relay")
        applied = sum(s.applied for s in statuses)
        if children is not None:
            held_back += children.held_back
            applied += children.applied
        echo("")
        echo("The explorer and GraphiQL (open in a browser):")
        width = max(len(i) for i in specs)
        for instance, spec in specs.items():
            explorer = spec.url.removesuffix("graphql")
            echo(f"  {instance:<{width}}  {explorer}  {spec.url}  {spec.name}")
        if credentials is None:
            echo(
                "(127.0.0.1 only; each believes the X-Mulu-Dev-Department and X-Mulu-Dev-Role "
                "headers: anyone on this machine can act as any department or reviewer)"
            )
        else:
            echo(
                f"(HTTPS with certificates of the demo's own CA, {credentials.ca}: a browser "
                "warns about it; the curl lines below name it with --cacert and a department "
                "certificate with --cert and --key)"
            )
        echo("")
        echo(
            f"sync: {written} entries written at the intranet instances of 国家, 四川 and 成都; "
            f"{len(topology.links)} links caught up ({applied} copies applied, {held_back} "
            "classified entries held back from the extranet by the mirror's guard)"
        )
        echo("")
        echo("Example queries (copy a curl line into another terminal):")
        for example in shown:
            echo("")
            echo(f"# [{example.key}] {example.title}")
            echo(example.curl())
        echo("")
        where = "" if children is None else f" in {processes} processes"
        echo(
            f"ready in {process_age():.1f} s (pid {os.getpid()}{where}); Ctrl-C stops every "
            "instance."
        )
        await _serve(runtime, children)
        echo("mulu demo: stopping …")
    echo("mulu demo: stopped.")


async def _serve(runtime: Runtime, children: Children | None) -> None:
    """Until SIGINT/SIGTERM (`Runtime.serve_until_stopped`); `ChildDied` when a child process
    exits before."""
    waits = [asyncio.ensure_future(runtime.serve_until_stopped())]
    if children is not None:
        waits.append(asyncio.ensure_future(children.watch()))
    try:
        done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
    for finished in done:
        finished.result()  # ChildDied
