"""The catalog's values in the schema: Resource, DataItem, Department, Theme, Category.

Leaf fields are plain attributes copied from the domain value, under the GraphQL names the
model declares (`graph.fields`; tests/federation/test_fields.py checks that `Resource` and
`DataItem` show exactly those, plus what they compute from an entry); nested fields (provider,
categories, related entries, catalog path) resolve through the request's loaders, so a list of
entries costs one store call per nested kind, never one per entry. `Resource` and `Department`
are Apollo Federation entities keyed by their codes.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime
from enum import StrEnum

import strawberry

from federation.api.catalogs import CatalogNode, catalog_nodes, catalog_path
from federation.api.context import Info
from federation.api.fields import field
from federation.api.references import visible_entries
from federation.api.sharing import (
    AccessDetailsNode,
    DataUpdateNode,
    ObjectionNode,
    access_details,
    last_data_update,
    open_objections,
)
from graph import model
from graph.codes import category_path
from graph.dates import beijing_date
from graph.enums import (
    Classification,
    FormatClass,
    LifecycleState,
    ResourceKind,
    ShareMode,
    ShareType,
    UpdateCycle,
)
from graph.queries import ResourceFilter

__all__ = [
    "Category",
    "CategoryRank",
    "DataItem",
    "Department",
    "LifecycleStep",
    "Resource",
    "Theme",
]


@strawberry.type(description="信息项: one field of a resource (name, data type, length).")
class DataItem:
    name: str
    data_type: str
    length: int | None
    is_base_item: bool
    share_type: ShareType = strawberry.field(
        description="The item's share type: its own, else its resource's."
    )

    @classmethod
    def of(cls, item: model.DataItem, entry: model.Resource) -> DataItem:
        return cls(
            name=item.name,
            data_type=item.data_type,
            length=item.length,
            is_base_item=item.is_base_item,
            share_type=item.share_type or entry.share_type,
        )


@strawberry.type(description="One step of an entry's lifecycle: who moved it into `state`, when.")
class LifecycleStep:
    state: LifecycleState
    actor: str
    at: datetime = strawberry.field(description="The instant, in UTC.")
    note: str | None

    @field("The Beijing (Asia/Shanghai) date of `at`: the day the regulations count.")
    def day(self) -> date:
        return beijing_date(self.at)


@strawberry.enum(description="The tiers of the resource classification: 类 / 项 / 目 / 细目.")
class CategoryRank(StrEnum):
    CLASS = "CLASS"
    ITEM = "ITEM"
    CATALOG = "CATALOG"
    DETAIL = "DETAIL"


# Counts shown on departments and themes are of published entries, within the caller's limits.
_PUBLISHED = ResourceFilter()
_RANKS = {1: CategoryRank.CLASS, 3: CategoryRank.ITEM, 6: CategoryRank.CATALOG}


def _rank(code: str) -> CategoryRank:
    """类 has 1 digit, 项 3, 目 6; anything longer is a 细目."""
    return _RANKS.get(len(code), CategoryRank.DETAIL)


@strawberry.type(
    description="资源分类: a node of the 类/项/目/细目 tree, keyed by its code prefix."
)
class Category:
    code: str
    name: str | None = strawberry.field(
        description="null when this catalog has not named the node."
    )
    rank: CategoryRank


@strawberry.type(description="主题: a theme resources are about, with its published entries.")
class Theme:
    name: str

    @field("Published entries about this theme that the caller may see.")
    async def resource_count(self, info: Info) -> int:
        facets = await info.context.loaders.counts(info.context.viewer.restrict(_PUBLISHED))
        return next((f.count for f in facets.by_theme if f.key == self.name), 0)


@strawberry.federation.type(
    keys=["code"], description="政务部门: a government body, provider or consumer of resources."
)
class Department:
    code: strawberry.ID = strawberry.federation.field(description="统一社会信用代码 (GB 32100).")
    name: str
    region_code: str
    leads: list[str] = strawberry.field(
        description="The base libraries and themes it is 牵头部门 of."
    )

    @classmethod
    def of(cls, department: model.Department) -> Department:
        return cls(
            code=strawberry.ID(department.code),
            name=department.name,
            region_code=department.region_code,
            leads=sorted(department.leads),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, code: strawberry.ID) -> Department | None:
        found = await info.context.loaders.departments.load(str(code))
        return cls.of(found) if found else None

    @field("Published entries it provides that the caller may see.")
    async def resource_count(self, info: Info) -> int:
        facets = await info.context.loaders.counts(info.context.viewer.restrict(_PUBLISHED))
        return next((f.count for f in facets.by_provider if f.key == self.code), 0)


@strawberry.federation.type(
    keys=["code"], description="政务信息资源: one catalog entry, with the 1272 guide's elements."
)
class Resource:
    code: strawberry.ID = strawberry.federation.field(
        description="资源代码 前段码/后段码, e.g. 301001001/000001: the key across all levels."
    )
    name: str
    summary: str
    kind: ResourceKind
    format_class: FormatClass
    format_type: str
    share_type: ShareType
    share_condition: str | None
    legal_basis: str | None = strawberry.field(description="不予共享依据, for a NONE entry.")
    share_modes: list[ShareMode]
    open_to_public: bool
    open_condition: str | None
    update_cycle: UpdateCycle
    classification: Classification | None
    published_on: date | None = strawberry.field(
        description="The Beijing (Asia/Shanghai) date of publication."
    )
    state: LifecycleState
    version: int
    origin: str = strawberry.field(description="The id of the catalog that owns the entry.")
    updated_at: datetime | None
    provider_code: str
    provider_name: str

    # Items and history are made when asked for: a search page need not copy every item.
    @field("信息项: the entry's fields, in order.")
    def items(self) -> list[DataItem]:
        return [DataItem.of(item, self.entry) for item in self.entry.items]

    @field(
        "相关资源代码: the codes of the related entries held here that the caller may see "
        "(a code naming an entry not held here, or hidden from the caller, is left out)."
    )
    async def related_codes(self, info: Info) -> list[str]:
        return [e.code for e in await _related(info, self.entry)]

    @field("The entry's lifecycle, oldest step first.")
    def history(self) -> list[LifecycleStep]:
        return [
            LifecycleStep(state=s.state, actor=s.actor, at=s.at, note=s.note)
            for s in self.entry.history
        ]

    entry: strawberry.Private[model.Resource]

    @classmethod
    def of(cls, entry: model.Resource) -> Resource:
        return cls(
            code=strawberry.ID(entry.code),
            name=entry.name,
            summary=entry.summary,
            kind=entry.kind,
            format_class=entry.format_class,
            format_type=entry.format_type,
            share_type=entry.share_type,
            share_condition=entry.share_condition,
            legal_basis=entry.legal_basis,
            share_modes=sorted(entry.share_modes),
            open_to_public=entry.open_to_public,
            open_condition=entry.open_condition,
            update_cycle=entry.update_cycle,
            classification=entry.classification,
            published_on=entry.published_on,
            state=entry.state,
            version=entry.version,
            origin=entry.origin,
            updated_at=entry.updated_at,
            provider_code=entry.provider_code,
            provider_name=entry.provider_name,
            entry=entry,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, code: strawberry.ID) -> Resource | None:
        return await load_resource(info, str(code))

    @field("提供部门: the department that provides (and answers for) the entry.", Department)
    def provider(self, info: Info) -> Department | Awaitable[Department]:
        # A department the instance keeps is answered at once: a page of twenty entries then
        # costs no coroutine, loader or task per entry, only when one must be read.
        kept = info.context.loaders.reference.kept_department(self.entry.provider_code)
        return Department.of(kept) if kept is not None else self._provider(info)

    async def _provider(self, info: Info) -> Department:
        found = await info.context.loaders.departments.load(self.entry.provider_code)
        if found is None:  # not registered here (a copy from elsewhere): what the entry says
            found = model.Department(
                self.entry.provider_code, self.entry.provider_name, self.entry.provider_code[2:8]
            )
        return Department.of(found)

    @field("主题: the themes the entry is about.")
    def themes(self) -> list[Theme]:
        return [Theme(name=name) for name in sorted(self.entry.themes)]

    @field("The 类/项/目/细目 path the entry is filed under, from 类 down.")
    async def categories(self, info: Info) -> list[Category]:
        codes = category_path(self.entry.category_code)
        found = await info.context.loaders.categories.load_many(codes)
        return [
            Category(code=code, name=c.name if c else None, rank=_rank(code))
            for code, c in zip(codes, found, strict=True)
        ]

    @field("The catalog that owns the entry.")
    async def catalog(self, info: Info) -> CatalogNode | None:
        found = await catalog_nodes(info, [self.entry.origin])
        return found[0] if found else None

    @field("The owning catalog and those above it: municipal → provincial → national.")
    async def catalog_path(self, info: Info) -> list[CatalogNode]:
        return await catalog_path(info, self.entry.origin)

    @field("相关资源: the related entries held here that the caller may see.")
    async def related(self, info: Info) -> list[Resource]:
        return [Resource.of(e) for e in await _related(info, self.entry)]

    @field("疑义/纠错 still open on the entry (held at its origin), oldest first.")
    async def open_objections(self, info: Info) -> list[ObjectionNode]:
        return await open_objections(info, self.entry.code)

    @field(
        "数据更新: the last day the provider says the data was brought up to date (held at the "
        "entry's origin: null on a copy, and where none was recorded)."
    )
    async def last_data_update(self, info: Info) -> DataUpdateNode | None:
        return await last_data_update(info, self.entry.code, self.entry.origin)

    @field(
        "数据挂接: how the data is reached, as the share type shows it — UNCONDITIONAL to any "
        "department, CONDITIONAL to its provider and an approved requester, NONE never; null "
        "otherwise (and where the entry is a copy: its origin holds them)."
    )
    async def access_details(self, info: Info) -> AccessDetailsNode | None:
        return await access_details(info, self.entry.code, self.entry.origin)


async def _related(info: Info, entry: model.Resource) -> list[model.Resource]:
    """The entries `entry` relates to that are held here and visible to the caller."""
    return await visible_entries(info.context.loaders, info.context.viewer, entry.related_codes)


async def load_resource(info: Info, code: str) -> Resource | None:
    """The entry `code` when it is held here and the caller may see it; else None."""
    found = await info.context.loaders.resources.load(code)
    if found is None or not info.context.viewer.can_see(found):
        return None
    return Resource.of(found)
