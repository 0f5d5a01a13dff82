"""一数一源 in the schema (graph.onesource): the data items more than one department collects,
among the entries the caller may list (`Viewer.restrict`), each with the one source the base
libraries name."""

from __future__ import annotations

import strawberry

from federation.api.context import Info
from graph import ResourceFilter
from graph.onesource import CollectedItem, collected_items

__all__ = ["CollectedItemNode", "ItemProvider", "one_source"]

MAX_ITEMS = 500


@strawberry.type(description="A department collecting the item, and its entries listing it.")
class ItemProvider:
    department_code: str
    codes: list[str]


@strawberry.type(description="一数一源: an item (name, data type) several departments collect.")
class CollectedItemNode:
    name: str
    data_type: str
    providers: list[ItemProvider]
    sources: list[str] = strawberry.field(
        description="the one source (数源部门) the base libraries name; none, or several, to settle"
    )
    has_one_source: bool

    @staticmethod
    def of(item: CollectedItem) -> CollectedItemNode:
        return CollectedItemNode(
            name=item.name,
            data_type=item.data_type,
            providers=[
                ItemProvider(department_code=p, codes=list(c)) for p, c in item.providers.items()
            ],
            sources=list(item.sources),
            has_one_source=item.has_one_source,
        )


async def one_source(info: Info, first: int) -> list[CollectedItemNode]:
    where = info.context.viewer.restrict(ResourceFilter())
    found = await collected_items(info.context.store, where)
    return [CollectedItemNode.of(item) for item in found[: max(0, min(first, MAX_ITEMS))]]
