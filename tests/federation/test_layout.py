"""federation.layout: Graphviz's dot as a subprocess — bounded in size before it starts, in
time while it runs (killed, LAYOUT_TIMEOUT), never blocking the event loop, one run per graph
(the cache), and LAYOUT_UNAVAILABLE when dot is missing."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from federation.layout import (
    MAX_NODES,
    Graphviz,
    LayoutTimeout,
    LayoutTooLarge,
    LayoutUnavailable,
)
from tests.federation.test_lineage_columns import dot


def spy(tmp_path: Path, before: str = "") -> tuple[str, Path]:
    """A `dot` that notes each run in a file (and first runs `before`), then is the real dot."""
    runs = tmp_path / "runs"
    script = tmp_path / "dot"
    script.write_text(f'#!/bin/sh\necho run >> "{runs}"\n{before}\nexec "{dot()}" "$@"\n')
    script.chmod(0o755)
    return str(script), runs


def tree(fan: int, depth: int) -> tuple[int, list[tuple[int, int]]]:
    """A root (0) fed by `fan` sources, each by `fan`…: `depth` levels; edges source → fed."""
    edges: list[tuple[int, int]] = []
    level, count = [0], 1
    for _ in range(depth):
        nxt = []
        for fed in level:
            for _ in range(fan):
                edges.append((count, fed))
                nxt.append(count)
                count += 1
        level = nxt
    return count, edges


async def test_a_thousand_node_tree_is_laid_out_in_layers() -> None:
    count, edges = tree(10, 3)
    assert count == 1111
    started = time.perf_counter()
    found = await Graphviz(dot()).layered(count, edges)
    print(f"dot laid out 1,111 nodes in {time.perf_counter() - started:.2f} s")
    assert len(found.x) == len(found.y) == count
    # Layers: each source left of what it feeds; the 1,000 leaves share one column.
    for source, fed in edges:
        assert found.x[source] < found.x[fed]
    assert len({found.x[i] for i in range(111, 1111)}) == 1
    assert len({(found.x[i], found.y[i]) for i in range(count)}) == count


async def test_the_same_graph_is_laid_out_once(tmp_path: Path) -> None:
    executable, runs = spy(tmp_path)
    graphviz = Graphviz(executable)
    count, edges = tree(3, 2)
    first = await graphviz.layered(count, edges)
    again = await graphviz.layered(count, list(reversed(edges)))  # the same graph
    assert again == first
    assert runs.read_text().count("run") == 1
    await graphviz.layered(count - 1, edges[:-1])  # another graph: another run
    assert runs.read_text().count("run") == 2


async def test_the_event_loop_runs_while_dot_does(tmp_path: Path) -> None:
    executable, _ = spy(tmp_path, before="sleep 1")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(tick())
    try:
        await Graphviz(executable).layered(*tree(2, 4))
    finally:
        ticking.cancel()
    assert ticks > 30  # about a second of 10 ms ticks, not one at the end


async def test_a_run_past_the_time_bound_is_killed_and_says_so(tmp_path: Path) -> None:
    executable, _ = spy(tmp_path, before='echo $$ >> "$0.pid"; sleep 30')
    started = time.perf_counter()
    with pytest.raises(LayoutTimeout) as raised:
        await Graphviz(executable, timeout=0.5).layered(*tree(2, 5))
    assert time.perf_counter() - started < 5
    assert raised.value.extensions() == {"code": "LAYOUT_TIMEOUT", "limitSeconds": 0.5}
    assert "0.5 s" in str(raised.value)
    pid = int(await asyncio.to_thread(Path(executable + ".pid").read_text))
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, reaped


async def test_a_graph_too_large_is_refused_before_dot_starts(tmp_path: Path) -> None:
    executable, runs = spy(tmp_path)
    with pytest.raises(LayoutTooLarge) as raised:
        await Graphviz(executable).layered(MAX_NODES + 1, [])
    assert raised.value.extensions()["code"] == "LAYOUT_TOO_LARGE"
    assert f"at most {MAX_NODES} nodes" in str(raised.value)
    assert not runs.exists()


async def test_without_dot_the_layout_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(LayoutUnavailable):
        await Graphviz(None).layered(2, [(0, 1)])
    with pytest.raises(LayoutUnavailable):  # named, but removed since
        await Graphviz(str(tmp_path / "no-dot")).layered(2, [(0, 1)])
