"""Benchmark of the pure-Python steps each synced entry goes through, without any server.

Per entry, in CPU microseconds (the best of `--repeat` passes over `--size` entries):
`sync.events.decode` of its encoded event, `sync.snapshots.resource_from_dict` of its
snapshot, `graph.rules.check_resource`, `graph.snapshot.resource_to_json` (the text both
stores keep) and `encode(event_for(entry))` at the origin. Two kinds of entry: the sync
benchmark's (`bench/sync_bench.py`, 3 items) and the sample catalog's (about 11 items and 3
lifecycle steps each).

    python bench/codec_bench.py --size 2000
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import timeit
from collections.abc import Callable, Sequence
from typing import Any

from sync_bench import entry as bench_entry  # beside this script

from graph import Resource, Zone, check_resource
from graph.sample import generate_catalog
from graph.snapshot import resource_to_dict, resource_to_json
from sync.events import decode, encode, event_for
from sync.snapshots import resource_from_dict


def per_entry(step: Callable[[Any], object], inputs: Sequence[Any], repeat: int) -> float:
    """CPU microseconds per input of `step`, the best of `repeat` passes."""

    def one_pass() -> None:
        for value in inputs:
            step(value)

    best = min(timeit.repeat(one_pass, number=1, repeat=repeat, timer=time.process_time))
    return best / len(inputs) * 1e6


def measure(entries: list[Resource], repeat: int) -> dict[str, float]:
    return {
        "decode": per_entry(decode, [encode(event_for(e)) for e in entries], repeat),
        "resource_from_dict": per_entry(
            resource_from_dict, [resource_to_dict(e) for e in entries], repeat
        ),
        "check_resource": per_entry(lambda e: check_resource(e, Zone.INTRANET), entries, repeat),
        "resource_to_json": per_entry(resource_to_json, entries, repeat),
        "encode(event_for)": per_entry(lambda e: encode(event_for(e)), entries, repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="entries of each kind")
    parser.add_argument("--repeat", type=int, default=11, help="passes; the best one counts")
    parser.add_argument("--seed", type=int, default=7, help="of the sample catalog")
    args = parser.parse_args()

    sample = generate_catalog(args.size, seed=args.seed)
    kinds = {
        "sync_bench entry": [bench_entry(n) for n in range(1, args.size + 1)],
        "sample entry": [sample.resource(i) for i in range(args.size)],
    }
    print("load average " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    for kind, entries in kinds.items():
        items = statistics.mean(len(e.items) for e in entries)
        print(f"{kind} ({items:.1f} items on average), µs per entry:")
        for step, micros in measure(entries, args.repeat).items():
            print(f"  {step:20s} {micros:7.1f}")


if __name__ == "__main__":
    main()
