"""A catalog entry as a JSON snapshot — the form both stores keep it in and change events carry.

Every field of `graph.model.Resource` has a key of the same name: enums by value, dates and
datetimes in ISO 8601, frozensets as sorted lists, tuples as lists (extensions as ``[key,
value]`` pairs), so equal entries give equal text.

    >>> resource_from_json(resource_to_json(entry)) == entry
    True
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from graph.enums import (
    Classification,
    FormatClass,
    LifecycleState,
    ShareMode,
    ShareType,
    UpdateCycle,
)
from graph.model import DataItem, LifecycleStep, Resource

__all__ = ["item_to_dict", "resource_from_json", "resource_to_dict", "resource_to_json"]


def item_to_dict(item: DataItem) -> dict[str, Any]:
    return {
        "name": item.name,
        "data_type": item.data_type,
        "length": item.length,
        "is_base_item": item.is_base_item,
        "share_type": item.share_type.value if item.share_type else None,
    }


def _item_from_dict(raw: dict[str, Any]) -> DataItem:
    return DataItem(
        name=raw["name"],
        data_type=raw["data_type"],
        length=raw["length"],
        is_base_item=raw["is_base_item"],
        share_type=ShareType(raw["share_type"]) if raw["share_type"] else None,
    )


def _step_to_dict(step: LifecycleStep) -> dict[str, Any]:
    return {
        "state": step.state.value,
        "actor": step.actor,
        "at": step.at.isoformat(),
        "note": step.note,
    }


def _step_from_dict(raw: dict[str, Any]) -> LifecycleStep:
    return LifecycleStep(
        state=LifecycleState(raw["state"]),
        actor=raw["actor"],
        at=datetime.fromisoformat(raw["at"]),
        note=raw["note"],
    )


def resource_to_dict(entry: Resource) -> dict[str, Any]:
    """Every field of `entry`, JSON-able; sets are written sorted so equal entries give equal
    dicts."""
    return {
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
        "items": [item_to_dict(item) for item in entry.items],
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
        "history": [_step_to_dict(step) for step in entry.history],
        "version": entry.version,
        "origin": entry.origin,
        "updated_at": entry.updated_at.isoformat() if entry.updated_at else None,
        "extensions": [[key, value] for key, value in entry.extensions],
    }


def resource_to_json(entry: Resource) -> str:
    """The whole entry as compact JSON text, as both stores keep it."""
    return json.dumps(resource_to_dict(entry), ensure_ascii=False, separators=(",", ":"))


def resource_from_json(text: str) -> Resource:
    """The entry a store wrote with `resource_to_json` (trusted text: a change event from
    another instance is read by the strict `sync.snapshots.resource_from_dict` instead)."""
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
        items=tuple(_item_from_dict(item) for item in raw["items"]),
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
        history=tuple(_step_from_dict(step) for step in raw["history"]),
        version=raw["version"],
        origin=raw["origin"],
        updated_at=datetime.fromisoformat(raw["updated_at"]) if raw["updated_at"] else None,
        extensions=tuple((key, value) for key, value in raw["extensions"]),
    )
