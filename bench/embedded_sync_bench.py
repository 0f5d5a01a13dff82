"""Benchmark of the sync on embedded stores and the embedded log: one link, no server.

`--size` published, unclassified entries of 成都's intranet (an embedded store; each written
with its outbox record) are mirrored to 成都's extranet (another embedded store) over the
embedded log, as `mulu up` and `mulu demo` run a link. In one run:

- relay: the source's `Relay` puts the whole outbox through the source guard into the link's
  topic (entries/s);
- mirror: a `LinkConsumer` set up as the target's `SyncWorker` sets it up (two batches in
  flight; with ``--forward`` each applied entry also goes into the target's outbox, as at an
  instance that sends on) applies the topic to the target — decode, target guard, rules,
  newest-wins, one transaction per batch with its audit records, offsets committed in order
  (entries/s applied, and the process's CPU µs per entry);
- both at once: the relay and the consumer running side by side from a fresh outbox to a
  fresh target, as a running link does;
- beside them, the reference measured in the same run: the embedded store's own batch load,
  `CatalogStore.apply` of the same entries (batches of 2,000, no outbox, no audit) into a
  fresh store — the ratio is the mirror's rate over it.

Every run ends by checking that the target holds each entry once, at its version.

Goal (issue 20, item 2): at least 10,000 entries/s applied on the embedded store and log.

    python bench/embedded_sync_bench.py --size 20000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync_bench import BACKLOG_BATCH, EXTRANET, INTRANET, SOURCE, TARGET, entry

from graph.embedded import EmbeddedStore
from graph.embedded.search import _row
from graph.model import Resource
from graph.queries import ResourceFilter
from graph.search import pinyin, text
from graph.search.text import index_text_of
from sync import events
from sync.consumer import LinkConsumer
from sync.events import outbox_record
from sync.links import Link
from sync.log.embedded import EmbeddedLog
from sync.relay import Relay
from sync.topics import create_topics
from sync.worker import CONSUMER_WRITERS

WRITE_BATCH = 500


async def fill(store: EmbeddedStore, entries: Sequence[Resource]) -> None:
    for start in range(0, len(entries), WRITE_BATCH):
        batch = entries[start : start + WRITE_BATCH]
        await store.apply(batch, outbox=[outbox_record(e) for e in batch])


async def batch_load(path: Path, entries: Sequence[Resource]) -> tuple[float, float]:
    """Seconds of `CatalogStore.apply` of `entries`, 2,000 a transaction, into a fresh store,
    and the process's CPU seconds meanwhile."""
    async with EmbeddedStore.open(path, EXTRANET) as store:
        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(entries), BACKLOG_BATCH):
            await store.apply(entries[start : start + BACKLOG_BATCH])
        return time.perf_counter() - started, time.process_time() - cpu


async def check_target(store: EmbeddedStore, entries: Sequence[Resource]) -> None:
    """Every entry once, at its version; nothing else."""
    codes = [e.code for e in entries]
    held = {}
    for start in range(0, len(codes), 2000):
        held.update(await store.get_many(codes[start : start + 2000]))
    wrong = [e.code for e in entries if e.code not in held or held[e.code].version != e.version]
    total = await store.find(ResourceFilter(catalog_id=None, states=frozenset()), first=0)
    if wrong or total.total_count != len(entries):
        raise AssertionError(
            f"the target holds {total.total_count} entries for {len(entries)} sent; "
            f"{len(wrong)} missing or at another version (first: {wrong[:3]})"
        )


async def run_consumer(consumer: LinkConsumer, size: int) -> None:
    running = asyncio.create_task(consumer.run())
    try:
        while consumer.status.applied < size and not running.done():  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        if running.done():
            running.result()  # its error, if it stopped
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


def forget() -> None:
    """Each timed part pays what a process of its own would: the index text — whole, its
    name's and its body's fields, pinyin — and the events remembered by the part before are
    forgotten."""
    for cached in (
        index_text_of,
        text._name_fields,
        text._body,
        pinyin._run_syllables,
        pinyin._segment_syllables,
        _row,
    ):
        cached.cache_clear()
    forgotten = getattr(events, "_remembered", None)
    if isinstance(forgotten, dict):
        forgotten.clear()


