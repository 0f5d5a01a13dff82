"""Benchmark of the sync: the intranet → extranet mirror over real Kafka into a Neo4j target.

Kafka and Neo4j are started through infra/ (single node, loopback, SASL/SCRAM; the client
listener SASL_SSL with a CA of the run's own, or SASL_PLAINTEXT with
``--security-protocol SASL_PLAINTEXT``). In one run:

- backlog: ``--size`` published, unclassified entries (3 items each) are written at 成都's
  intranet (an embedded store; each entry with its outbox record), the relay puts them through
  the source guard into the link's topic (relay: entries/s), then a `LinkConsumer` set up as
  the extranet's `SyncWorker` sets it up applies the whole backlog to the extranet's Neo4j
  store — decoding and the target guard beside the store's writes, two batches of 2,000 in
  flight, newest-wins, one transaction per batch, offsets committed in order — (mirror:
  entries/s applied). Neo4j is warmed up first (a fresh JVM runs its first few thousand rows
  several times slower);
- beside it, Neo4j's own pace for the same rows: the raw ``UNWIND … CREATE`` of
  bench/store_bench.py, rows built before the clock (no lock, version, decoding, guard);
- lag: the source instance writes a steady ``--rate`` entries per second for ``--seconds`` in
  a process of its own (as it runs on its own host) with its relay, while the target's
  `SyncWorker` runs here; the lag of an entry is from its write at the source to the commit of
  the batch that applied it at the target (p50, p99);
- beside them, Kafka's own ``ProducerPerformance`` (acks=all, idempotent) and
  ``ConsumerPerformance`` on the same broker with the same record size and count.

At the end the target is checked against the source: every entry held once, at the newest
version the source wrote (``--updates EVERY`` writes every EVERY-th entry twice). A large
backlog's crossing alone: ``--backlog-only`` (no lag run, no Kafka tools), the raw reference on
its first ``--raw-size`` rows (by default at most 100,000).

Targets: applied at least 0.8 × raw; p99 lag < 1 s at 500 entries/s; a backlog of 1M entries
crosses with nothing lost.

    python bench/sync_bench.py --size 100000
    python bench/sync_bench.py --size 1000000 --updates 10 --backlog-only
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import multiprocessing
import os
import re
import secrets
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from store_bench import RAW_CREATE

from graph import (
    ApplyOutcome,
    Catalog,
    Classification,
    DataItem,
    FormatClass,
    LifecycleState,
    Resource,
    ShareMode,
    ShareType,
    UpdateCycle,
    Zone,
)
from graph.audit.records import AuditEntry
from graph.embedded import EmbeddedStore
from graph.errors import CatalogError
from graph.neo4j import Neo4jStore
from graph.neo4j.rows import resource_row
from graph.outbox import OutboxRecord
from graph.store import CatalogStore
from sync.consumer import LinkConsumer
from sync.errors import SyncError
from sync.events import encode, event_for, outbox_record
from sync.links import Link
from sync.log.kafka import KafkaClientSettings, KafkaLog
from sync.relay import Relay
from sync.topics import create_topics
from sync.worker import CONSUMER_WRITERS, Backoff, SyncWorker

T = TypeVar("T")

SOURCE, TARGET = "510100/intranet", "510100/extranet"
INTRANET = Catalog("510100", Zone.INTRANET, "成都市政务信息资源目录（内网）", "510000/intranet")
EXTRANET = Catalog("510100", Zone.EXTRANET, "成都市政务信息资源目录（外网）", "510000/extranet")
PROVIDER = "11510100MB0000001Y"
BATCH = 500
BACKLOG_BATCH = 2000
# The lag run's first entry, applied before the clock starts (codes 1… are measured).
FIRST = 999_999
WARM_UP = 6000


def entry(n: int, version: int = 1) -> Resource:
    """Entry `n` (1 on) of the backlog. Its 后段码 has six digits, so past 999,999 the numbers
    come round again — under another 前段码 (two entries share a code only 100 × 999,999 apart):
    `--size 1000000` made a code of seven digits, refused, after 999,999 entries."""
    now = datetime.now(UTC)
    return Resource(
        code=f"3{n % 90 + 10:02d}{n % 900 + 100:03d}/{(n - 1) % 999_999 + 1:06d}",
        name=f"企业登记信息{n}",
        provider_code=PROVIDER,
        provider_name="成都市市场监督管理局",
        summary="全市企业登记注册的基本信息，按日更新",
        format_class=FormatClass.DATABASE,
        format_type="MySQL",
        share_type=ShareType.UNCONDITIONAL,
        update_cycle=UpdateCycle.DAILY,
        classification=Classification.UNCLASSIFIED,
        items=(
            DataItem("统一社会信用代码", "string", 18),
            DataItem("企业名称", "string", 200),
            DataItem("登记日期", "date"),
        ),
        share_modes=frozenset({ShareMode.INTERFACE}),
        published_on=date(2024, 3, 1),
        themes=frozenset({"信用体系"}),
        state=LifecycleState.PUBLISHED,
        version=version,
        origin=SOURCE,
        updated_at=now,
    )


class TimedTarget:
    """The target store, with a spy on `apply`: when each applied entry was committed."""

    def __init__(self, store: CatalogStore) -> None:
        self._store = store
        self.applied_at: dict[str, float] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def apply(
        self,
        entries: Sequence[Resource],
        outbox: Sequence[OutboxRecord | None] | None = None,
        audit: Sequence[AuditEntry | None] | None = None,
    ) -> list[ApplyOutcome]:
        outcomes = await self._store.apply(entries, outbox, audit)
        now = time.time()
        for e, outcome in zip(entries, outcomes, strict=True):
            if outcome is ApplyOutcome.APPLIED:
                self.applied_at[e.code] = now
        return outcomes


async def fill(store: CatalogStore, first: int, count: int) -> None:
    for start in range(first, first + count, BATCH):
        batch = [entry(n) for n in range(start, min(start + BATCH, first + count))]
        await store.apply(batch, outbox=[outbox_record(e) for e in batch])


async def warm_up(target: Neo4jStore) -> None:
    """A fresh JVM runs its first few thousand rows several times slower: both the mirror and
    the raw reference start warm."""
    for start in range(900_000, 900_000 + WARM_UP, BATCH):
        await target.apply([entry(n) for n in range(start, start + BATCH)])
        await raw_create(
            target, [entry(n) for n in range(start + WARM_UP, start + WARM_UP + BATCH)]
        )
    await target.erase_all()


async def raw_create(target: Neo4jStore, entries: Sequence[Resource]) -> None:
    rows = [resource_row(e) for e in entries]
    await target._driver.execute_query(RAW_CREATE, rows=rows)


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds process `pid` has used (Linux /proc), NaN when unknown."""
    if pid is None:
        return float("nan")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def raw_pace(
    target: Neo4jStore, count: int, servers: dict[str, int | None]
) -> dict[str, float]:
    """Neo4j's own pace for the backlog's first `count` rows: UNWIND … CREATE, no lock, no
    version, no decoding, no guard, no outbox; each batch's rows built before its clock starts
    (built batch by batch, so a large backlog's rows are never all in memory). Twice: the
    first into a fresh store, the second — the reference — into store files already grown to
    the rows' size, as the mirror's are (a fresh store grows its files as it goes; an erased
    one reuses their records)."""
    times = []
    cpu = float("nan")
    for _ in range(2):
        await target.erase_all()
        await target.apply([entry(0)])  # the department, category, theme rows link to
        elapsed = 0.0
        before = cpu_seconds(servers.get("neo4j"))
        for start in range(1, count + 1, BACKLOG_BATCH):
            batch = [
                resource_row(entry(n)) for n in range(start, min(start + BACKLOG_BATCH, count + 1))
            ]
            started = time.perf_counter()
            await target._driver.execute_query(RAW_CREATE, rows=batch)
            elapsed += time.perf_counter() - started
        cpu = (cpu_seconds(servers.get("neo4j")) - before) / count * 1e6
        times.append(elapsed)
    await target.erase_all()
    return {"raw": count / times[-1], "raw_first": count / times[0], "raw_cpu_us_neo4j": cpu}


