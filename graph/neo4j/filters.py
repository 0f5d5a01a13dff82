"""A `ResourceFilter` as a Cypher condition over ``r``, made only of the constant fragments in
`graph.neo4j.cypher.finding` and parameters.

A region selects the catalogs of that region and every region under it: GB/T 2260 codes nest
by prefix (51 四川 ⊃ 5101 成都 ⊃ 510104 锦江区), so it is a ``STARTS WITH`` on the region of
the entry's catalog, which the range index on ``region_code`` answers.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from graph.codes import NATION, category_prefix, check_region_code, region_level
from graph.enums import Level, LifecycleState
from graph.neo4j.cypher.finding import (
    WHERE_CATALOG,
    WHERE_CATEGORY,
    WHERE_CODED,
    WHERE_KINDS,
    WHERE_LEVELS,
    WHERE_LISTED,
    WHERE_OPEN,
    WHERE_PROVIDER,
    WHERE_PUBLISHED,
    WHERE_REGION,
    WHERE_SHARE_MODE,
    WHERE_SHARE_TYPES,
    WHERE_STATES,
    WHERE_THEME,
    WHERE_UPDATE_CYCLES,
)
from graph.queries import ResourceFilter

__all__ = ["Condition", "condition"]

Condition = tuple[list[str], dict[str, Any]]

_REGION_PREFIX = {Level.PROVINCIAL: 2, Level.MUNICIPAL: 4, Level.COUNTY: 6}


def _values(chosen: frozenset[StrEnum]) -> list[str]:
    return sorted(value.value for value in chosen)


def condition(
    where: ResourceFilter, theme_matched: bool = False, searching: bool = False
) -> Condition:
    """``(fragments, params)``: the entries `where` selects are those all fragments hold of.
    Placeholders never satisfy them. With `theme_matched` the theme is left to the MATCH
    pattern (``$theme`` is still set), which lets the planner start from the theme's node;
    `searching` says the condition filters full-text hits."""
    parts: list[str] = []
    params: dict[str, Any] = {}

    def add(fragment: str, **values: Any) -> None:
        parts.append(fragment)
        params.update(values)

    if where.levels:
        add(WHERE_LEVELS, levels=_values(where.levels))
    if where.region_code is not None:
        region = check_region_code(where.region_code, "region_code")
        if region != NATION:
            prefix = region[: _REGION_PREFIX[region_level(region)]]
            add(WHERE_REGION, region_prefix=prefix)
    if where.catalog_id is not None:
        add(WHERE_CATALOG, catalog_id=where.catalog_id)
    if where.category is not None:
        add(WHERE_CATEGORY, category_prefix=category_prefix(where.category))
    if where.provider_code is not None:
        add(WHERE_PROVIDER, provider_code=where.provider_code.strip().upper())
    if where.theme is not None:
        if theme_matched:
            params["theme"] = where.theme
        else:
            add(WHERE_THEME, theme=where.theme)
    if where.kinds:
        add(WHERE_KINDS, kinds=_values(where.kinds))
    if where.share_types:
        add(WHERE_SHARE_TYPES, share_types=_values(where.share_types))
    if where.share_mode is not None:
        add(WHERE_SHARE_MODE, share_mode=where.share_mode.value)
    if where.open_to_public is not None:
        add(WHERE_OPEN, open_to_public=where.open_to_public)
    if where.update_cycles:
        add(WHERE_UPDATE_CYCLES, update_cycles=_values(where.update_cycles))
    if where.states == {LifecycleState.PUBLISHED} and (searching or not parts):
        parts.insert(0, WHERE_PUBLISHED)
    elif where.states:
        add(WHERE_STATES, states=_values(where.states))
        if not searching:  # the (state, …, code) indexes answer it
            add(WHERE_CODED)
    elif not searching:  # full-text hits are entries: a placeholder has no text indexed
        add(WHERE_LISTED)
    return parts, params
