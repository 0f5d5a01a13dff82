"""Benchmark of many instances on one host: a national simulation, idle and busy.

The topology (`topologies/national-62.toml`, written by ``--write-topology``): the nation, ten
provinces and two cities of each, an intranet and an extranet instance at each — 62 instances
in one `Runtime` (what ``mulu up`` runs) on embedded stores and the embedded log, pushed upward
in each zone and mirrored intranet → extranet at every level. In one run:

- start-up: the time until every instance serves and its links have caught up;
- idle: the process's CPU time (user + system) over ``--idle-seconds`` with nothing written,
  as a share of one core — an idle instance should cost next to nothing (waiting, not polling);
- busy: ``--entries`` published entries of the sample catalog written at the intranets of the
  sample's cities (each with its outbox record, as a department's writes are), and the time
  until the nation's intranet holds every one of them; meanwhile GraphQL searches asked of the
  nation's intranet at a steady ``--rate`` per second (latency p50, p99; answers that failed);
- the garbage collector in each phase (start-up, idle, busy): each generation's collections,
  their pauses' total and longest (`federation.garbage.PauseRecorder`), and at the start of the
  busy phase the objects the collector tracks, frozen and not, and its thresholds (as the
  `Runtime` tuned them, `federation.garbage.settle_after_start`; ``--gc-young-threshold`` and
  ``--gc-unfreeze`` undo part of that tuning, to measure what each part does);
- beside them, the reference measured in the same run: the same entries written at one city
  and carried up one link only (city → province, intranet) — one link's pace on this host.

The searches are asked from a process of their own (this script again, ``--ask``), so that
their latency is the nation's, not this process's event loop's. With ``--processes 2`` the
nation's two instances run in a child process, as ``mulu up --processes 2`` groups them
(`federation.processes`), and the other 60 in this one (which writes the cities' entries): the
CPU figures are then every process's, and the nation's store is read through a connection of
this process's own.

Goals (issue 20, item 6): idle under 5 % of a core; 10k entries to the nation in under 10 s
with GraphQL p99 under 200 ms meanwhile.

    python bench/national_bench.py --entries 10000
    python bench/national_bench.py --entries 2000 --idle-seconds 10 --processes 2
    python bench/national_bench.py --write-topology topologies/national-62.toml
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import resource
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from federation.garbage import PauseRecorder
from federation.instance import embedded_log, open_spec_store
from federation.processes import FAST_LOOK_SECONDS, Children, groups
from federation.runtime import Runtime, caught_up
from federation.settings import Settings
from federation.topology import load_topology
from graph import CatalogStore, LifecycleState, Zone
from graph.codes import NATION
from graph.model import Resource
from graph.queries import ResourceFilter
from graph.rules import check_resource
from graph.sample import SampleCatalog, generate_catalog
from sync.events import outbox_record

# Ten provinces, two cities each: the sample's five (their entries are written) and five more.
PROVINCES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("330000", "浙江省", (("330100", "杭州市"), ("330200", "宁波市"))),
    ("410000", "河南省", (("410100", "郑州市"), ("410200", "开封市"))),
    ("440000", "广东省", (("440100", "广州市"), ("440300", "深圳市"))),
    ("510000", "四川省", (("510100", "成都市"), ("510700", "绵阳市"))),
    ("530000", "云南省", (("530100", "昆明市"), ("530300", "曲靖市"))),
    ("130000", "河北省", (("130100", "石家庄市"), ("130200", "唐山市"))),
    ("140000", "山西省", (("140100", "太原市"), ("140200", "大同市"))),
    ("210000", "辽宁省", (("210100", "沈阳市"), ("210200", "大连市"))),
    ("320000", "江苏省", (("320100", "南京市"), ("320200", "无锡市"))),
    ("340000", "安徽省", (("340100", "合肥市"), ("340200", "芜湖市"))),
)
_ZONES = (("intranet", "内网"), ("extranet", "外网"))


def provinces(cities_each: int = 2) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """The ten provinces with `cities_each` cities: the two named above first, then more of
    the province's city codes (…0300, …0400; 10 a province: 222 instances in all)."""
    if not 1 <= cities_each <= 20:
        raise ValueError(f"--cities-per-province {cities_each}: give 1 to 20")
    found = []
    for code, name, named in PROVINCES:
        cities = list(named[:cities_each])
        taken = {c for c, _ in cities}
        number = 1
        while len(cities) < cities_each:
            city = f"{code[:2]}{number:02d}00"
            if city not in taken:
                cities.append((city, f"{name}第{number}市"))
            number += 1
        found.append((code, name, tuple(cities)))
    return found


