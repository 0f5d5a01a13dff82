"""How the Neo4j store turns values into query parameters and records back into values.

An entry is kept whole, as JSON, in its node's ``snapshot`` property (what `get` returns, equal
to what `graph.rules.check_resource` returned); the properties beside it exist to filter,
count and walk. ``level`` and ``region_code`` are those of the catalog the entry is listed in.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from graph.codes import check_region_code, region_level
from graph.enums import (
    THEMES,
    Classification,
    FormatClass,
    LifecycleState,
    ShareMode,
    ShareType,
    UpdateCycle,
    Zone,
)
from graph.errors import InvalidValue
from graph.model import (
    Catalog,
    Category,
    DataItem,
    Department,
    LifecycleStep,
    Region,
    Resource,
    parse_catalog_id,
)

__all__ = [
    "catalog_from_record",
    "catalog_row",
    "category_row",
    "department_from_record",
    "department_row",
    "origin_catalog_row",
    "region_from_record",
    "region_row",
    "resource_from_json",
    "resource_row",
    "resource_to_json",
]

Row = dict[str, Any]


def _item(item: DataItem) -> Row:
    return {
        "name": item.name,
        "data_type": item.data_type,
        "length": item.length,
        "is_base_item": item.is_base_item,
        "share_type": item.share_type.value if item.share_type else None,
    }


def _step(step: LifecycleStep) -> Row:
    return {
        "state": step.state.value,
        "actor": step.actor,
        "at": step.at.isoformat(),
        "note": step.note,
    }


def resource_to_json(entry: Resource) -> str:
    """The whole entry as JSON; sets are written sorted, so equal entries give equal text."""
    snapshot = {
        "code": entry.code,
        "name": entry.name,
        "provider_code": entry.provider_code,
        "provider_name": entry.provider_name,
        "summary": entry.summary,
        "format_class": entry.format_class.value,
        "format_type": entry.format_type,
        "share_type": entry.share_type.value,
        "update_cycle": entry.update_cycle.value,
        "classification": entry.classification.value if entry.classification else None,
        "items": [_item(item) for item in entry.items],
        "share_condition": entry.share_condition,
        "legal_basis": entry.legal_basis,
        "share_modes": sorted(mode.value for mode in entry.share_modes),
        "open_to_public": entry.open_to_public,
        "open_condition": entry.open_condition,
        "published_on": entry.published_on.isoformat() if entry.published_on else None,
        "related_codes": list(entry.related_codes),
        "derived_from": list(entry.derived_from),
        "themes": sorted(entry.themes),
        "state": entry.state.value,
        "history": [_step(step) for step in entry.history],
        "version": entry.version,
        "origin": entry.origin,
        "updated_at": entry.updated_at.isoformat() if entry.updated_at else None,
        "extensions": [list(pair) for pair in entry.extensions],
    }
    return json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"))


def resource_from_json(text: str) -> Resource:
    raw = json.loads(text)
    return Resource(
        code=raw["code"],
        name=raw["name"],
        provider_code=raw["provider_code"],
        provider_name=raw["provider_name"],
        summary=raw["summary"],
        format_class=FormatClass(raw["format_class"]),
        format_type=raw["format_type"],
        share_type=ShareType(raw["share_type"]),
        update_cycle=UpdateCycle(raw["update_cycle"]),
        classification=Classification(raw["classification"]) if raw["classification"] else None,
        items=tuple(
            DataItem(
                name=item["name"],
                data_type=item["data_type"],
                length=item["length"],
                is_base_item=item["is_base_item"],
                share_type=ShareType(item["share_type"]) if item["share_type"] else None,
            )
            for item in raw["items"]
        ),
        share_condition=raw["share_condition"],
        legal_basis=raw["legal_basis"],
        share_modes=frozenset(ShareMode(mode) for mode in raw["share_modes"]),
        open_to_public=raw["open_to_public"],
        open_condition=raw["open_condition"],
        published_on=date.fromisoformat(raw["published_on"]) if raw["published_on"] else None,
        related_codes=tuple(raw["related_codes"]),
        derived_from=tuple(raw["derived_from"]),
        themes=frozenset(raw["themes"]),
        state=LifecycleState(raw["state"]),
        history=tuple(
            LifecycleStep(
                state=LifecycleState(step["state"]),
                actor=step["actor"],
                at=datetime.fromisoformat(step["at"]),
                note=step["note"],
            )
            for step in raw["history"]
        ),
        version=raw["version"],
        origin=raw["origin"],
        updated_at=datetime.fromisoformat(raw["updated_at"]) if raw["updated_at"] else None,
        extensions=tuple((key, value) for key, value in raw["extensions"]),
    )


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
        },
        "catalog_id": entry.origin,
        "provider": {
            "code": entry.provider_code,
            "name": entry.provider_name,
            "region_code": provider_region,
        },
        "category": {"code": category.code, "parent_code": category.parent_code},
        "themes": sorted(entry.themes),
        "items": [{**_item(item), "position": i} for i, item in enumerate(entry.items)],
        "derived_from": list(entry.derived_from),
    }


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


def catalog_from_record(record: Any) -> Catalog:
    return Catalog(record["region_code"], Zone(record["zone"]), record["name"], record["parent_id"])


def department_from_record(record: Any) -> Department:
    return Department(
        record["code"], record["name"], record["region_code"], frozenset(record["leads"] or ())
    )


def region_from_record(record: Any) -> Region:
    return Region(record["code"], record["name"], record["parent_code"])
