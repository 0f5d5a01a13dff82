"""How many entries each (catalog, 细目, provider) cell of the sample holds, and their codes.

The plan is small (a few thousand cells whatever the size) and makes every entry addressable by
its index: the cell it falls in, its rank there, and so its resource code — without generating
any other entry. Cells are laid out catalog by catalog, so a catalog's entries are one range.

Sizes follow weights: cities and provinces hold most entries, counties least; within a catalog,
10% of the weight goes to base, 15% to theme and 75% to department cells. The back part of a
code is the entry's sequence number within its 细目 across the whole sample, so codes are unique.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass

from graph.enums import Level, ResourceKind, Zone
from graph.model import Catalog
from graph.sample.categories import LEAVES, Leaf

__all__ = ["KIND_SHARES", "MAX_SIZE", "Cell", "Plan"]

KIND_SHARES = {ResourceKind.BASE: 0.10, ResourceKind.THEME: 0.15, ResourceKind.DEPARTMENT: 0.75}

# The six-digit back part numbers at most 999,999 entries per 细目; this leaves ample room.
MAX_SIZE = 10_000_000

_ZONE_WEIGHT = {Zone.INTRANET: 0.45, Zone.EXTRANET: 0.55}
_LEVEL_WEIGHT = {
    Level.NATIONAL: 5.0,
    Level.PROVINCIAL: 8.0,
    Level.MUNICIPAL: 7.0,
    Level.COUNTY: 2.0,
}
_CAPITALS = frozenset({"330100", "410100", "440100", "510100", "530100"})


@dataclass(frozen=True, slots=True)
class Cell:
    """The entries of one catalog filed under one 细目 by one kind of provider.

    Entry `start + r` (r < `count`) of the sample has the code ``{leaf.code}/{seq_start + r + 1}``.
    """

    catalog: int
    leaf: Leaf
    provider: str
    start: int
    count: int
    seq_start: int
    stems: tuple[str, ...]

    def code(self, rank: int) -> str:
        return f"{self.leaf.code}/{self.seq_start + rank + 1:06d}"


class Plan:
    """The cells of a sample of `size` entries; `seed` jitters the weights."""

    def __init__(self, catalogs: list[Catalog], size: int, seed: int) -> None:
        if not 0 <= size <= MAX_SIZE:
            raise ValueError(f"a sample size from 0 to {MAX_SIZE}, got {size}")
        self.size = size
        rng = random.Random(f"plan:{seed}")
        shapes: list[tuple[int, Leaf, str, float]] = []
        for c, catalog in enumerate(catalogs):
            weight = _catalog_weight(catalog)
            for kind, share in KIND_SHARES.items():
                cells = [(leaf, p) for leaf in LEAVES if leaf.kind is kind for p in leaf.providers]
                jitters = [rng.uniform(0.4, 1.6) for _ in cells]
                total = sum(jitters)
                for (leaf, provider), jitter in zip(cells, jitters, strict=True):
                    shapes.append((c, leaf, provider, weight * share * jitter / total))
        counts = _systematic([s[3] for s in shapes], size, rng.random())
        shapes_counts = sorted(
            zip(shapes, counts, strict=True), key=lambda sc: (sc[0][0], sc[0][1].code, sc[0][2])
        )
        self.cells: list[Cell] = []
        next_seq: dict[str, int] = {}
        start = 0
        for (c, leaf, provider, _), count in shapes_counts:
            seq = next_seq.get(leaf.code, 0)
            stems = leaf.stems_for(provider)
            self.cells.append(Cell(c, leaf, provider, start, count, seq, stems))
            next_seq[leaf.code] = seq + count
            start += count
        if next_seq and max(next_seq.values()) > 999_999:
            raise ValueError(f"size {size} overflows the six-digit sequence of a 细目")
        self._starts = [cell.start for cell in self.cells]
        # Entries of catalog c are the range catalog_ranges[c] (cells are catalog-major).
        bounds: dict[int, tuple[int, int]] = {}
        for cell in self.cells:
            first = bounds.get(cell.catalog, (cell.start, 0))[0]
            bounds[cell.catalog] = (first, cell.start + cell.count)
        self.catalog_ranges = [bounds.get(c, (0, 0)) for c in range(len(catalogs))]

    def cell_of(self, index: int) -> Cell:
        """The cell holding entry `index` (empty cells hold none, so they are never returned)."""
        if not 0 <= index < self.size:
            raise IndexError(f"entry {index} of a sample of {self.size}")
        return self.cells[bisect.bisect_right(self._starts, index) - 1]

    def code_of(self, index: int) -> str:
        cell = self.cell_of(index)
        return cell.code(index - cell.start)


def _catalog_weight(catalog: Catalog) -> float:
    weight = _LEVEL_WEIGHT[catalog.level] * _ZONE_WEIGHT[catalog.zone]
    if catalog.region_code in _CAPITALS:
        weight *= 1.5
    return weight


def _systematic(weights: list[float], size: int, offset: float) -> list[int]:
    """Whole counts proportional to `weights` that add up to `size` exactly.

    Systematic allocation: each count is the floor or the ceiling of its exact share, and so is
    the total of every run of consecutive weights — so a catalog's kinds keep their proportions
    even when the sample has fewer entries than cells.
    """
    total = sum(weights)
    bounds, running = [0], 0.0
    for weight in weights[:-1]:
        running += weight
        bounds.append(int(running * size / total + offset))
    bounds.append(size)
    return [b - a for a, b in itertools.pairwise(bounds)]
