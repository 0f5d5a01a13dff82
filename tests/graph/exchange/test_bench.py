"""bench/exchange_bench.py never ends without saying why: a batch load the store does not apply
whole ends the run naming the entry refused (it went on, silently, before), and a SIGTERM — a
`timeout`, a closed terminal — ends it with a line naming the phase it was in and how far it
had got, where a 100,000-row run on Neo4j used to end with no word at all."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.graph.conftest import OpenStore

ROOT = Path(__file__).resolve().parents[3]


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "exchange_bench", ROOT / "bench/exchange_bench.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_a_batch_not_applied_whole_ends_the_run_naming_the_entry(
    open_store: OpenStore,
) -> None:
    exchange_bench = bench()
    catalog, _, _, entries = exchange_bench.entries_of(30)
    taken = entries[5].code
    # The same entry from another catalog later in the batch: the store refuses it (CONFLICT).
    entries[20] = dataclasses.replace(entries[5], origin="510000/intranet")
    phase = exchange_bench.Phase(every=0)
    phase.enter("test batch load", len(entries))
    with pytest.raises(SystemExit) as ended:
        await exchange_bench.batch_load(open_store, catalog, entries, phase)
    assert str(ended.value) == (
        f"[test batch load] the store applied 29 of the 30 entries from 0 ({taken}: CONFLICT); "
        "0 written before"
    )


def test_a_sigterm_ends_the_run_saying_where_it_was() -> None:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("MULU_BENCH_NEO4J_URI", None)
    run = subprocess.Popen(
        [sys.executable, "bench/exchange_bench.py", "--entries", "3000", "--skip-neo4j"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert run.stdout is not None
        for line in run.stdout:  # the first progress line of the batch load
            if line.startswith("[embedded 1 batch load] "):
                break
        else:
            pytest.fail(f"no progress line; stderr: {run.stderr.read() if run.stderr else ''}")
        run.send_signal(signal.SIGTERM)
        _, stderr = run.communicate(timeout=60)
    finally:
        run.kill()
        run.wait()
    assert run.returncode == 128 + signal.SIGTERM
    assert "ended by SIGTERM during embedded 1 " in stderr
    assert " done, load average " in stderr