def regions(cities_each: int = 2) -> list[tuple[str, str]]:
    """(region code, name), the nation first, each province before its cities."""
    found = [(NATION, "国家")]
    for code, name, cities in provinces(cities_each):
        found.append((code, name))
        found.extend(cities)
    return found


def topology_text(ports: Sequence[int], data_dir: str, cities_each: int = 2) -> str:
    """The topology file: one instance per region and zone, on `ports` in order."""
    lines = [
        "# A national simulation: the nation, ten provinces and two cities each, an intranet and",
        "# an extranet instance at each — 62 instances for one `mulu up`, on embedded stores and",
        "# the embedded log. Parents come from the regions; links push upward in each zone and",
        "# mirror intranet → extranet at every level. bench/national_bench.py measures it.",
        "",
        f'data_dir = "{data_dir}"',
    ]
    numbered = iter(ports)
    for code, name in regions(cities_each):
        for zone, label in _ZONES:
            lines += [
                "",
                "[[instances]]",
                f'id = "{_instance(code, zone)}"',
                f'name = "{name}政务信息资源目录（{label}）"',
                f'graphql = "127.0.0.1:{next(numbered)}"',
                'store = { kind = "embedded" }',
            ]
    lines += ["", "# Upward in each zone: city → province → nation."]
    for province, _, cities in provinces(cities_each):
        for zone, _ in _ZONES:
            for city, _ in cities:
                lines += _link(_instance(city, zone), _instance(province, zone), "upward")
            lines += _link(_instance(province, zone), _instance(NATION, zone), "upward")
    lines += ["", "# Mirror, intranet → extranet at every level: only non-classified entries."]
    for code, _ in regions(cities_each):
        lines += _link(_instance(code, "intranet"), _instance(code, "extranet"), "mirror")
        lines.append('clearance = "unclassified"')
    return "\n".join(lines) + "\n"


def _instance(code: str, zone: str) -> str:
    return f"{'national' if code == NATION else code}/{zone}"


def _link(source: str, target: str, kind: str) -> list[str]:
    return ["", "[[links]]", f'source = "{source}"', f'target = "{target}"', f'kind = "{kind}"']


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def cpu_seconds(children: Sequence[int] = ()) -> float:
    """This process's CPU time (user + system), and that of the processes `children`."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    for pid in children:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def sample_entries(count: int) -> tuple[SampleCatalog, dict[str, list[Resource]]]:
    """The sample, and about `count` published intranet entries of its city catalogs, by
    catalog id."""
    sample = generate_catalog(max(count * 8, 1000), seed=1)
    cities = [f"{c}/intranet" for _, _, pair in PROVINCES[:5] for c, _ in pair]
    held = {c: sample.count(c) for c in cities}
    total = sum(held.values())
    chosen: dict[str, list[Resource]] = {}
    for catalog in cities:
        share = round(count * held[catalog] / max(total, 1))
        entries: list[Resource] = []
        for entry in sample.resources_for(catalog):
            if len(entries) >= share:
                break
            if entry.state is LifecycleState.PUBLISHED:  # what goes upward
                entries.append(check_resource(entry, Zone.INTRANET))
        chosen[catalog] = entries
    return sample, chosen


async def write(store: CatalogStore, entries: list[Resource]) -> None:
    for start in range(0, len(entries), 500):
        batch = entries[start : start + 500]
        await store.apply(batch, outbox=[outbox_record(e) for e in batch])


async def held_at(store: CatalogStore, codes: set[str]) -> int:
    found = 0
    listed = sorted(codes)
    for start in range(0, len(listed), 2000):
        found += len(await store.get_many(listed[start : start + 2000]))
    return found


async def holds_all(store: CatalogStore, codes: set[str]) -> bool:
    everything = ResourceFilter(catalog_id=None, states=frozenset())
    if (await store.find(everything, first=0)).total_count < len(codes):
        return False
    return await held_at(store, codes) == len(codes)


async def until_held(store: CatalogStore, codes: set[str], limit: float) -> float:
    """Seconds until `store` holds every one of `codes`. Looked at every 50 ms by a count of
    the entries it holds (reading them all each time would cost the instances' process more
    than it carries, at 10,000 entries); by code once the count is there."""
    started = time.monotonic()
    while not await holds_all(store, codes):
        if time.monotonic() - started > limit:
            raise TimeoutError(f"not every entry arrived within {limit:.0f} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


class Asker:
    """`ask_steadily` in a process of its own (this script, ``--ask URL``), until `finish`."""

    def __init__(self, url: str, rate: float) -> None:
        self._command = [sys.executable, __file__, "--ask", url, "--rate", str(rate)]
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            *self._command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        assert self._process.stdout is not None
        await self._process.stdout.readline()  # "asking": its client is ready

    async def finish(self) -> tuple[list[float], int]:
        assert self._process is not None
        assert self._process.stdin is not None
        self._process.stdin.close()
        out, _ = await self._process.communicate()
        said = json.loads(out)
        return [float(x) for x in said["latencies"]], int(said["failed"])


async def ask_until_stdin_ends(url: str, rate: float) -> None:
    """``--ask``: searches at `rate` a second until stdin ends; their latencies as JSON."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def watch() -> None:
        await reader.read()
        stop.set()

    watching = asyncio.create_task(watch())
    print("asking", flush=True)
    latencies, failed = await ask_steadily(url, rate, stop)
    watching.cancel()
    print(json.dumps({"latencies": latencies, "failed": failed}), flush=True)


