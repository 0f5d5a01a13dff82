"""A catalog entry as the JSON-able dict a change event carries, and back.

Every field of `graph.model.Resource` has a key of the same name: enums by value, dates and
datetimes in ISO 8601, frozensets as sorted lists, tuples as lists (extensions as ``[key,
value]`` pairs). `resource_from_dict` is strict — an unknown key or a value of the wrong type
raises `MalformedEvent` naming the field — but a key whose field has a default may be missing,
because the guard removes fields that may not cross a link (`sync.guard.CROSSING_FIELDS`).

A snapshot as `resource_to_dict` writes one — plain JSON values, every key known — is checked
and converted by a fast path that builds no field paths; anything else goes through the careful
path, which refuses it naming the field (or accepts what only it takes, such as a `str`
subclass). Both accept the same snapshots and give the same entry. Both name the fields by
hand, for speed; tests/sync/test_fields.py checks that they read back every field the model
declares (`graph.fields`).

A snapshot the fast path has passed once is known while it lives in a decoded event (the
last `KNOWN_SNAPSHOTS`; a snapshot is read-only once checked): `check_snapshot`, when an event
is decoded, and `crossed`, for the snapshot a link's guard made of one, remember it, and
`resource_from_dict` of it builds the entry without checking it again.

    >>> resource_from_dict(resource_to_dict(entry)) == entry
    True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeGuard, TypeVar

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

__all__ = [
    "KNOWN_SNAPSHOTS",
    "REQUIRED_FIELDS",
    "RESOURCE_FIELDS",
    "check_snapshot",
    "crossed",
    "resource_from_dict",
    "resource_to_dict",
]

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


KNOWN_SNAPSHOTS = 8192
# By id, with the snapshot itself, so that its id is not another's while it is here.
_known: dict[int, dict[str, Any]] = {}


def _know(data: dict[str, Any]) -> None:
    if len(_known) >= KNOWN_SNAPSHOTS:
        _known.pop(next(iter(_known)), None)  # the oldest
    _known[id(data)] = data


def _is_known(data: object) -> TypeGuard[dict[str, Any]]:
    return _known.get(id(data)) is data


def resource_from_dict(data: object, where: str = "snapshot") -> Resource:
    """The entry a snapshot describes; `MalformedEvent` names ``where.field`` when it is not one."""
    if _is_known(data) or _is_plain(data):
        return _from_plain(data)
    return _careful_resource(data, where)


def check_snapshot(data: object, where: str = "snapshot") -> None:
    """`MalformedEvent` exactly when `resource_from_dict` would raise it, without building the
    entry."""
    if _is_known(data):
        return
    if _is_plain(data):
        _know(data)
    else:
        _careful_resource(data, where)


def crossed(original: object, made: dict[str, Any]) -> None:
    """`made` is what a link's guard made of the snapshot `original`: its keys and values, the
    references and extensions among them filtered, and its classification's value. When
    `original` is known to pass the fast path and `made` keeps every required key, so does
    `made`."""
    if _is_known(original) and made.keys() >= REQUIRED_FIELDS:
        _know(made)


def _careful_resource(data: object, where: str) -> Resource:
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


# -- the fast path -------------------------------------------------------------------------
# `_is_plain` holds when `_careful_resource` would accept the snapshot with every value exactly
# of a JSON type (`str`, `int`, `bool`, `list`, `dict`, as `json.loads` makes them), and
# `_from_plain` then makes the same entry from it without checking again. Neither may ever
# differ from the careful path: tests/sync/test_snapshots.py compares them.


def _by_value(kind: type[E]) -> dict[str, E]:
    return {member.value: member for member in kind}


_FORMAT_CLASSES = _by_value(FormatClass)
_SHARE_TYPES = _by_value(ShareType)
_UPDATE_CYCLES = _by_value(UpdateCycle)
_CLASSIFICATIONS = _by_value(Classification)
_SHARE_MODES = _by_value(ShareMode)
_STATES = _by_value(LifecycleState)
_DRAFT = LifecycleState.DRAFT.value
_ITEM_REQUIRED = frozenset({"name", "data_type"})
_STEP_REQUIRED = frozenset({"state", "actor", "at"})


def _is_plain(data: object) -> TypeGuard[dict[str, Any]]:
    if type(data) is not dict or not REQUIRED_FIELDS <= data.keys() <= RESOURCE_FIELDS:
        return False
    get = data.get
    return (
        type(data["code"]) is str
        and type(data["name"]) is str
        and type(data["provider_code"]) is str
        and type(data["provider_name"]) is str
        and type(data["summary"]) is str
        and _is_member(_FORMAT_CLASSES, data["format_class"])
        and type(data["format_type"]) is str
        and _is_member(_SHARE_TYPES, data["share_type"])
        and _is_member(_UPDATE_CYCLES, data["update_cycle"])
        and _is_optional_member(_CLASSIFICATIONS, get("classification"))
        and _is_list_of(_is_plain_item, get("items", []))
        and _is_optional_text(get("share_condition"))
        and _is_optional_text(get("legal_basis"))
        and _is_members(_SHARE_MODES, get("share_modes", []))
        and _is_bool(get("open_to_public", False))
        and _is_optional_text(get("open_condition"))
        and _is_optional_iso(date.fromisoformat, get("published_on"))
        and _is_list_of(_is_text, get("related_codes", []))
        and _is_list_of(_is_text, get("derived_from", []))
        and _is_list_of(_is_text, get("themes", []))
        and _is_member(_STATES, get("state", _DRAFT))
        and _is_list_of(_is_plain_step, get("history", []))
        and _is_version(get("version", 1))
        and type(get("origin", "")) is str
        and _is_optional_iso(datetime.fromisoformat, get("updated_at"))
        and _is_list_of(_is_extension, get("extensions", []))
    )


def _is_plain_item(value: object) -> bool:
    if type(value) is not dict or not _ITEM_REQUIRED <= value.keys() <= _ITEM_FIELDS:
        return False
    length = value.get("length")
    return (
        type(value["name"]) is str
        and type(value["data_type"]) is str
        and (length is None or type(length) is int)
        and _is_bool(value.get("is_base_item", False))
        and _is_optional_member(_SHARE_TYPES, value.get("share_type"))
    )


def _is_plain_step(value: object) -> bool:
    if type(value) is not dict or not _STEP_REQUIRED <= value.keys() <= _STEP_FIELDS:
        return False
    return (
        _is_member(_STATES, value["state"])
        and type(value["actor"]) is str
        and _is_iso(datetime.fromisoformat, value["at"])
        and _is_optional_text(value.get("note"))
    )


def _from_plain(data: dict[str, Any]) -> Resource:
    get = data.get
    classification = get("classification")
    published_on = get("published_on")
    updated_at = get("updated_at")
    return Resource(
        code=data["code"],
        name=data["name"],
        provider_code=data["provider_code"],
        provider_name=data["provider_name"],
        summary=data["summary"],
        format_class=_FORMAT_CLASSES[data["format_class"]],
        format_type=data["format_type"],
        share_type=_SHARE_TYPES[data["share_type"]],
        update_cycle=_UPDATE_CYCLES[data["update_cycle"]],
        classification=None if classification is None else _CLASSIFICATIONS[classification],
        items=tuple([_item_from_plain(item) for item in get("items", ())]),
        share_condition=get("share_condition"),
        legal_basis=get("legal_basis"),
        share_modes=frozenset([_SHARE_MODES[mode] for mode in get("share_modes", ())]),
        open_to_public=get("open_to_public", False),
        open_condition=get("open_condition"),
        published_on=None if published_on is None else date.fromisoformat(published_on),
        related_codes=tuple(get("related_codes", ())),
        derived_from=tuple(get("derived_from", ())),
        themes=frozenset(get("themes", ())),
        state=_STATES[get("state", _DRAFT)],
        history=tuple([_step_from_plain(step) for step in get("history", ())]),
        version=get("version", 1),
        origin=get("origin", ""),
        updated_at=None if updated_at is None else datetime.fromisoformat(updated_at),
        extensions=tuple([(key, value) for key, value in get("extensions", ())]),
    )


def _item_from_plain(value: dict[str, Any]) -> DataItem:
    share_type = value.get("share_type")
    return DataItem(
        name=value["name"],
        data_type=value["data_type"],
        length=value.get("length"),
        is_base_item=value.get("is_base_item", False),
        share_type=None if share_type is None else _SHARE_TYPES[share_type],
    )


def _step_from_plain(value: dict[str, Any]) -> LifecycleStep:
    return LifecycleStep(
        state=_STATES[value["state"]],
        actor=value["actor"],
        at=datetime.fromisoformat(value["at"]),
        note=value.get("note"),
    )


def _is_text(value: object) -> bool:
    return type(value) is str


def _is_bool(value: object) -> bool:
    return value is True or value is False


def _is_optional_text(value: object) -> bool:
    return value is None or type(value) is str


def _is_member(members: dict[str, E], value: object) -> bool:
    return type(value) is str and value in members


def _is_optional_member(members: dict[str, E], value: object) -> bool:
    return value is None or (type(value) is str and value in members)


def _is_members(members: dict[str, E], value: object) -> bool:
    return type(value) is list and all(type(v) is str and v in members for v in value)


def _is_list_of(check: Callable[[object], bool], value: object) -> bool:
    return type(value) is list and all(map(check, value))


def _is_version(value: object) -> bool:
    return type(value) is int and 1 <= value < 2**63


def _is_iso(parse: Callable[[str], object], value: object) -> bool:
    if type(value) is not str:
        return False
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _is_optional_iso(parse: Callable[[str], object], value: object) -> bool:
    return value is None or _is_iso(parse, value)


def _is_extension(value: object) -> bool:
    return (
        type(value) is list and len(value) == 2 and type(value[0]) is str and type(value[1]) is str
    )