def updated(n: int, every: int) -> bool:
    """Whether entry `n` of the backlog is written twice (version 2) at the source."""
    return every > 0 and n % every == 0


async def fill_updates(store: CatalogStore, size: int, every: int) -> int:
    """Version 2 of every `every`-th entry, after the whole backlog: the topic then holds two
    records of those codes (until compaction), and the target must end at version 2."""
    codes = [n for n in range(1, size + 1) if updated(n, every)]
    for start in range(0, len(codes), BATCH):
        batch = [entry(n, version=2) for n in codes[start : start + BATCH]]
        await store.apply(batch, outbox=[outbox_record(e) for e in batch])
    return len(codes)


async def verify(target: Neo4jStore, size: int, every: int) -> dict[str, int]:
    """What the target holds against what the source wrote: entries missing, held at another
    version than the source's newest, held although never written, and the entries held."""
    expected = {entry(n).code: 2 if updated(n, every) else 1 for n in range(1, size + 1)}
    result = await target._driver.execute_query(
        "MATCH (r:Resource) WHERE r.snapshot IS NOT NULL RETURN r.code AS code, r.version AS v"
    )
    held = {record["code"]: record["v"] for record in result.records}
    return {
        "held": len(held),
        "missing": sum(1 for code in expected if code not in held),
        "wrong_version": sum(1 for code, v in expected.items() if code in held and held[code] != v),
        "unexpected": sum(1 for code in held if code not in expected),
    }