async def ask_steadily(url: str, rate: float, stop: asyncio.Event) -> tuple[list[float], int]:
    """GraphQL searches of `url` at `rate` a second until `stop`: latencies (s), failures."""
    query = '{ resources(search: "信息", first: 10) { totalCount edges { node { code } } } }'
    latencies: list[float] = []
    failed = 0
    async with httpx.AsyncClient(timeout=10.0) as client:
        tasks: list[asyncio.Task[None]] = []

        async def one() -> None:
            nonlocal failed
            began = time.perf_counter()
            try:
                answer = await client.post(url, json={"query": query})
                if answer.status_code != 200 or "errors" in answer.json():
                    failed += 1
                    return
            except httpx.HTTPError:
                failed += 1
                return
            latencies.append(time.perf_counter() - began)

        while not stop.is_set():
            tasks.append(asyncio.create_task(one()))
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*tasks)
    return latencies, failed


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))]


class _Counted(logging.Handler):
    """Counts the sync's security events instead of printing each (the mirrors refuse every
    classified entry, a warning each)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def main(args: argparse.Namespace) -> None:
    held_back = _Counted()
    security = logging.getLogger("mulu.sync.security")
    security.addHandler(held_back)
    security.propagate = False
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores; load average at start {load[0]:.2f}")
    if args.processes not in (1, 2):
        raise SystemExit(f"--processes {args.processes}: give 1 or 2")
    with tempfile.TemporaryDirectory(prefix="mulu-national-") as tmp:
        path = Path(tmp) / "national.toml"
        count = len(regions(args.cities_per_province)) * 2
        text = topology_text(free_ports(count), str(Path(tmp) / "data"), args.cities_per_province)
        path.write_text(text, encoding="utf-8")
        topology = load_topology(path)
        settings = Settings(log_level="WARNING", dev_identity_header=True)
        sample, entries = sample_entries(args.entries)
        codes = {e.code for batch in entries.values() for e in batch}
        # The nation's group in a child with --processes 2; the rest here.
        chosen = groups(topology, args.processes)
        here, elsewhere = chosen[-1], [i for group in chosen[:-1] for i in group]

        async def prepare(stores: Mapping[str, CatalogStore]) -> None:
            """The sample's reference data at every instance, as the demo has it."""
            for store in stores.values():
                zone = store.catalog.zone
                await store.put_regions(sample.regions)
                await store.put_catalogs([c for c in sample.catalogs if c.zone is zone])
                await store.put_departments(sample.departments)
                await store.put_categories(sample.categories)

        began = time.monotonic()
        starting = PauseRecorder().start()
        runtime = Runtime(
            topology,
            settings=settings,
            prepare=prepare,
            only=here,
            log=embedded_log(
                Path(tmp) / "data" / "sync-log.db",
                look_seconds=FAST_LOOK_SECONDS if elsewhere else None,
            ),
        )
        async with AsyncExitStack() as stack:
            children: Children | None = None
            others: dict[str, CatalogStore] = {}  # the child's stores, read from here
            if elsewhere:
                async with AsyncExitStack() as preparing:
                    for instance in elsewhere:
                        spec = topology.instances[instance]
                        others[instance] = await preparing.enter_async_context(
                            open_spec_store(spec, runtime.catalog_of(spec))
                        )
                    await prepare(others)
                config = Path(tmp) / "settings.toml"
                config.write_text('log_level = "WARNING"\n', encoding="utf-8")
                children = await stack.enter_async_context(
                    Children(path, chosen[:-1], config=config, echo=lambda _: None)
                )
            await stack.enter_async_context(runtime)
            if args.gc_unfreeze:
                gc.unfreeze()
            if args.gc_young_threshold is not None:
                gc.set_threshold(args.gc_young_threshold, *gc.get_threshold()[1:])
            async with asyncio.timeout(300):
                if children is not None:
                    await children.wait_ready()
                await caught_up([runtime] if children is None else [runtime, children])
            ready = time.monotonic() - began
            starting.stop()
            pids = [c.process.pid for c in children.children] if children else []
            for instance in elsewhere:
                spec = topology.instances[instance]
                others[instance] = await stack.enter_async_context(
                    open_spec_store(spec, runtime.catalog_of(spec))
                )
            stores = {**{i: r.store for i, r in runtime.instances.items()}, **others}
            print(
                f"instances: {len(stores)} in {len(chosen)} processes; ready in {ready:.1f} s "
                f"(load average {os.getloadavg()[0]:.2f})"
            )
            print_pauses("start-up", starting, ready)
            await serve_check({i: s.url for i, s in topology.instances.items()})

            await asyncio.sleep(2)  # let start-up's last work finish
            empty = await disk_use(stores, Path(tmp) / "data")
            cpu, wall = cpu_seconds(pids), time.monotonic()
            with PauseRecorder() as idling:
                await asyncio.sleep(args.idle_seconds)
            idle = (cpu_seconds(pids) - cpu) / (time.monotonic() - wall)
            print(
                f"idle: {idle * 100:.1f} % of one core over {args.idle_seconds:.0f} s "
                f"(every process's own CPU time; load average {os.getloadavg()[0]:.2f})"
            )
            print_pauses("idle", idling, time.monotonic() - wall)

            # The reference: one city's share carried up one link.
            first = next(iter(entries))
            province = f"{first[:2]}0000/intranet"
            reference = [e for e in entries[first]]
            await write(stores[first], reference)
            one_link = await until_held(stores[province], {e.code for e in reference}, 300)
            ref_rate = len(reference) / one_link
            print(
                f"reference: {len(reference)} entries {first} → {province} in "
                f"{one_link:.2f} s ({ref_rate:,.0f} entries/s on one link)"
            )

            nation = topology.instances["national/intranet"]
            print_heap()
            asker = Asker(nation.url, args.rate)
            await asker.start()
            cpu, wall = cpu_seconds(pids), time.monotonic()
            busy = PauseRecorder().start()
            rest = {c: batch for c, batch in entries.items() if c != first}
            await asyncio.gather(*(write(stores[c], batch) for c, batch in rest.items()))
            carried = await until_held(stores["national/intranet"], codes, 600)
            busy.stop()
            busy_cpu = (cpu_seconds(pids) - cpu) / (time.monotonic() - wall)
            latencies, failed = await asker.finish()
            total = len(codes)
            print(
                f"busy: {total:,} entries from {len(entries)} cities at the nation in "
                f"{carried:.1f} s ({total / carried:,.0f} entries/s; "
                f"{carried / (total / ref_rate):.2f}× the reference's time for as many); "
                f"{busy_cpu * 100:.0f} % of a core meanwhile (every process)"
            )
            if latencies:
                print(
                    f"GraphQL at the nation meanwhile: {len(latencies)} answers, p50 "
                    f"{statistics.median(latencies) * 1000:.0f} ms, p99 "
                    f"{percentile(latencies, 0.99) * 1000:.0f} ms, {failed} failed"
                )
            print_pauses("busy", busy, carried)
            where = ResourceFilter(catalog_id=None)
            held = (await stores["national/intranet"].find(where, first=0)).total_count
            print(f"nation intranet holds {held:,} entries; load average {os.getloadavg()[0]:.2f}")
            await asyncio.sleep(2)  # the last commits, and the prunes they start
            await disk_report(stores, Path(tmp) / "data", empty)
            print(
                f"classified entries held back by the mirrors' guards: {held_back.count} "
                "security events in this process (as they must be; logged at WARNING, counted "
                "here)"
            )


