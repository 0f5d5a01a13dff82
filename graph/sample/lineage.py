"""Where the sample's entries come from (DERIVED_FROM) and what they relate to.

Lineage only ever points from a higher tier to a lower one, so it is acyclic by construction:

    county/municipal base & department entries       (tier 0, 1 — the sources)
    provincial base & department entries             (tier 2 — assembled from municipal ones)
    national base & department entries               (tier 3 — assembled from provincial ones)
    theme entries at any level                       (tier 4 — built from base and department
                                                      entries of their own, parent or child
                                                      catalogs: national base feeds provincial
                                                      themes, city departments feed them too)

Every edge stays within one zone. A theme draws on the base libraries and kinds of department
that `THEME_SOURCES` names for it (national 第十条(三): theme libraries built by several
departments).
"""

from __future__ import annotations

from graph.enums import THEMES, ResourceKind
from graph.model import Catalog
from graph.sample.plan import Cell, Plan

__all__ = ["DEPARTMENT_THEMES", "THEME_SOURCES", "Sources"]

# theme → (base libraries, kinds of department) it is built from.
THEME_SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "健康保障": (("人口", "电子证照"), ("health", "insurance", "civil")),
    "社会保障": (("人口", "法人单位"), ("labour", "civil", "insurance", "tax")),
    "食品药品安全": (("法人单位", "电子证照", "社会信用"), ("market", "health")),
    "安全生产": (("法人单位", "社会信用"), ("emergency", "housing", "transport", "market")),
    "价格监管": (("法人单位", "社会信用"), ("development", "market")),
    "能源安全": (("法人单位", "自然资源和空间地理"), ("development", "land")),
    "信用体系": (("法人单位", "社会信用"), ("development", "market", "tax", "environment")),
    "城乡建设": (
        ("自然资源和空间地理", "法人单位", "电子证照"),
        ("housing", "land", "development"),
    ),
    "社区治理": (("人口", "自然资源和空间地理"), ("civil", "police")),
    "生态环保": (("自然资源和空间地理", "法人单位"), ("environment", "land")),
    "应急维稳": (("人口", "自然资源和空间地理"), ("emergency", "police")),
    "公共服务": (("人口", "法人单位", "电子证照"), ("data", "education", "transport")),
}
assert tuple(THEME_SOURCES) == THEMES

# kind of department → the themes its own entries may be tagged with.
DEPARTMENT_THEMES: dict[str, tuple[str, ...]] = {}
for _theme, (_, _kinds) in THEME_SOURCES.items():
    for _kind in _kinds:
        DEPARTMENT_THEMES.setdefault(_kind, ())
        DEPARTMENT_THEMES[_kind] += (_theme,)


class Sources:
    """The non-empty cells an entry of a given cell may derive from or relate to."""

    def __init__(self, plan: Plan, catalogs: list[Catalog]) -> None:
        index = {catalog.id: c for c, catalog in enumerate(catalogs)}
        self._children: list[list[int]] = [[] for _ in catalogs]
        for c, catalog in enumerate(catalogs):
            if catalog.parent_id is not None and catalog.parent_id in index:
                self._children[index[catalog.parent_id]].append(c)
        self._ancestors: list[list[int]] = []
        for catalog in catalogs:
            chain, parent = [], catalog.parent_id
            while parent is not None and parent in index:
                chain.append(index[parent])
                parent = catalogs[index[parent]].parent_id
            self._ancestors.append(chain)
        self._by_group: dict[tuple[int, str], list[Cell]] = {}
        self._by_leaf: dict[tuple[int, str], list[Cell]] = {}
        for cell in plan.cells:
            if cell.count:
                self._by_group.setdefault((cell.catalog, cell.leaf.group), []).append(cell)
                self._by_leaf.setdefault((cell.catalog, cell.leaf.code), []).append(cell)
        self._themes: dict[tuple[int, str], list[Cell]] = {}
        self._assembled: dict[tuple[int, str], list[Cell]] = {}

    def assembled_from(self, cell: Cell) -> list[Cell]:
        """Cells of the same 细目 in the catalogs directly below (a province's cities)."""
        key = (cell.catalog, cell.leaf.code)
        if key not in self._assembled:
            self._assembled[key] = [
                source
                for child in self._children[cell.catalog]
                for source in self._by_leaf.get((child, cell.leaf.code), ())
            ]
        return self._assembled[key]

    def theme_sources(self, cell: Cell) -> list[Cell]:
        """Base and department cells a theme entry is built from, in its own catalog, the
        catalogs above it and those directly below."""
        key = (cell.catalog, cell.leaf.group)
        if key not in self._themes:
            libraries, kinds = THEME_SOURCES[cell.leaf.group]
            near = [cell.catalog, *self._ancestors[cell.catalog], *self._children[cell.catalog]]
            self._themes[key] = [
                source
                for c in near
                for group in (*libraries, *kinds)
                for source in self._by_group.get((c, group), ())
                if source.leaf.kind is not ResourceKind.THEME
            ]
        return self._themes[key]

    def related(self, cell: Cell) -> list[Cell]:
        """Cells of the same catalog and group (项): entries on the same subject."""
        return self._by_group.get((cell.catalog, cell.leaf.group), [])
