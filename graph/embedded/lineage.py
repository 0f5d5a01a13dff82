"""Lineage: the entries an entry is derived from (upstream) or that are derived from it
(downstream), walked breadth-first to a bounded depth with a recursive CTE.

Each code is reached once, at its shortest distance, so cycles and diamonds end. The walk
returns every edge it followed from a node nearer than the bound, and says it was truncated when
a node at the bound has an edge of its own in the walked direction.

The `lineage` table keeps the sources an entry names whether or not they are held here; the walk
follows an edge only to an entry held here, and starts only from one, so a code that is not held
(another level's, or one redacted since) is never reached, nor counts towards `truncated`.
"""

from __future__ import annotations

import sqlite3

from graph.codes import check_resource_code
from graph.model import Resource
from graph.queries import Direction, Lineage, LineageEdge, check_depth
from graph.snapshot import resource_from_json

__all__ = ["lineage"]

# (from, to) column pairs of the lineage table for one step in a direction.
_STEP = {
    Direction.UPSTREAM: ("derived_code", "source_code"),
    Direction.DOWNSTREAM: ("source_code", "derived_code"),
}

# Shortest distances from the root, up to ? hops. UNION (not UNION ALL) on (code, distance)
# keeps the work finite on cycles; the outer MIN picks each code's shortest distance.
_WALK = (
    "WITH RECURSIVE walk (code, distance) AS ("
    " SELECT code, 0 FROM resources WHERE code = ?"
    " UNION"
    " SELECT l.{to}, w.distance + 1 FROM walk w JOIN lineage l ON l.{start} = w.code"
    " JOIN resources held ON held.code = l.{to}"
    " WHERE w.distance < ?"
    ")"
    " SELECT code, min(distance) FROM walk GROUP BY code"
)

# The held entries one step from a node.
_NEIGHBOURS = (
    "SELECT l.{to} FROM lineage l JOIN resources held ON held.code = l.{to} WHERE l.{start} = ?"
)


def _walk(
    sqlite: sqlite3.Connection, code: str, direction: Direction, depth: int
) -> tuple[dict[str, int], set[LineageEdge], bool]:
    start, to = _STEP[direction]
    distances = {
        str(c): int(d)
        for c, d in sqlite.execute(_WALK.format(start=start, to=to), (code, depth)).fetchall()
    }
    edges: set[LineageEdge] = set()
    truncated = False
    for node, distance in distances.items():
        neighbours = [
            str(n) for (n,) in sqlite.execute(_NEIGHBOURS.format(start=start, to=to), (node,))
        ]
        if distance == depth:
            truncated = truncated or bool(neighbours)
            continue
        for neighbour in neighbours:
            if direction is Direction.UPSTREAM:
                edges.add(LineageEdge(derived=node, source=neighbour))
            else:
                edges.add(LineageEdge(derived=neighbour, source=node))
    return distances, edges, truncated


def lineage(sqlite: sqlite3.Connection, code: str, direction: Direction, depth: int) -> Lineage:
    code = check_resource_code(code)
    depth = check_depth(depth)
    walks = (
        [Direction.UPSTREAM, Direction.DOWNSTREAM] if direction is Direction.BOTH else [direction]
    )
    codes = {code}  # the root, held here or not
    edges: set[LineageEdge] = set()
    truncated = False
    for walked in walks:
        reached, followed, stopped = _walk(sqlite, code, walked, depth)
        codes.update(reached)
        edges.update(followed)
        truncated = truncated or stopped
    held = _held(sqlite, sorted(codes))
    return Lineage(
        root=code,
        nodes={c: held.get(c) for c in sorted(codes)},
        edges=tuple(sorted(edges, key=lambda e: (e.derived, e.source))),
        truncated=truncated,
    )


def _held(sqlite: sqlite3.Connection, codes: list[str]) -> dict[str, Resource]:
    found: dict[str, Resource] = {}
    # SQLite binds at most 32766 parameters; chunk well below that.
    for i in range(0, len(codes), 500):
        chunk = codes[i : i + 500]
        rows = sqlite.execute(
            f"SELECT code, snapshot FROM resources WHERE code IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        found.update((str(c), resource_from_json(s)) for c, s in rows)
    return found
