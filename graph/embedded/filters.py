"""A `ResourceFilter` as an SQL condition over the ``resources`` table (aliased ``r``).

A region selects the catalogs of that region and every region under it: GB/T 2260 codes nest
by prefix (51 四川 ⊃ 5101 成都 ⊃ 510104 锦江区), so it is a prefix test on the catalog's region.
"""

from __future__ import annotations

from graph.codes import NATION, category_prefix, check_region_code, region_level
from graph.enums import Level
from graph.queries import ResourceFilter

__all__ = ["Condition", "where_clause"]

Condition = tuple[str, list[object]]

_REGION_PREFIX = {Level.PROVINCIAL: 2, Level.MUNICIPAL: 4, Level.COUNTY: 6}


def _within(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join('?' * len(values))})"


def where_clause(where: ResourceFilter) -> Condition:
    """``(sql, params)``: an SQL condition true of the entries `where` selects."""
    parts: list[str] = []
    params: list[object] = []

    def add(sql: str, *values: object) -> None:
        parts.append(sql)
        params.extend(values)

    if where.states:
        states = sorted(s.value for s in where.states)
        add(_within("r.state", states), *states)
    if where.levels:
        levels = sorted(level.value for level in where.levels)
        add(_within("r.level", levels), *levels)
    if where.region_code is not None:
        region = check_region_code(where.region_code, "region_code")
        if region != NATION:
            # A range over the six-digit codes under the prefix, which an index can serve
            # (LIKE is case-insensitive in SQLite and so cannot use one).
            prefix = region[: _REGION_PREFIX[region_level(region)]]
            add("r.catalog_region BETWEEN ? AND ?", prefix.ljust(6, "0"), prefix.ljust(6, "9"))
    if where.catalog_id is not None:
        add("r.catalog_id = ?", where.catalog_id)
    if where.category is not None:
        # The codes that start with the prefix, as a range the primary key's index serves.
        prefix = category_prefix(where.category)
        add("r.code >= ? AND r.code < ?", prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1))
    if where.provider_code is not None:
        add("r.provider_code = ?", where.provider_code.strip().upper())
    if where.theme is not None:
        add(
            "EXISTS (SELECT 1 FROM resource_themes t WHERE t.resource_code = r.code "
            "AND t.theme = ?)",
            where.theme,
        )
    if where.kinds:
        kinds = sorted(k.value for k in where.kinds)
        add(_within("r.kind", kinds), *kinds)
    if where.share_types:
        share_types = sorted(s.value for s in where.share_types)
        add(_within("r.share_type", share_types), *share_types)
    if where.share_mode is not None:
        add(
            "EXISTS (SELECT 1 FROM resource_share_modes m WHERE m.resource_code = r.code "
            "AND m.share_mode = ?)",
            where.share_mode.value,
        )
    if where.open_to_public is not None:
        add("r.open_to_public = ?", int(where.open_to_public))
    if where.update_cycles:
        cycles = sorted(c.value for c in where.update_cycles)
        add(_within("r.update_cycle", cycles), *cycles)
    return (" AND ".join(parts) or "1", params)
