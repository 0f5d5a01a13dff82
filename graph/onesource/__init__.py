"""一数一源 (one data, one source): the data items more than one department collects.

A data item (信息项) means the same thing across providers when its name and data type are the
same — 公民身份号码/字符型, 统一社会信用代码/字符型. Where several departments list such an item,
the catalog shows it once with every department that collects it and with its one source
(数源部门): the provider of a base resource (基础信息资源, 类 1) that lists it as a base item —
the base libraries name their items' source (national 第十条(二); Sichuan 第十六、二十条). An
item no base library lists has no named source: the list says so, and that is what a
coordinating body acts on.

    items = await collected_items(store)
    items[0].item, items[0].providers, items[0].sources
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

from graph.enums import ResourceKind
from graph.model import Resource
from graph.queries import MAX_PAGE_SIZE, ResourceFilter
from graph.store import CatalogStore

__all__ = ["CollectedItem", "collected_items", "one_source"]


@dataclass(frozen=True, slots=True)
class CollectedItem:
    """One data item (name, data type) collected by more than one department: each
    department's code with its entries listing the item, and the one source the base
    libraries name (several when base resources disagree; none when none lists it)."""

    name: str
    data_type: str
    providers: dict[str, tuple[str, ...]] = field(hash=False)
    sources: tuple[str, ...]

    @property
    def has_one_source(self) -> bool:
        return len(self.sources) == 1


class _Tally:
    """The providers and base-library sources of every item, entry by entry (the entries
    themselves are not kept)."""

    def __init__(self) -> None:
        self.providers: dict[tuple[str, str], dict[str, list[str]]] = {}
        self.sources: dict[tuple[str, str], set[str]] = {}

    def add(self, entry: Resource) -> None:
        base = entry.kind is ResourceKind.BASE
        for item in entry.items:
            key = (item.name, item.data_type)
            by = self.providers.setdefault(key, {})
            by.setdefault(entry.provider_code, []).append(entry.code)
            if base and item.is_base_item:
                self.sources.setdefault(key, set()).add(entry.provider_code)

    def items(self) -> list[CollectedItem]:
        found = [
            CollectedItem(
                name,
                data_type,
                {p: tuple(sorted(codes)) for p, codes in sorted(by.items())},
                tuple(sorted(self.sources.get((name, data_type), ()))),
            )
            for (name, data_type), by in self.providers.items()
            if len(by) > 1
        ]
        return sorted(found, key=lambda i: (-len(i.providers), i.name, i.data_type))


def one_source(entries: Iterable[Resource]) -> list[CollectedItem]:
    """The items of `entries` listed by more than one providing department, most widely
    collected first, then by name."""
    tally = _Tally()
    for entry in entries:
        tally.add(entry)
    return tally.items()


async def _published(store: CatalogStore, where: ResourceFilter) -> AsyncIterator[Resource]:
    after: str | None = None
    while True:
        page = await store.find(where, first=MAX_PAGE_SIZE, after=after)
        for entry in page.items:
            yield entry
        if not page.has_next_page:
            return
        after = page.end_cursor


async def collected_items(
    store: CatalogStore, where: ResourceFilter | None = None
) -> list[CollectedItem]:
    """`one_source` over the entries `where` selects (default: the published ones), read a
    page at a time."""
    tally = _Tally()
    async for entry in _published(store, where or ResourceFilter()):
        tally.add(entry)
    return tally.items()