async def one_run(tmp: Path, entries: Sequence[Resource], forward: bool) -> dict[str, float]:
    size = len(entries)
    forget()
    link = Link.between(SOURCE, TARGET)
    figures: dict[str, float] = {}
    seconds, cpu_seconds = await batch_load(tmp / "reference.db", entries)
    figures["batch_load"] = size / seconds
    figures["cpu_us_batch_load"] = cpu_seconds / size * 1e6

    # Relay, then consumer, each alone.
    async with (
        EmbeddedStore.open(tmp / "source.db", INTRANET) as source,
        EmbeddedStore.open(tmp / "target.db", EXTRANET) as target,
        EmbeddedLog.open(tmp / "log.db", prune_consumed=True) as log,
    ):
        await create_topics(log, [link])
        await fill(source, entries)
        forget()
        relay = Relay(source, log, link, batch_size=BACKLOG_BATCH)
        started = time.perf_counter()
        while await relay.run_once():
            pass
        figures["relayed"] = size / (time.perf_counter() - started)
        consumer = LinkConsumer(
            target, log, link, batch_size=BACKLOG_BATCH, forward=forward, writers=CONSUMER_WRITERS
        )
        forget()
        started, cpu = time.perf_counter(), time.process_time()
        await run_consumer(consumer, size)
        figures["applied"] = size / (time.perf_counter() - started)
        figures["cpu_us_applied"] = (time.process_time() - cpu) / size * 1e6
        await check_target(target, entries)

    # Both at once, from a fresh outbox to a fresh target.
    both = dataclasses.replace(link, prefix="both")
    async with (
        EmbeddedStore.open(tmp / "source2.db", INTRANET) as source,
        EmbeddedStore.open(tmp / "target2.db", EXTRANET) as target,
        EmbeddedLog.open(tmp / "log2.db", prune_consumed=True) as log,
    ):
        await create_topics(log, [both])
        await fill(source, entries)
        forget()
        relay = Relay(source, log, both, batch_size=BACKLOG_BATCH)
        consumer = LinkConsumer(
            target, log, both, batch_size=BACKLOG_BATCH, forward=forward, writers=CONSUMER_WRITERS
        )
        started, cpu = time.perf_counter(), time.process_time()
        relaying = asyncio.create_task(relay.run())
        try:
            await run_consumer(consumer, size)
        finally:
            relaying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relaying
        figures["linked"] = size / (time.perf_counter() - started)
        figures["cpu_us_linked"] = (time.process_time() - cpu) / size * 1e6
        await check_target(target, entries)
    return figures


async def main(args: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f}")
    entries = [entry(n) for n in range(1, args.size + 1)]
    runs = []
    for n in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="mulu-embsync-") as tmp:
            figures = await one_run(Path(tmp), entries, args.forward)
        runs.append(figures)
        print(
            f"run {n + 1}: batch load {figures['batch_load']:,.0f}/s "
            f"({figures['cpu_us_batch_load']:,.0f} µs CPU each); relay "
            f"{figures['relayed']:,.0f}/s; mirror {figures['applied']:,.0f}/s applied "
            f"({figures['cpu_us_applied']:,.0f} µs CPU each; "
            f"{figures['applied'] / figures['batch_load']:.2f}× the batch load); relay and "
            f"mirror together {figures['linked']:,.0f}/s ({figures['cpu_us_linked']:,.0f} µs "
            f"CPU each); load average {os.getloadavg()[0]:.2f}"
        )
    if len(runs) > 1:
        median = {k: sorted(r[k] for r in runs)[len(runs) // 2] for k in runs[0]}
        print(
            f"median of {len(runs)}: batch load {median['batch_load']:,.0f}/s; relay "
            f"{median['relayed']:,.0f}/s; mirror {median['applied']:,.0f}/s "
            f"({median['applied'] / median['batch_load']:.2f}× the batch load); together "
            f"{median['linked']:,.0f}/s"
        )
    print(
        f"every run: the target held each of the {args.size:,} entries once, at its version; "
        f"forward={args.forward}; load average at the end {os.getloadavg()[0]:.2f}"
    )


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--forward",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the target keeps an outbox record of each applied entry (an instance that sends on)",
    )
    args = parser.parse_args()
    if not 1 <= args.size <= 2_000_000:
        parser.error(f"--size {args.size}: give 1 to 2,000,000")
    if not 1 <= args.runs <= 20:
        parser.error(f"--runs {args.runs}: give 1 to 20")
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
