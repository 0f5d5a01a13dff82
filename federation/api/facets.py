"""Facets: how many of the selected entries each provider, theme and share type has."""

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

    @classmethod
    def of(cls, facets: queries.Facets) -> Facets:
        def counts(rows: tuple[queries.FacetCount, ...]) -> list[FacetCount]:
            return [FacetCount(key=r.key, label=r.label, count=r.count) for r in rows]

        return cls(
            by_provider=counts(facets.by_provider),
            by_theme=counts(facets.by_theme),
            by_share_type=counts(facets.by_share_type),
        )
