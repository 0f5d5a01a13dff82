"""Facets: how many of the selected entries each provider, theme, share type, share mode,
update cycle, level, kind and category has, and how many are open to the public."""

from __future__ import annotations

import strawberry

from graph import queries

__all__ = ["FacetCount", "Facets"]


@strawberry.type
class FacetCount:
    key: str
    label: str
    count: int


@strawberry.type(description="Counts of the entries a filter (and search) selects.")
class Facets:
    by_provider: list[FacetCount]
    by_theme: list[FacetCount]
    by_share_type: list[FacetCount]
    by_share_mode: list[FacetCount] = strawberry.field(
        description="By share mode: an entry with several counts in each."
    )
    by_update_cycle: list[FacetCount]
    by_open_to_public: list[FacetCount] = strawberry.field(
        description="Keys `true` and `false`: whether the entry is open to the public."
    )
    by_level: list[FacetCount] = strawberry.field(
        description="By the level of the catalog the entry is listed in."
    )
    by_kind: list[FacetCount]
    by_category: list[FacetCount] = strawberry.field(
        description="By the categories one rank below the filter's `category` (类 without one: "
        "项 under a 类, 目 under a 项, then each entry's whole 前段码), labelled with their names."
    )

    @classmethod
    def of(cls, facets: queries.Facets) -> Facets:
        def counts(rows: tuple[queries.FacetCount, ...]) -> list[FacetCount]:
            return [FacetCount(key=r.key, label=r.label, count=r.count) for r in rows]

        return cls(
            by_provider=counts(facets.by_provider),
            by_theme=counts(facets.by_theme),
            by_share_type=counts(facets.by_share_type),
            by_share_mode=counts(facets.by_share_mode),
            by_update_cycle=counts(facets.by_update_cycle),
            by_open_to_public=counts(facets.by_open_to_public),
            by_level=counts(facets.by_level),
            by_kind=counts(facets.by_kind),
            by_category=counts(facets.by_category),
        )
