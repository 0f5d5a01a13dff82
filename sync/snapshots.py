"""A catalog entry as the JSON-able dict a change event carries, and back.

Every field of `graph.model.Resource` has a key of the same name: enums by value, dates and
datetimes in ISO 8601, frozensets as sorted lists, tuples as lists (extensions as ``[key,
value]`` pairs). `resource_from_dict` is strict — an unknown key or a value of the wrong type
raises `MalformedEvent` naming the field — but a key whose field has a default may be missing,
because the guard removes fields that may not cross a link (`sync.guard.CROSSING_FIELDS`).

    >>> resource_from_dict(resource_to_dict(entry)) == entry
    True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from graph.enums import (
    Classification,
    FormatClass,
    LifecycleState,
    ShareMode,
    ShareType,
    UpdateCycle,
)
from graph.model import DataItem, LifecycleStep, Resource
from graph.snapshot import resource_to_dict
from sync.errors import MalformedEvent

__all__ = ["REQUIRED_FIELDS", "RESOURCE_FIELDS", "resource_from_dict", "resource_to_dict"]

RESOURCE_FIELDS: frozenset[str] = frozenset(f.name for f in dataclasses.fields(Resource))
# The fields without a default: a snapshot always carries them.
REQUIRED_FIELDS: frozenset[str] = frozenset(
    f.name
    for f in dataclasses.fields(Resource)
    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
)
_ITEM_FIELDS = frozenset(f.name for f in dataclasses.fields(DataItem))
_STEP_FIELDS = frozenset(f.name for f in dataclasses.fields(LifecycleStep))

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


def resource_from_dict(data: object, where: str = "snapshot") -> Resource:
    """The entry a snapshot describes; `MalformedEvent` names ``where.field`` when it is not one."""
    fields = _object(data, where, RESOURCE_FIELDS, REQUIRED_FIELDS)
    f = _Fields(fields, where)
    return Resource(
        code=f.text("code"),
        name=f.text("name"),
        provider_code=f.text("provider_code"),
        provider_name=f.text("provider_name"),
        summary=f.text("summary"),
        format_class=f.enum("format_class", FormatClass),
        format_type=f.text("format_type"),
        share_type=f.enum("share_type", ShareType),
        update_cycle=f.enum("update_cycle", UpdateCycle),
        classification=f.optional("classification", lambda v, at: _enum(v, at, Classification)),
        items=tuple(f.array("items", _item_from_dict)),
        share_condition=f.optional("share_condition", _text),
        legal_basis=f.optional("legal_basis", _text),
        share_modes=frozenset(f.array("share_modes", lambda v, at: _enum(v, at, ShareMode))),
        open_to_public=f.get("open_to_public", _bool, False),
        open_condition=f.optional("open_condition", _text),
        published_on=f.optional("published_on", _date),
        related_codes=tuple(f.array("related_codes", _text)),
        derived_from=tuple(f.array("derived_from", _text)),
        themes=frozenset(f.array("themes", _text)),
        state=f.get("state", lambda v, at: _enum(v, at, LifecycleState), LifecycleState.DRAFT),
        history=tuple(f.array("history", _step_from_dict)),
        version=f.get("version", _version, 1),
        origin=f.get("origin", _text, ""),
        updated_at=f.optional("updated_at", _datetime),
        extensions=tuple(f.array("extensions", _extension)),
    )


class _Fields:
    """Typed access to the keys of one JSON object, naming ``where.key`` in every refusal."""

    def __init__(self, fields: Mapping[str, Any], where: str) -> None:
        self._fields = fields
        self._where = where

    def get(self, key: str, parse: Callable[[object, str], T], default: T) -> T:
        if key not in self._fields:
            return default
        return parse(self._fields[key], f"{self._where}.{key}")

    def text(self, key: str) -> str:
        return _text(self._fields[key], f"{self._where}.{key}")

    def enum(self, key: str, kind: type[E]) -> E:
        return _enum(self._fields[key], f"{self._where}.{key}", kind)

    def optional(self, key: str, parse: Callable[[object, str], T]) -> T | None:
        value = self._fields.get(key)
        return None if value is None else parse(value, f"{self._where}.{key}")

    def array(self, key: str, parse: Callable[[object, str], T]) -> list[T]:
        at = f"{self._where}.{key}"
        value = self._fields.get(key, [])
        if not isinstance(value, list):
            raise MalformedEvent(at, value, "a JSON array")
        return [parse(element, f"{at}[{i}]") for i, element in enumerate(value)]


def _object(
    value: object, at: str, allowed: frozenset[str], required: frozenset[str]
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedEvent(at, value, "a JSON object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise MalformedEvent(
            f"{at}.{unknown[0]}",
            value[unknown[0]],
            "no such key: one of " + ", ".join(sorted(allowed)),
        )
    missing = sorted(required - set(value))
    if missing:
        raise MalformedEvent(f"{at}.{missing[0]}", None, "a value: this key is required")
    return value


def _text(value: object, at: str) -> str:
    if not isinstance(value, str):
        raise MalformedEvent(at, value, "a string")
    return value


def _bool(value: object, at: str) -> bool:
    if not isinstance(value, bool):
        raise MalformedEvent(at, value, "true or false")
    return value


def _version(value: object, at: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**63:
        raise MalformedEvent(at, value, "a whole number from 1 to 2^63 - 1")
    return value


def _enum(value: object, at: str, kind: type[E]) -> E:
    if isinstance(value, str) and value in kind.__members__.values():
        return kind(value)
    raise MalformedEvent(at, value, "one of " + ", ".join(member.value for member in kind))


def _date(value: object, at: str) -> date:
    try:
        return date.fromisoformat(_text(value, at))
    except ValueError:
        raise MalformedEvent(at, value, "an ISO 8601 date, e.g. '2024-03-01'") from None


def _datetime(value: object, at: str) -> datetime:
    try:
        return datetime.fromisoformat(_text(value, at))
    except ValueError:
        accepted = "an ISO 8601 date and time, e.g. '2024-03-01T08:30:00+00:00'"
        raise MalformedEvent(at, value, accepted) from None


def _item_from_dict(value: object, at: str) -> DataItem:
    fields = _object(value, at, _ITEM_FIELDS, frozenset({"name", "data_type"}))
    f = _Fields(fields, at)
    length = f.optional("length", _length)
    return DataItem(
        name=f.text("name"),
        data_type=f.text("data_type"),
        length=length,
        is_base_item=f.get("is_base_item", _bool, False),
        share_type=f.optional("share_type", lambda v, a: _enum(v, a, ShareType)),
    )


def _length(value: object, at: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedEvent(at, value, "a whole number, or null")
    return value


def _step_from_dict(value: object, at: str) -> LifecycleStep:
    fields = _object(value, at, _STEP_FIELDS, frozenset({"state", "actor", "at"}))
    f = _Fields(fields, at)
    return LifecycleStep(
        state=f.enum("state", LifecycleState),
        actor=f.text("actor"),
        at=_datetime(fields["at"], f"{at}.at"),
        note=f.optional("note", _text),
    )


def _extension(value: object, at: str) -> tuple[str, str]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise MalformedEvent(at, value, "a [key, value] pair of strings")
    return value[0], value[1]