async def backlog(
    settings: KafkaClientSettings,
    neo4j: Any,
    size: int,
    tmp: Path,
    prefix: str,
    servers: dict[str, int | None],
    *,
    raw_size: int,
    update_every: int = 0,
) -> dict[str, float]:
    link = dataclasses.replace(Link.between(SOURCE, TARGET), prefix=prefix)
    async with (
        EmbeddedStore.open(tmp / "source.db", INTRANET) as source,
        Neo4jStore.open(neo4j.uri, neo4j.auth, catalog=EXTRANET) as target,
        KafkaLog.open(settings) as log,
    ):
        await target.erase_all()
        await warm_up(target)
        raw = await raw_pace(target, raw_size, servers) if raw_size else {}

        await create_topics(log, [link])
        started = time.perf_counter()
        await fill(source, 1, size)
        updates = await fill_updates(source, size, update_every)
        written = time.perf_counter() - started
        progress(f"written {size + updates} at the source")
        relay = Relay(source, log, link, batch_size=2000)
        started = time.perf_counter()
        while await retried(relay.run_once):
            pass
        relayed = time.perf_counter() - started
        end = await log.end_offset(link.topic)
        progress(f"relayed {size + updates} into {link.topic} (end offset {end})")
        # The consumer as the extranet's worker runs it: reading and checking one batch while
        # the store writes the two before; a leaf, it keeps no outbox of what it applies.
        consumer = LinkConsumer(
            target,
            log,
            link,
            batch_size=BACKLOG_BATCH,
            timeout_ms=500,
            forward=False,
            writers=CONSUMER_WRITERS,
        )
        started = time.perf_counter()
        cpu_before = {name: cpu_seconds(pid) for name, pid in servers.items()}
        cpu_before["mulu"] = time.process_time()
        running = asyncio.create_task(consumer.run())
        shown = started
        while (consumer.status.position or 0) < end:
            await asyncio.sleep(0.01)
            if running.done():  # as the worker does: again from the committed offset
                error = running.exception()
                if not isinstance(error, SyncError | CatalogError) or not error.retriable:
                    raise RuntimeError("the consumer stopped") from error
                progress(f"consumer failed ({error}); again from the committed offset")
                running = asyncio.create_task(consumer.run())
            if time.perf_counter() - shown >= 30:
                shown = time.perf_counter()
                rate = consumer.status.applied / (shown - started)
                progress(f"applied {consumer.status.applied:,} ({rate:,.0f}/s)")
        applied = time.perf_counter() - started
        cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in servers.items()}
        cpu["mulu"] = time.process_time() - cpu_before["mulu"]
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        status = consumer.status
        checked = await verify(target, size, update_every)
        sample = encode(event_for(entry(1)))
        return {
            "written": (size + updates) / written,
            "relayed": (size + updates) / relayed,
            "applied": status.applied / applied,
            "applied_seconds": applied,
            "records": float(end),
            "applied_records": float(status.applied),
            "stale_records": float(status.stale),
            "refused_records": float(status.refused),
            **{k: float(v) for k, v in checked.items()},
            **raw,
            "record_bytes": float(len(sample)),
            **{f"cpu_us_{name}": seconds / status.applied * 1e6 for name, seconds in cpu.items()},
        }