def print_pauses(phase: str, recorder: PauseRecorder, seconds: float) -> None:
    """Each generation's collections in `phase` (`seconds` long): how many, their pauses'
    total and longest, and the share of the phase they paused the process."""
    figures = recorder.figures()
    paused = sum(f.total for f in figures)
    each = "; ".join(
        f"gen {f.generation}: {f.count} × ({f.total * 1000:,.0f} ms in all, longest "
        f"{f.longest * 1000:,.1f} ms)"
        for f in figures
    )
    print(
        f"GC in {phase} ({seconds:.1f} s): {each}; paused {paused:.2f} s "
        f"({paused / max(seconds, 1e-9) * 100:.1f} %); load average {os.getloadavg()[0]:.2f}"
    )


def print_heap() -> None:
    """The objects the collector tracks (frozen ones apart) and its thresholds."""
    tracked = len(gc.get_objects())
    print(
        f"GC heap before the busy phase: {tracked:,} objects tracked, "
        f"{gc.get_freeze_count():,} more frozen; thresholds {gc.get_threshold()}"
    )


async def serve_check(urls: Mapping[str, str]) -> None:
    """Every instance asked one GraphQL query (its catalog), 20 at a time: how many answered,
    and how fast."""
    query = "{ catalogs { id } }"
    latencies: list[float] = []
    failed: list[str] = []
    gate = asyncio.Semaphore(20)
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def ask(instance: str, url: str) -> None:
            async with gate:
                began = time.perf_counter()
                try:
                    answer = await client.post(url, json={"query": query})
                    ok = answer.status_code == 200 and "errors" not in answer.json()
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - began)
                else:
                    failed.append(instance)

        await asyncio.gather(*(ask(i, url) for i, url in urls.items()))
    if latencies:
        print(
            f"served: {len(latencies)} of {len(urls)} instances answered GraphQL "
            f"(median {statistics.median(latencies) * 1000:.0f} ms, slowest "
            f"{max(latencies) * 1000:.0f} ms); failed: {', '.join(failed) or 'none'}"
        )
    else:
        print(f"served: no instance answered; failed: {', '.join(failed)}")


