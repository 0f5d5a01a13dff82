"""The garbage collector of a serving process (federation.garbage): every collection's pause
is recorded by generation, and a process that starts its instances tunes the collector once.

The tuning changes the whole process, so it is tried in a process of its own.
"""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

from federation.garbage import PAUSE_BUCKETS, YOUNG_THRESHOLD, PauseRecorder

ROOT = Path(__file__).resolve().parents[2]


def test_a_recorder_times_each_collection_by_generation() -> None:
    with PauseRecorder() as recorder:
        gc.collect(1)
        gc.collect(2)
    gc.collect(2)  # no longer recording
    _young, middle, full = recorder.figures()
    assert middle.count >= 1
    assert full.count == 1
    assert 0 < full.longest == full.total
    assert sum(full.buckets) == full.count
    assert len(full.buckets) == len(PAUSE_BUCKETS) + 1
    assert not recorder.recording
    recorder.stop()  # harmless


def test_a_process_starting_its_instances_tunes_the_collector_once(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    topology = tmp_path / "t.toml"
    topology.write_text(
        f'data_dir = "{tmp_path / "data"}"\n'
        f'[[instances]]\nid = "510100/intranet"\ngraphql = "127.0.0.1:{port}"\n'
        'store = { kind = "embedded" }\n',
        encoding="utf-8",
    )
    script = f"""
        import asyncio, gc
        from pathlib import Path
        from federation.runtime import Runtime
        from federation.settings import Settings
        from federation.topology import load_topology

        frozen = []
        freeze = gc.freeze
        gc.freeze = lambda: frozen.append(gc.get_threshold()) or freeze()  # a spy

        async def main():
            for _ in range(2):
                topology = load_topology(Path({str(topology)!r}))
                async with Runtime(topology, settings=Settings(log_level="WARNING")):
                    print(len(frozen), gc.get_threshold()[0], gc.get_freeze_count() > 0)

        asyncio.run(main())
    """
    ran = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split("\n")[:2] == [f"1 {YOUNG_THRESHOLD} True"] * 2