async def retried(step: Callable[[], Awaitable[T]], attempts: int = 10) -> T:
    """`step()`, tried again after a retriable failure (a broker slow to answer on a loaded
    machine), as the worker would; the relay resumes from its position in the outbox."""
    for attempt in range(1, attempts + 1):
        try:
            return await step()
        except (SyncError, CatalogError) as exc:
            if not exc.retriable or attempt == attempts:
                raise
            progress(f"failed ({exc}); trying again")
            await asyncio.sleep(1.0)
    raise AssertionError("unreachable")


def progress(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text} (load {os.getloadavg()[0]:.1f})", flush=True)


async def until_true(condition: Callable[[], bool]) -> None:
    while not condition():  # noqa: ASYNC110 - counters, not events
        await asyncio.sleep(0.01)


async def write_steadily(
    settings: KafkaClientSettings,
    rate: int,
    seconds: float,
    path: Path,
    link: Link,
    peer: Connection,
) -> dict[str, float]:
    """The source instance: write `rate` entries a second for `seconds` at 成都's intranet,
    each with its outbox record, while its relay runs; when each entry was written.

    A first entry goes through before the clock starts, and the target says when it applied
    it: what is measured is the steady state of running instances, not their connecting."""
    async with EmbeddedStore.open(path, INTRANET) as source, KafkaLog.open(settings) as log:
        written_at: dict[str, float] = {}
        tick = 0.05
        per_tick = max(1, round(rate * tick))
        total = int(rate * seconds)
        relay = SyncWorker(source, log, [link], idle_seconds=0.02, backoff=Backoff())
        async with relay:
            first = entry(FIRST)
            await source.apply([first], outbox=[outbox_record(first)])
            await until_true(lambda: relay.relays[0].status.produced == 1)
            peer.send(first.code)
            await asyncio.to_thread(peer.recv)  # the target applied it
            begin = time.perf_counter()
            n = 1
            while len(written_at) < total:
                batch = [entry(n + i) for i in range(per_tick)]
                n += per_tick
                await source.apply(batch, outbox=[outbox_record(e) for e in batch])
                now = time.time()
                written_at.update({e.code: now for e in batch})
                due = begin + len(written_at) / rate
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await until_true(lambda: relay.relays[0].status.produced >= total + 1)
        return written_at


def source_process(
    settings: KafkaClientSettings,
    rate: int,
    seconds: float,
    path: Path,
    link: Link,
    peer: Connection,
) -> None:
    peer.send(asyncio.run(write_steadily(settings, rate, seconds, path, link, peer)))


