"""Benchmark of the embedded store's reads beside work that computes, in the same process.

Python runs one thread at a time (the GIL). SQLite lets go of it for each step of a statement
and for each call into Python (a progress handler's look at a read's stop flag), and takes it
back afterwards; while another thread of the process computes, taking it back waits up to the
switch interval (5 ms) — a read of many such steps slows by as many waits (a convoy). An
instance's reads run beside its links' work: a consumer preparing and applying a batch, a relay
encoding one. In one run, on a store of ``--size`` entries:

- alone: ``--searches`` searches (first page of 10, with the total), one after another — the
  reference;
- beside a thread that computes: the same searches while a thread of plain Python arithmetic
  runs (the worst neighbour: it never lets go of the GIL by itself);
- beside a mirror: the same searches while a link mirrors ``--mirror`` entries into a second
  store of the same process (relay, embedded log, consumer: what `mulu up` runs), asked every
  20 ms until it is done.

Each prints the median and p95 latency and the ratio of its median to the reference's.

    python bench/convoy_bench.py --size 5000
    PYTHONPATH=/path/to/another/checkout python bench/convoy_bench.py   # its code, this bench
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parents[1]))  # after PYTHONPATH: another checkout

from sync_bench import EXTRANET, INTRANET, SOURCE, TARGET, entry

import graph
from graph.embedded import EmbeddedStore
from graph.queries import ResourceFilter
from sync.consumer import LinkConsumer
from sync.events import outbox_record
from sync.links import Link
from sync.log.embedded import EmbeddedLog
from sync.relay import Relay
from sync.topics import create_topics

WORDS = ("信息", "人口", "登记", "企业")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def said(label: str, latencies: list[float], reference: float | None) -> float:
    median = statistics.median(latencies)
    ratio = "" if reference is None else f"; {median / reference:.1f}× the reference"
    print(
        f"{label}: {len(latencies)} searches, median {median * 1000:.1f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms{ratio}",
        flush=True,
    )
    return median


async def searches(store: EmbeddedStore, count: int, pause: float = 0.0) -> list[float]:
    latencies = []
    for n in range(count):
        began = time.perf_counter()
        await store.find(ResourceFilter(), search=WORDS[n % len(WORDS)], first=10)
        latencies.append(time.perf_counter() - began)
        if pause:
            await asyncio.sleep(pause)
    return latencies


async def fill(store: EmbeddedStore, first: int, last: int) -> None:
    for start in range(first, last + 1, 500):
        batch = [entry(i) for i in range(start, min(start + 500, last + 1))]
        await store.apply(batch, outbox=[outbox_record(e) for e in batch])


async def beside_a_thread(measure: Callable[[], Awaitable[list[float]]]) -> list[float]:
    stop = threading.Event()

    def compute() -> None:
        total = 0
        while not stop.is_set():
            for i in range(1000):
                total += i

    thread = threading.Thread(target=compute, daemon=True)
    thread.start()
    try:
        return await measure()
    finally:
        stop.set()
        thread.join()


async def beside_a_mirror(
    store: EmbeddedStore, tmp: Path, size: int, mirror: int
) -> tuple[list[float], float]:
    """Searches of `store` every 20 ms while `mirror` entries go from a second store to a
    third over the embedded log; the latencies, and the mirror's time."""
    link = Link.between(SOURCE, TARGET)
    async with (
        EmbeddedStore.open(tmp / "source.db", INTRANET) as source,
        EmbeddedStore.open(tmp / "target.db", EXTRANET) as target,
        EmbeddedLog.open(tmp / "log.db") as log,
    ):
        await create_topics(log, [link])
        await fill(source, size + 1, size + mirror)
        relay = Relay(source, log, link)
        consumer = LinkConsumer(target, log, link, forward=False)
        began = time.perf_counter()
        running = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
        latencies: list[float] = []
        try:
            while consumer.status.applied < mirror:
                latencies += await searches(store, 1)
                await asyncio.sleep(0.02)
            took = time.perf_counter() - began
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
        held = await target.find(ResourceFilter(), first=1)
        assert held.total_count == mirror, f"the target holds {held.total_count} of {mirror}"
        return latencies, took


async def main(size: int, count: int, mirror: int) -> None:
    print(
        f"convoy_bench: {size:,} entries, {count} searches a part; mirror {mirror:,}; "
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, switch interval "
        f"{sys.getswitchinterval() * 1000:.0f} ms, load average {os.getloadavg()[0]:.2f}; "
        f"the code of {Path(graph.__file__).parents[1]}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        async with EmbeddedStore.open(Path(tmp) / "catalog.db", INTRANET) as store:
            await fill(store, 1, size)
            await searches(store, len(WORDS))  # warm
            reference = said("alone", await searches(store, count), None)
            near = await beside_a_thread(lambda: searches(store, count))
            said("beside a thread that computes", near, reference)
            during, took = await beside_a_mirror(store, Path(tmp), size, mirror)
            said(f"beside a mirror ({mirror:,} entries in {took:.1f} s)", during, reference)
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5_000)
    parser.add_argument("--searches", type=int, default=40)
    parser.add_argument("--mirror", type=int, default=5_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.size, arguments.searches, arguments.mirror))
