"""How the Neo4j store turns values into query parameters and records back into values.

An entry is kept whole, as JSON, in its node's ``snapshot`` property (what `get` returns, equal
to what `graph.rules.check_resource` returned); the properties beside it exist to filter,
count and walk. ``level`` and ``region_code`` are those of the catalog the entry is listed in.
"""

from __future__ import annotations

import hashlib
from typing import Any

from neo4j import Record

from graph.codes import check_region_code, region_level
from graph.enums import (
    THEMES,
    Zone,
)
from graph.errors import InvalidValue
from graph.model import (
    Catalog,
    Category,
    Department,
    Region,
    Resource,
    parse_catalog_id,
)
from graph.neo4j.search import search_properties
from graph.snapshot import item_to_dict, resource_to_json

__all__ = [
    "catalog_from_record",
    "catalog_row",
    "category_row",
    "department_from_record",
    "department_row",
    "origin_catalog_row",
    "region_from_record",
    "region_row",
    "resource_row",
]

Row = dict[str, Any]


def catalog_row(catalog: Catalog) -> Row:
    return {
        "id": catalog.id,
        "region_code": catalog.region_code,
        "zone": catalog.zone.value,
        "name": catalog.name,
        "level": catalog.level.value,
        "parent_id": catalog.parent_id,
    }


def resource_row(entry: Resource) -> Row:
    """Parameters of `UPSERT_RESOURCES` for a checked entry whose origin is a valid catalog id."""
    region, _zone = parse_catalog_id(entry.origin)
    # A department registered locally carries its region in characters 3–8 of its code.
    provider_region = entry.provider_code[2:8]
    try:
        check_region_code(provider_region)
    except InvalidValue:
        provider_region = region
    category = Category(entry.category_code, "")
    items = [{**item_to_dict(item), "position": i} for i, item in enumerate(entry.items)]
    derived_from = list(entry.derived_from)
    return {
        "code": entry.code,
        "props": {
            "code": entry.code,
            "version": entry.version,
            "name": entry.name,
            "summary": entry.summary,
            "provider_code": entry.provider_code,
            "kind": entry.kind.value,
            "share_type": entry.share_type.value,
            "share_modes": sorted(mode.value for mode in entry.share_modes),
            "themes": sorted(entry.themes),
            "update_cycle": entry.update_cycle.value,
            "open_to_public": entry.open_to_public,
            "classification": entry.classification.value if entry.classification else None,
            "state": entry.state.value,
            "catalog_id": entry.origin,
            "region_code": region,
            "level": region_level(region).value,
            "snapshot": resource_to_json(entry),
            # What `UPSERT_RESOURCES` compares to leave unchanged edges and items alone.
            "category_code": category.code,
            "derived_from": derived_from,
            "items_digest": _digest(items),
            # Who names an entry is found through this (cypher.writes.REFERRERS).
            "related_text": "|" + "|".join(entry.related_codes) + "|"
            if entry.related_codes
            else None,
            # What search finds it by (graph.search.text, graph.neo4j.search).
            **search_properties(entry),
        },
        "catalog_id": entry.origin,
        "provider": {
            "code": entry.provider_code,
            "name": entry.provider_name,
            "region_code": provider_region,
        },
        "category": {"code": category.code, "parent_code": category.parent_code},
        "themes": sorted(entry.themes),
        "items": items,
        "derived_from": derived_from,
    }


def _digest(items: list[Row]) -> str:
    """A short fingerprint of an entry's items: equal items, equal fingerprint. The rows hold
    text, whole numbers, booleans and None, keyed in `item_to_dict`'s order, so their `repr`
    is the same in every process (a changed order would only replace items once more)."""
    return hashlib.blake2b(repr(items).encode(), digest_size=12).hexdigest()


def origin_catalog_row(catalog_id: str) -> Row:
    """A catalog known only by the id an entry names as its origin, named by that id."""
    region, zone = parse_catalog_id(catalog_id)
    return catalog_row(Catalog(region, zone, catalog_id))


def region_row(region: Region) -> Row:
    return {"code": region.code, "name": region.name, "parent_code": region.parent_code}


def department_row(department: Department) -> Row:
    leads = sorted(department.leads)
    return {
        "code": department.code,
        "name": department.name,
        "region_code": department.region_code,
        "leads": leads,
        "led_themes": [name for name in leads if name in THEMES],
    }


def category_row(category: Category) -> Row:
    return {"code": category.code, "name": category.name, "parent_code": category.parent_code}


def catalog_from_record(record: Record) -> Catalog:
    return Catalog(record["region_code"], Zone(record["zone"]), record["name"], record["parent_id"])


def department_from_record(record: Record) -> Department:
    return Department(
        record["code"], record["name"], record["region_code"], frozenset(record["leads"] or ())
    )


def region_from_record(record: Record) -> Region:
    return Region(record["code"], record["name"], record["parent_code"])