async def steady(
    settings: KafkaClientSettings, neo4j: Any, rate: int, seconds: float, tmp: Path, prefix: str
) -> list[float]:
    """The lag: the source instance in a process of its own (as it is on its own host), the
    target's worker here; both clocks are this machine's."""
    link = dataclasses.replace(Link.between(SOURCE, TARGET), prefix=prefix)
    async with (
        Neo4jStore.open(neo4j.uri, neo4j.auth, catalog=EXTRANET) as neo4j_target,
        KafkaLog.open(settings) as log,
    ):
        await neo4j_target.erase_all()
        await warm_up(neo4j_target)
        target = TimedTarget(neo4j_target)
        await create_topics(log, [link])
        total = int(rate * seconds)
        spawn = multiprocessing.get_context("spawn")
        here, there = spawn.Pipe()
        path = tmp / "steady-source.db"
        writer = spawn.Process(
            target=source_process, args=(settings, rate, seconds, path, link, there)
        )
        async with SyncWorker(target, log, [link], backoff=Backoff()):
            writer.start()
            first: str = await asyncio.to_thread(here.recv)
            await until_true(lambda: first in target.applied_at)
            here.send("go")
            written_at: dict[str, float] = await asyncio.to_thread(here.recv)
            writer.join()
            deadline = time.monotonic() + 60
            while len(target.applied_at) < total + 1 and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        return [target.applied_at[c] - w for c, w in written_at.items() if c in target.applied_at]