def _size(path: Path) -> int:
    """A SQLite file's bytes on disk, its write-ahead log included."""
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


async def disk_use(stores: Mapping[str, CatalogStore], data: Path) -> tuple[int, int, int, int]:
    """(entries held over every store, their files' bytes, outbox records left, the sync
    log's bytes)."""
    every = ResourceFilter(catalog_id=None, states=frozenset())
    entries = outbox = 0
    for store in stores.values():
        entries += (await store.find(every, first=0)).total_count
        outbox += len(await store.outbox_after(0, 1_000_000))
    files = await asyncio.to_thread(lambda: [p for p in data.glob("*.db")])
    size = sum(_size(p) for p in files if p.name != "sync-log.db")
    return entries, size, outbox, _size(data / "sync-log.db")


async def disk_report(
    stores: Mapping[str, CatalogStore], data: Path, before: tuple[int, int, int, int]
) -> None:
    """Disk per entry held, over every instance's store, beside the stores' size before the
    entries (reference data, audit, empty tables), and what the outboxes and the log still
    hold (pruned once every reader has passed)."""
    entries, size, outbox, log = await disk_use(stores, data)
    added = max(entries - before[0], 1)
    print(
        f"disk: {entries:,} entries held over {len(stores)} stores in "
        f"{size / 2**20:,.1f} MiB ({before[1] / 2**20:,.1f} MiB before any entry): "
        f"{(size - before[1]) / added / 1024:,.1f} KiB per entry held; outbox records left "
        f"{outbox:,} (after every write of the run: {outbox / added:.2f} per entry); sync log "
        f"{log / 2**20:,.1f} MiB ({before[3] / 2**20:,.1f} MiB before)"
    )


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=20.0, help="GraphQL searches a second")
    parser.add_argument(
        "--gc-young-threshold",
        type=int,
        help="generation 0's threshold once the runtime has started, instead of its tuning's",
    )
    parser.add_argument(
        "--gc-unfreeze",
        action="store_true",
        help="unfreeze what the runtime froze once it started (gc.unfreeze)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="2: the nation's instances in a child process, as `mulu up --processes 2` has them",
    )
    parser.add_argument("--ask", help=argparse.SUPPRESS)  # the searches' own process
    parser.add_argument("--write-topology", type=Path, help="write the topology file and stop")
    parser.add_argument(
        "--cities-per-province",
        type=int,
        default=2,
        help="2: the nation, ten provinces, two cities each (62 instances); 10: 222 instances",
    )
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.ask is not None:
        asyncio.run(ask_until_stdin_ends(arguments.ask, arguments.rate))
    elif arguments.write_topology is not None:
        count = len(regions(arguments.cities_per_province)) * 2
        ports = list(range(9101, 9101 + count))
        data_dir = "var/national" if count == 62 else f"var/national-{count}"
        text = topology_text(ports, data_dir, arguments.cities_per_province)
        arguments.write_topology.write_text(text, encoding="utf-8")
        print(f"wrote {arguments.write_topology}")
    else:
        asyncio.run(main(arguments))
