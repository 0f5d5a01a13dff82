"""Inputs: the resource filter of discovery and the draft entry of maintenance.

Each input turns itself into the domain value; codes are checked here so that a malformed
region or provider is refused with the field's GraphQL name before the store is asked.
"""

from __future__ import annotations

import strawberry

from graph import THEMES, InvalidValue, model
from graph.codes import check_category, check_credit_code, check_region_code
from graph.enums import (
    Classification,
    FormatClass,
    Level,
    LifecycleState,
    ResourceKind,
    ShareMode,
    ShareType,
    UpdateCycle,
)
from graph.queries import ResourceFilter

__all__ = ["DataItemInput", "ResourceFilterInput", "ResourceInput"]


@strawberry.input(description="Which entries; a field left out does not filter.")
class ResourceFilterInput:
    level: list[Level] | None = None
    region: str | None = strawberry.field(
        default=None, description="A region code: its catalogs and every catalog under it."
    )
    provider: str | None = strawberry.field(default=None, description="统一社会信用代码.")
    theme: str | None = None
    kind: list[ResourceKind] | None = None
    share_type: list[ShareType] | None = None
    share_mode: ShareMode | None = None
    open_to_public: bool | None = None
    update_cycle: list[UpdateCycle] | None = None
    state: list[LifecycleState] | None = strawberry.field(
        default=None,
        description="PUBLISHED when left out; other states list the caller's own entries only.",
    )
    catalog: str | None = strawberry.field(default=None, description="A catalog id.")
    category: str | None = strawberry.field(
        default=None,
        description="A node of the 类/项/目/细目 tree ('3', '301', '301001', '301001001'): the "
        "entries filed under it.",
    )

    def to_filter(self) -> ResourceFilter:
        if self.theme is not None and self.theme not in THEMES:
            raise InvalidValue("filter.theme", self.theme, "one of " + "、".join(THEMES))
        return ResourceFilter(
            levels=frozenset(self.level or ()),
            region_code=check_region_code(self.region, "filter.region") if self.region else None,
            provider_code=(
                check_credit_code(self.provider, "filter.provider") if self.provider else None
            ),
            theme=self.theme,
            kinds=frozenset(self.kind or ()),
            share_types=frozenset(self.share_type or ()),
            share_mode=self.share_mode,
            open_to_public=self.open_to_public,
            update_cycles=frozenset(self.update_cycle or ()),
            states=frozenset(self.state or (LifecycleState.PUBLISHED,)),
            catalog_id=self.catalog,
            category=check_category(self.category, "filter.category") if self.category else None,
        )


def as_filter(where: ResourceFilterInput | None) -> ResourceFilter:
    return where.to_filter() if where is not None else ResourceFilter()


@strawberry.input(description="信息项: one field of a resource.")
class DataItemInput:
    name: str
    data_type: str
    length: int | None = None
    is_base_item: bool = False
    share_type: ShareType | None = strawberry.field(
        default=None, description="Left out: the item follows its resource."
    )

    def to_item(self) -> model.DataItem:
        return model.DataItem(
            self.name, self.data_type, self.length, self.is_base_item, self.share_type
        )


@strawberry.input(
    description="The content of a draft entry; its code and lifecycle are the service's."
)
class ResourceInput:
    name: str
    summary: str
    format_class: FormatClass
    format_type: str
    share_type: ShareType
    update_cycle: UpdateCycle
    classification: Classification | None = strawberry.field(
        default=None, description="Left out on the intranet: CLASSIFIED (fail closed)."
    )
    provider_name: str | None = strawberry.field(
        default=None, description="Left out: the name registered for the caller's department."
    )
    items: list[DataItemInput] = strawberry.field(default_factory=list)
    share_condition: str | None = None
    legal_basis: str | None = None
    share_modes: list[ShareMode] = strawberry.field(default_factory=list)
    open_to_public: bool = False
    open_condition: str | None = None
    related_codes: list[str] = strawberry.field(default_factory=list)
    derived_from: list[str] = strawberry.field(default_factory=list)
    themes: list[str] = strawberry.field(default_factory=list)

    def to_entry(self, code: str, provider_code: str, provider_name: str) -> model.Resource:
        """The entry `code` as the caller's department (`provider_code`) would provide it;
        for a new entry `code` is the 前段码 it is filed under (`Cataloguing.create`)."""
        return model.Resource(
            code=code,
            name=self.name,
            provider_code=provider_code,
            provider_name=self.provider_name or provider_name,
            summary=self.summary,
            format_class=self.format_class,
            format_type=self.format_type,
            share_type=self.share_type,
            update_cycle=self.update_cycle,
            classification=self.classification,
            items=tuple(i.to_item() for i in self.items),
            share_condition=self.share_condition,
            legal_basis=self.legal_basis,
            share_modes=frozenset(self.share_modes),
            open_to_public=self.open_to_public,
            open_condition=self.open_condition,
            related_codes=tuple(self.related_codes),
            derived_from=tuple(self.derived_from),
            themes=frozenset(self.themes),
        )