def kafka_tools(connection: Any, count: int, size: int, home: Path) -> dict[str, float]:
    """Kafka's ProducerPerformance and ConsumerPerformance as the super user, over the same
    security protocol as the sync (its PEM CA bundle as the truststore over SASL_SSL)."""
    from infra.jvm.fetch import classpath
    from infra.jvm.java import java_env, java_executable
    from infra.versions import KAFKA

    topic = f"bench.kafka-tools.{secrets.token_hex(4)}"
    properties = home / "client.properties"
    jaas = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{connection.user}" password="{connection.password}";'
    )
    trust = (
        f"ssl.truststore.type=PEM\nssl.truststore.location={connection.ssl_cafile}\n"
        if connection.ssl_cafile
        else ""
    )
    properties.write_text(
        f"bootstrap.servers={connection.bootstrap_servers}\n"
        f"security.protocol={connection.security_protocol}\n"
        f"{trust}"
        f"sasl.mechanism={connection.mechanism}\n"
        f"sasl.jaas.config={jaas}\n"
        "acks=all\nenable.idempotence=true\n",
        encoding="utf-8",
    )
    from infra.kafka import KafkaAdmin

    KafkaAdmin(connection).create_topic(topic)  # its records have no key: not compacted
    java = [str(java_executable()), "-Xmx512m", "-cp", classpath(KAFKA)]

    def run(arguments: list[str]) -> str:
        done = subprocess.run(
            [*java, *arguments], env=java_env(), capture_output=True, text=True, check=True
        )
        return done.stdout + done.stderr

    produced = run(
        [
            "org.apache.kafka.tools.ProducerPerformance",
            "--topic", topic,
            "--num-records", str(count),
            "--record-size", str(size),
            "--throughput", "-1",
            "--producer.config", str(properties),
        ]
    )  # fmt: skip
    per_second = re.findall(r"([\d.]+) records/sec", produced.replace(",", ""))
    print(produced.strip().splitlines()[-1])
    consumed = run(
        [
            "org.apache.kafka.tools.ConsumerPerformance",
            "--bootstrap-server", connection.bootstrap_servers,
            "--topic", topic,
            "--messages", str(count),
            "--consumer.config", str(properties),
            "--hide-header",
        ]
    )  # fmt: skip
    # start, end, MB, MB/s, records, records/s, rebalance ms, fetch ms, fetch MB/s, fetch rec/s
    print(consumed.strip().splitlines()[-1])
    fields = consumed.strip().splitlines()[-1].split(",")
    return {
        "producer": float(per_second[-1]) if per_second else float("nan"),
        "consumer": float(fields[5]),
        "consumer_fetch": float(fields[9]),
    }


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="backlog entries")
    parser.add_argument(
        "--raw-size",
        type=int,
        default=None,
        help="rows of the raw reference (default: the backlog's, at most 100,000; 0: none)",
    )
    parser.add_argument(
        "--updates",
        type=int,
        default=0,
        metavar="EVERY",
        help="write every EVERY-th entry of the backlog a second time (version 2) before the "
        "relay runs; the target must end at each entry's newest version",
    )
    parser.add_argument(
        "--backlog-only",
        action="store_true",
        help="the backlog alone: no lag run, no Kafka tools (a large backlog's crossing)",
    )
    parser.add_argument("--rate", type=int, default=500, help="entries/s for the lag run")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the lag run")
    parser.add_argument("--heap", default="2g", help="Neo4j's JVM heap")
    parser.add_argument("--page-cache", default="2g", help="Neo4j's page cache")
    parser.add_argument(
        "--ports",
        default=None,
        metavar="LOW-HIGH",
        help="take the servers' three ports from this range (default: any free ports)",
    )
    parser.add_argument(
        "--security-protocol",
        choices=["SASL_SSL", "SASL_PLAINTEXT"],
        default="SASL_SSL",
        help="Kafka's client listener: SASL_SSL (a CA and broker certificate made for the run) "
        "or SASL_PLAINTEXT",
    )
    args = parser.parse_args()
    if args.size < 1:
        parser.error(f"--size must be at least 1, not {args.size}")
    raw_size = min(args.size, 100_000) if args.raw_size is None else args.raw_size
    if not 0 <= raw_size <= args.size:
        parser.error(f"--raw-size must be between 0 and --size ({args.size}), not {raw_size}")
    if args.updates < 0:
        parser.error(f"--updates must be 0 (none) or more, not {args.updates}")
    if args.ports is not None:
        low, _, high = args.ports.partition("-")
        if not (low.isdigit() and high.isdigit() and 1024 <= int(low) < int(high) <= 65535):
            parser.error(f"--ports must be LOW-HIGH within 1024-65535, not {args.ports!r}")
    load_before = " ".join(f"{v:.2f}" for v in os.getloadavg())

    from infra.kafka import KafkaServer
    from infra.kafka.tls import self_signed_tls
    from infra.neo4j import Neo4jServer
    from infra.net import free_port_range, free_ports

    if args.ports is not None:
        low, _, high = args.ports.partition("-")
        first = free_port_range(3, int(low), int(high) + 1)
        ports = [first, first + 1, first + 2]
    else:
        ports = free_ports(3)
    with tempfile.TemporaryDirectory() as home_dir:
        home = Path(home_dir)
        kafka_port, controller, bolt = ports
        tls = self_signed_tls(home / "tls") if args.security_protocol == "SASL_SSL" else None
        kafka = KafkaServer(home / "kafka", kafka_port, controller, secrets.token_hex(12), tls=tls)
        neo4j = Neo4jServer(
            home / "neo4j",
            bolt,
            secrets.token_hex(12),
            heap=args.heap,
            page_cache=args.page_cache,
        )
        connection = kafka.start()
        neo4j_info = neo4j.start()
        lags: list[float] = []
        tools: dict[str, float] | None = None
        try:
            settings = KafkaClientSettings(
                connection.bootstrap_servers,
                connection.user,
                connection.password,
                security_protocol=connection.security_protocol,
                ssl_cafile=connection.ssl_cafile,
            )
            prefix = f"bench.{secrets.token_hex(4)}"
            servers = {"neo4j": neo4j.status().pid, "kafka": kafka.status().pid}
            mirror = asyncio.run(
                backlog(
                    settings,
                    neo4j_info,
                    args.size,
                    home,
                    prefix,
                    servers,
                    raw_size=raw_size,
                    update_every=args.updates,
                )
            )
            load_backlog = " ".join(f"{v:.2f}" for v in os.getloadavg())
            if not args.backlog_only:
                lags = asyncio.run(
                    steady(settings, neo4j_info, args.rate, args.seconds, home, prefix + "s")
                )
                tools = kafka_tools(connection, args.size, int(mirror["record_bytes"]), home)
        finally:
            neo4j.stop()
            kafka.stop()

    print(f"Kafka client listener: {args.security_protocol}, {connection.mechanism}")
    print(f"Neo4j heap {args.heap}, page cache {args.page_cache}")
    print(f"load average before the run: {load_before}; after the backlog: {load_backlog}")
    print(f"record size: {mirror['record_bytes']:.0f} bytes (an encoded, guarded change event)")
    records = int(mirror["records"])
    print(
        f"backlog of {args.size:,} entries ({records:,} records, {records - args.size:,} updates)"
    )
    print(f"  source writes (embedded, with outbox) {mirror['written']:10,.0f} entries/s")
    print(f"  relay (guard, Kafka acks=all)         {mirror['relayed']:10,.0f} entries/s")
    if tools:
        print(f"  Kafka ProducerPerformance             {tools['producer']:10,.0f} records/s")
    print(f"  mirror applied at Neo4j (guard incl.) {mirror['applied']:10,.0f} entries/s")
    print(f"    the whole backlog applied in {mirror['applied_seconds']:,.1f} s")
    if "raw" in mirror:
        print(
            f"  raw UNWIND…CREATE of {raw_size:,} rows     {mirror['raw']:10,.0f} entries/s"
            f" (into a fresh store: {mirror['raw_first']:,.0f})"
        )
    if tools:
        print(f"  Kafka ConsumerPerformance             {tools['consumer']:10,.0f} records/s")
        print(f"  relay / producer   {mirror['relayed'] / tools['producer']:.2f}")
        print(f"  applied / consumer {mirror['applied'] / tools['consumer']:.3f}")
    if "raw" in mirror:
        print(f"  applied / raw      {mirror['applied'] / mirror['raw']:.2f}")
    cpu = {k.removeprefix("cpu_us_"): v for k, v in mirror.items() if k.startswith("cpu_us_")}
    shares = ", ".join(f"{name} {us:.0f}" for name, us in cpu.items())
    total = sum(cpu.values())
    print(f"  CPU µs per applied entry: {shares}; in all {total:.0f}", end="")
    cores = os.cpu_count() or 1
    print(f" — {cores} cores give at most {cores * 1e6 / total:,.0f} entries/s")
    if "raw" in mirror:
        print(
            f"  Neo4j CPU µs per entry of the raw UNWIND…CREATE: {mirror['raw_cpu_us_neo4j']:.0f}"
        )
        ratio = mirror["applied"] / mirror["raw"]
        print(f"  target applied ≥ 0.8 × raw: {'met' if ratio >= 0.8 else 'MISSED'}")
    print(
        f"  at the target: {mirror['held']:,.0f} entries held; {mirror['missing']:,.0f} missing,"
        f" {mirror['wrong_version']:,.0f} at another version than the source's newest,"
        f" {mirror['unexpected']:,.0f} never written; records applied"
        f" {mirror['applied_records']:,.0f}, stale {mirror['stale_records']:,.0f},"
        f" refused {mirror['refused_records']:,.0f}"
    )
    lost = mirror["missing"] + mirror["wrong_version"] + mirror["unexpected"]
    print(f"  nothing lost: {'yes' if lost == 0 and mirror['held'] == args.size else 'NO'}")
    if lags:
        p50, p99 = percentile(lags, 0.5), percentile(lags, 0.99)
        print(f"lag at {args.rate} entries/s for {args.seconds:.0f} s ({len(lags)} entries)")
        print(f"  p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms")
        print(f"  target p99 < 1 s: {'met' if p99 < 1 else 'MISSED'}")
        print(f"  mean {statistics.fmean(lags) * 1000:.0f} ms")
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
