"""Graphviz's `dot` run as a subprocess: a layered layout of nodes 0..n-1 and their edges.

The graph is written in the DOT language with nodes named by position only (``n0``, ``n1``…;
no text from the catalog reaches Graphviz), and read back from ``-Tplain``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import signal
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.errors import CatalogError

__all__ = [
    "CONCURRENT",
    "MAX_EDGES",
    "MAX_NODES",
    "TIMEOUT_SECONDS",
    "Graphviz",
    "Layout",
    "LayoutTimeout",
    "LayoutTooLarge",
    "LayoutUnavailable",
]

MAX_NODES = 5000
MAX_EDGES = 20000
TIMEOUT_SECONDS = 5.0
CONCURRENT = 2
CACHED = 64

# Each node a fixed box the size of the explorer's node with one line of label to its right;
# columns (ranks) left to right, sources first. nslimit/mclimit bound dot's search on a dense
# graph; no edge is routed (the page draws them straight).
_GRAPH = (
    "graph [rankdir=LR ranksep=1.6 nodesep=0.06 nslimit=4 mclimit=0.5 splines=false];\n"
    'node [shape=box fixedsize=true width=1.6 height=0.3 label=""];\n'
)


class LayoutUnavailable(CatalogError):
    code = "LAYOUT_UNAVAILABLE"

    def __init__(self) -> None:
        super().__init__(
            "the server cannot lay graphs out: Graphviz (its dot program) is not installed on "
            "this instance; lay the graph out in the browser"
        )


class LayoutTooLarge(CatalogError):
    code = "LAYOUT_TOO_LARGE"

    def __init__(self, nodes: int, edges: int) -> None:
        self.nodes, self.edges = nodes, edges
        super().__init__(
            f"a graph of {nodes} nodes and {edges} edges is too large to lay out: at most "
            f"{MAX_NODES} nodes and {MAX_EDGES} edges (ask for a shallower lineage)"
        )

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "maxNodes": MAX_NODES, "maxEdges": MAX_EDGES}


class LayoutTimeout(CatalogError):
    code = "LAYOUT_TIMEOUT"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"laying the graph out took longer than {seconds:g} s and was stopped (ask for a "
            "shallower lineage, or lay it out in the browser)"
        )

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "limitSeconds": self.seconds}


@dataclass(frozen=True)
class Layout:
    """Node i's centre at (x[i], y[i]); the drawing `width` × `height`, all in points."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    width: float
    height: float


_running: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _slot() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    found = _running.get(loop)
    if found is None:
        found = _running[loop] = asyncio.Semaphore(CONCURRENT)
    return found


@dataclass(frozen=True)
class Graphviz:
    """`dot` at `executable` (default: the one on PATH, None when there is none)."""

    executable: str | None = shutil.which("dot")
    timeout: float = TIMEOUT_SECONDS
    # Laid-out graphs by their DOT text's digest, the latest last.
    cache: OrderedDict[str, Layout] = field(default_factory=OrderedDict, compare=False, repr=False)

    @property
    def available(self) -> bool:
        return self.executable is not None

    async def layered(self, count: int, edges: Sequence[tuple[int, int]]) -> Layout:
        """Nodes 0..`count`-1 in layers, each edge (a, b) drawn from a (left) to b."""
        if count > MAX_NODES or len(edges) > MAX_EDGES:
            raise LayoutTooLarge(count, len(edges))
        for a, b in edges:
            if not (0 <= a < count and 0 <= b < count):
                raise ValueError(f"edge ({a}, {b}) names a node outside 0..{count - 1}")
        if self.executable is None:
            raise LayoutUnavailable()
        text = _dot(count, edges)
        key = hashlib.sha256(text.encode()).hexdigest()
        if (cached := self.cache.get(key)) is not None:
            self.cache.move_to_end(key)
            return cached
        async with _slot():
            plain = await self._run(text)
        found = _parse(plain, count)
        self.cache[key] = found
        while len(self.cache) > CACHED:
            self.cache.popitem(last=False)
        return found

    async def _run(self, text: str) -> str:
        assert self.executable is not None
        try:
            process = await asyncio.create_subprocess_exec(
                self.executable,
                "-Tplain",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,  # its own process group: killed whole on timeout
            )
        except FileNotFoundError as missing:  # removed since the instance started
            raise LayoutUnavailable() from missing
        try:
            out, err = await asyncio.wait_for(process.communicate(text.encode()), self.timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
            raise LayoutTimeout(self.timeout) from None
        if process.returncode != 0:
            raise RuntimeError(f"dot exited with {process.returncode}: {err.decode()[:500]}")
        return out.decode()


def _dot(count: int, edges: Sequence[tuple[int, int]]) -> str:
    nodes = "".join(f"n{i};\n" for i in range(count))
    lines = "".join(f"n{a}->n{b};\n" for a, b in sorted(set(edges)))
    return "digraph L {\n" + _GRAPH + nodes + lines + "}\n"


def _parse(plain: str, count: int) -> Layout:
    """``-Tplain``: ``graph scale width height``, ``node name x y w h …`` in inches, y up."""
    x = [0.0] * count
    y = [0.0] * count
    width = height = 0.0
    seen = 0
    for line in plain.splitlines():
        if line.startswith("graph "):
            _, _, w, h = line.split()[:4]
            width, height = float(w) * 72, float(h) * 72
        elif line.startswith("node "):
            _, name, nx, ny = line.split(maxsplit=4)[:4]
            i = int(name[1:])
            x[i], y[i] = round(float(nx) * 72, 1), round(height - float(ny) * 72, 1)
            seen += 1
    if seen != count:
        raise RuntimeError(f"dot placed {seen} of {count} nodes")
    return Layout(tuple(x), tuple(y), round(width, 1), round(height, 1))
