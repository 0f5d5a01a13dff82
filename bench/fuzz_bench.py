"""A longer fuzzing run of the GraphQL schema against an extranet instance than CI's
(tests/federation/test_fuzz.py): the same target and checks (tests/federation/fuzzing.py), as
many examples as asked, every finding counted instead of stopping at the first.

    python bench/fuzz_bench.py --examples 5000
    python bench/fuzz_bench.py --examples 2000 --seed 7 --mutations

Prints the examples run, the findings by kind (an HTTP 500, a log record with a traceback or at
ERROR, a classified code and where in the answer it showed) with the first request of each,
and the time taken.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

# The harness lives with the tests: the repository's root on the path, as pytest has it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.federation.fuzzing import (
    CALLERS,
    Finding,
    Target,
    build_extranet,
    query_strategy,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="queries to generate")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis's seed")
    parser.add_argument("--size", type=int, default=6000, help="sample catalog size")
    parser.add_argument(
        "--mutations",
        action="store_true",
        help="generate mutations too (they change the store as the run goes)",
    )
    parser.add_argument("--show", type=int, default=1, help="requests shown per kind")
    args = parser.parse_args()

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mulu-fuzz-") as directory:
        holdings = asyncio.run(build_extranet(Path(directory), size=args.size))
        built = time.monotonic() - started
        print(
            f"extranet: {len(holdings.held)} entries held, {len(holdings.referrers)} naming "
            f"one of {len(holdings.secret)} classified codes; built in {built:.1f} s"
        )
        findings: collections.Counter[str] = collections.Counter()
        shown: dict[str, list[str]] = collections.defaultdict(list)
        failed = 0
        with Target(holdings) as target:
            queries = query_strategy(holdings, mutations=args.mutations)

            @seed(args.seed)
            @settings(
                max_examples=args.examples,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(query=queries, caller=st.sampled_from(CALLERS))
            def run(query: str, caller: str) -> None:
                nonlocal failed
                try:
                    target.check(query, caller)
                except Finding as finding:
                    failed += 1
                    for kind in dict.fromkeys(finding.kinds):
                        findings[kind] += 1
                        if len(shown[kind]) < args.show:
                            shown[kind].append(str(finding))

            fuzzing = time.monotonic()
            run()
            took = time.monotonic() - fuzzing
            examples = target.requests
    load = os.getloadavg()[0]
    print(
        f"examples run: {examples}, failed: {failed}, in {took:.1f} s "
        f"({examples / max(took, 1e-9):.0f}/s; load average {load:.1f})"
    )
    for kind, count in findings.most_common():
        print(f"\n{count:6d}  {kind}")
        for text in shown[kind]:
            print("        " + text[:2000].replace("\n", "\n        "))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
