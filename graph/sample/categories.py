"""The sample's 类/项/目/细目 tree, and what each 细目 (leaf) holds.

类 1 基础信息资源 has a 项 per base library (101 人口 … 105 电子证照, in `BASE_LIBRARIES` order),
类 2 主题信息资源 a 项 per theme (201 健康保障 …, in `THEMES` order), 类 3 部门信息资源 a 项 per
kind of department (301 公安 …, in `DEPARTMENT_KINDS` order). Every 目 and 细目 is numbered from
001 within its parent (Kunming 第十条). A `Leaf` says which kinds of department provide entries
filed under it, the names those entries take, and the data items they carry.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.enums import BASE_LIBRARIES, THEMES, ResourceKind
from graph.model import Category, DataItem
from graph.sample.departments import DEPARTMENT_KINDS
from graph.sample.items import POOLS, base_item, item
from graph.sample.leaves import LEAF_SPECS

__all__ = ["CLASS_NAMES", "LEAVES", "Leaf", "sample_categories"]

CLASS_NAMES = {"1": "基础信息资源", "2": "主题信息资源", "3": "部门信息资源"}


@dataclass(frozen=True, slots=True)
class Leaf:
    """细目: a leaf of the tree. `group` is its base library, theme or department kind key;
    `items` lists the core items first (`core` of them, always carried), then the optional ones
    of its domains, then (from `common_from` on) those every kind of entry may carry."""

    code: str
    name: str
    group: str
    providers: tuple[str, ...]
    stems: tuple[str, ...]
    items: tuple[DataItem, ...]
    core: int
    common_from: int
    domains: tuple[str, ...]
    kind: ResourceKind

    def stems_for(self, provider: str) -> tuple[str, ...]:
        """The names entries of a `provider` kind take: the unmarked ones and its own."""
        named = (stem.partition("@") for stem in self.stems)
        return tuple(name for name, _, only in named if only in ("", provider))


def _item_code(group: str) -> str:
    if group in BASE_LIBRARIES:
        return f"1{BASE_LIBRARIES.index(group) + 1:02d}"
    if group in THEMES:
        return f"2{THEMES.index(group) + 1:02d}"
    keys = [k.key for k in DEPARTMENT_KINDS]
    return f"3{keys.index(group) + 1:02d}"


def _group_name(group: str) -> str:
    for kind in DEPARTMENT_KINDS:
        if kind.key == group:
            return kind.short
    return group


def _leaf_items(
    core: list[str], domains: list[str], is_base: bool
) -> tuple[tuple[DataItem, ...], int]:
    """The core items, then the domains' items, then the common ones (and where those start)."""
    items = [base_item(n) if is_base else item(n) for n in core]
    seen = set(core)
    common_from = 0
    for domain in (*domains, "common"):
        if domain == "common":
            common_from = len(items)
        for candidate in POOLS[domain]:
            if candidate.name not in seen:
                seen.add(candidate.name)
                items.append(candidate)
    return tuple(items), common_from


def _build() -> tuple[list[Category], list[Leaf]]:
    categories = [Category(digit, name) for digit, name in CLASS_NAMES.items()]
    leaves: list[Leaf] = []
    for group, catalogs in LEAF_SPECS:
        item_code = _item_code(group)
        categories.append(Category(item_code, _group_name(group)))
        for c, (catalog_name, details) in enumerate(catalogs, start=1):
            catalog_code = f"{item_code}{c:03d}"
            categories.append(Category(catalog_code, catalog_name))
            for d, line in enumerate(details, start=1):
                name, providers, domains, core, stems = (p.strip() for p in line.split("|"))
                code = f"{catalog_code}{d:03d}"
                categories.append(Category(code, name))
                items, common_from = _leaf_items(
                    core.split(), domains.split(), is_base=code[0] == "1"
                )
                leaves.append(
                    Leaf(
                        code,
                        name,
                        group,
                        tuple(providers.split()),
                        tuple(stems.split()),
                        items,
                        len(core.split()),
                        common_from,
                        tuple(domains.split()),
                        ResourceKind.from_class_digit(code[0]),
                    )
                )
    categories.sort(key=lambda c: c.code)
    return categories, leaves


_CATEGORIES, _LEAVES = _build()
LEAVES: tuple[Leaf, ...] = tuple(sorted(_LEAVES, key=lambda leaf: leaf.code))


def sample_categories() -> list[Category]:
    """Every node of the tree, ordered by code (so each after its parent)."""
    return list(_CATEGORIES)
