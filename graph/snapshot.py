"""A catalog entry as a JSON snapshot — the form both stores keep it in and change events carry.

Every field of `graph.model.Resource` has a key of the same name: enums by value, dates and
datetimes in ISO 8601, frozensets as sorted lists, tuples as lists (extensions as ``[key,
value]`` pairs), so equal entries give equal text.

`resource_to_json` is `json.dumps` of `resource_to_dict`; for an entry whose fields hold values
of exactly their declared types, as an entry normally does, it writes that same text directly,
without the dicts in between. `resource_to_sorted_json` does the same with the keys sorted (the
snapshot in a change event). Both write the fields out by hand, for speed
(bench/codec_bench.py); tests/graph/test_fields.py checks that they write every field the model
declares (`graph.fields`), as does the reader.

    >>> resource_from_json(resource_to_json(entry)) == entry
    True
"""

from __future__ import annotations

import functools
import json
from datetime import date, datetime
from enum import StrEnum
from json.encoder import encode_basestring
from typing import Any, TypeVar

import orjson

from graph.enums import (
    Classification,
    FormatClass,
    LifecycleState,
    ShareMode,
    ShareType,
    UpdateCycle,
)
from graph.model import DataItem, LifecycleStep, Resource

__all__ = [
    "item_to_dict",
    "resource_from_json",
    "resource_read_once",
    "resource_to_dict",
    "resource_to_json",
    "resource_to_sorted_json",
]

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


def _members(enum: type[E]) -> dict[str, E]:
    return {member.value: member for member in enum}


# Each enum's members by value: a dict look-up is several times cheaper than calling the enum,
# which a lineage of a thousand entries (their data items) does tens of thousands of times.
# A value not among them goes to the enum itself, which refuses it as ever (ValueError).
_SHARE_TYPES = _members(ShareType)
_SHARE_MODES = _members(ShareMode)
_STATES = _members(LifecycleState)
_FORMAT_CLASSES = _members(FormatClass)
_UPDATE_CYCLES = _members(UpdateCycle)
_CLASSIFICATIONS = _members(Classification)


def _by_value(members: dict[str, E], enum: type[E], value: str) -> E:
    found = members.get(value)
    return found if found is not None else enum(value)


def item_to_dict(item: DataItem) -> dict[str, Any]:
    return {
        "name": item.name,
        "data_type": item.data_type,
        "length": item.length,
        "is_base_item": item.is_base_item,
        "share_type": item.share_type.value if item.share_type else None,
    }


def _item_from_dict(raw: dict[str, Any]) -> DataItem:
    return _item(
        raw["name"], raw["data_type"], raw["length"], raw["is_base_item"], raw["share_type"]
    )


# Data items repeat across entries (姓名, 身份证号码, 统一社会信用代码…: the sample's 100k entries
# hold about a million items of a few thousand kinds) and are immutable, so one made is shared:
# an entry read costs a look-up per item instead of a frozen dataclass built field by field.
@functools.lru_cache(maxsize=16384, typed=True)
def _item(
    name: str, data_type: str, length: int | None, is_base_item: bool, share_type: str | None
) -> DataItem:
    return DataItem(
        name=name,
        data_type=data_type,
        length=length,
        is_base_item=is_base_item,
        share_type=_by_value(_SHARE_TYPES, ShareType, share_type) if share_type else None,
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
        state=_by_value(_STATES, LifecycleState, raw["state"]),
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
    try:
        return _plain_json(entry)
    except Exception:  # not plain, or worse: the general path decides, from the start
        return _ENCODER.encode(resource_to_dict(entry))


@functools.lru_cache(maxsize=4096)
def resource_from_json(text: str) -> Resource:
    """The entry a store wrote with `resource_to_json` (trusted text: a change event from
    another instance is read by the strict `sync.snapshots.resource_from_dict` instead).

    The entry is immutable, so the same text read again (a lineage or a page asked twice)
    gives the same entry without decoding it again: the last 4,096 texts are remembered, keyed
    by the whole text, so a changed entry — new text — is always decoded anew."""
    return resource_read_once(text)


def resource_read_once(text: str) -> Resource:
    """`resource_from_json` for text read once (an import's spill file,
    `graph.exchange.spill`): decoded without being remembered, so that it neither pushes out
    what is read again nor keeps the entry alive. orjson parses the text (a few times faster
    than json); what it refuses, json reads as it always did."""
    try:
        raw = orjson.loads(text)
    except orjson.JSONDecodeError:
        raw = json.loads(text)
    return Resource(
        code=raw["code"],
        name=raw["name"],
        provider_code=raw["provider_code"],
        provider_name=raw["provider_name"],
        summary=raw["summary"],
        format_class=_by_value(_FORMAT_CLASSES, FormatClass, raw["format_class"]),
        format_type=raw["format_type"],
        share_type=_by_value(_SHARE_TYPES, ShareType, raw["share_type"]),
        update_cycle=_by_value(_UPDATE_CYCLES, UpdateCycle, raw["update_cycle"]),
        classification=_by_value(_CLASSIFICATIONS, Classification, raw["classification"])
        if raw["classification"]
        else None,
        items=tuple(_item_from_dict(item) for item in raw["items"]),
        share_condition=raw["share_condition"],
        legal_basis=raw["legal_basis"],
        share_modes=frozenset(_by_value(_SHARE_MODES, ShareMode, m) for m in raw["share_modes"]),
        open_to_public=raw["open_to_public"],
        open_condition=raw["open_condition"],
        published_on=date.fromisoformat(raw["published_on"]) if raw["published_on"] else None,
        related_codes=tuple(raw["related_codes"]),
        derived_from=tuple(raw["derived_from"]),
        themes=frozenset(raw["themes"]),
        state=_by_value(_STATES, LifecycleState, raw["state"]),
        history=tuple(_step_from_dict(step) for step in raw["history"]),
        version=raw["version"],
        origin=raw["origin"],
        updated_at=datetime.fromisoformat(raw["updated_at"]) if raw["updated_at"] else None,
        extensions=tuple((key, value) for key, value in raw["extensions"]),
    )


# -- writing the JSON text directly ----------------------------------------------------------
# JSON text is compositional: an object is its values' texts between their keys, each value
# written exactly as it would be alone. So `_plain_json` writes what `_ENCODER` writes for
# `resource_to_dict(entry)`, one value at a time, with the encoder's own function for strings
# (which refuses anything else with `TypeError`). It takes every other value only when it is of
# its field's declared type exactly (an `int` that is no `bool`, a `tuple`, a member of the
# field's enum…) and raises `_NotPlain` at the first that is not. It only reads the entry, so
# whatever it raises, the general path can start over and write (or refuse) the entry as it
# always did.

# `json.dumps(..., ensure_ascii=False, separators=(",", ":"))`, built once.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# The same with sorted keys and no NaN, as a change event is written (`sync.events.encode`).
_SORTED_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
)


class _NotPlain(Exception):
    """A value `_plain_json` does not write itself."""


def _plain_json(entry: Resource) -> str:
    return (
        f'{{"code":{_text(entry.code)}'
        f',"name":{_text(entry.name)}'
        f',"provider_code":{_text(entry.provider_code)}'
        f',"provider_name":{_text(entry.provider_name)}'
        f',"summary":{_text(entry.summary)}'
        f',"format_class":{_member(entry.format_class, FormatClass)}'
        f',"format_type":{_text(entry.format_type)}'
        f',"share_type":{_member(entry.share_type, ShareType)}'
        f',"update_cycle":{_member(entry.update_cycle, UpdateCycle)}'
        f',"classification":{_optional_member(entry.classification, Classification)}'
        f',"items":[{",".join([_item_json(item) for item in _tuple(entry.items)])}]'
        f',"share_condition":{_optional_text(entry.share_condition)}'
        f',"legal_basis":{_optional_text(entry.legal_basis)}'
        f',"share_modes":{_sorted_members(entry.share_modes, ShareMode)}'
        f',"open_to_public":{_bool(entry.open_to_public)}'
        f',"open_condition":{_optional_text(entry.open_condition)}'
        f',"published_on":{_optional_iso(entry.published_on, date)}'
        f',"related_codes":[{",".join([_text(code) for code in _tuple(entry.related_codes)])}]'
        f',"derived_from":[{",".join([_text(code) for code in _tuple(entry.derived_from)])}]'
        f',"themes":{_sorted_texts(entry.themes)}'
        f',"state":{_member(entry.state, LifecycleState)}'
        f',"history":[{",".join([_step_json(step) for step in _tuple(entry.history)])}]'
        f',"version":{_int(entry.version)}'
        f',"origin":{_text(entry.origin)}'
        f',"updated_at":{_optional_iso(entry.updated_at, datetime)}'
        f',"extensions":[{",".join([_pair(pair) for pair in _tuple(entry.extensions)])}]}}'
    )


def resource_to_sorted_json(entry: Resource) -> str:
    """The whole entry as compact JSON text with every object's keys sorted — the snapshot of
    its change event (`sync.events`), as `json.dumps(resource_to_dict(entry), sort_keys=True,
    allow_nan=False)` writes it."""
    try:
        return _plain_sorted_json(entry)
    except Exception:  # not plain, or worse: the general path decides, from the start
        return _SORTED_ENCODER.encode(resource_to_dict(entry))


# `_plain_json` with the keys in sorted order, items' and steps' too.
def _plain_sorted_json(entry: Resource) -> str:
    return (
        f'{{"classification":{_optional_member(entry.classification, Classification)}'
        f',"code":{_text(entry.code)}'
        f',"derived_from":[{",".join([_text(code) for code in _tuple(entry.derived_from)])}]'
        f',"extensions":[{",".join([_pair(pair) for pair in _tuple(entry.extensions)])}]'
        f',"format_class":{_member(entry.format_class, FormatClass)}'
        f',"format_type":{_text(entry.format_type)}'
        f',"history":[{",".join([_step_sorted_json(step) for step in _tuple(entry.history)])}]'
        f',"items":[{",".join([_item_sorted_json(item) for item in _tuple(entry.items)])}]'
        f',"legal_basis":{_optional_text(entry.legal_basis)}'
        f',"name":{_text(entry.name)}'
        f',"open_condition":{_optional_text(entry.open_condition)}'
        f',"open_to_public":{_bool(entry.open_to_public)}'
        f',"origin":{_text(entry.origin)}'
        f',"provider_code":{_text(entry.provider_code)}'
        f',"provider_name":{_text(entry.provider_name)}'
        f',"published_on":{_optional_iso(entry.published_on, date)}'
        f',"related_codes":[{",".join([_text(code) for code in _tuple(entry.related_codes)])}]'
        f',"share_condition":{_optional_text(entry.share_condition)}'
        f',"share_modes":{_sorted_members(entry.share_modes, ShareMode)}'
        f',"share_type":{_member(entry.share_type, ShareType)}'
        f',"state":{_member(entry.state, LifecycleState)}'
        f',"summary":{_text(entry.summary)}'
        f',"themes":{_sorted_texts(entry.themes)}'
        f',"update_cycle":{_member(entry.update_cycle, UpdateCycle)}'
        f',"updated_at":{_optional_iso(entry.updated_at, datetime)}'
        f',"version":{_int(entry.version)}}}'
    )


def _item_values(item: DataItem) -> tuple[str, str, str, str, str]:
    """The JSON text of an item's name, data_type, length, is_base_item and share_type."""
    # Items are most of an entry: their values are checked at once rather than one by one.
    name, data_type, length = item.name, item.data_type, item.length
    is_base_item, share_type = item.is_base_item, item.share_type
    if not (
        (length is None or type(length) is int)
        and (is_base_item is True or is_base_item is False)
        and (share_type is None or type(share_type) is ShareType)
    ):
        raise _NotPlain
    return (
        _text(name),
        _text(data_type),
        "null" if length is None else repr(length),
        "true" if is_base_item else "false",
        "null" if share_type is None else _MEMBER_TEXT[share_type],
    )


def _item_json(item: DataItem) -> str:
    name, data_type, length, is_base_item, share_type = _item_values(item)
    return (
        f'{{"name":{name},"data_type":{data_type},"length":{length}'
        f',"is_base_item":{is_base_item},"share_type":{share_type}}}'
    )


def _item_sorted_json(item: DataItem) -> str:
    name, data_type, length, is_base_item, share_type = _item_values(item)
    return (
        f'{{"data_type":{data_type},"is_base_item":{is_base_item},"length":{length}'
        f',"name":{name},"share_type":{share_type}}}'
    )


def _step_values(step: LifecycleStep) -> tuple[str, str, str, str]:
    """The JSON text of a step's state, actor, at and note."""
    state, at = step.state, step.at
    if not (type(state) is LifecycleState and type(at) is datetime):
        raise _NotPlain
    return (
        _MEMBER_TEXT[state],
        _text(step.actor),
        encode_basestring(at.isoformat()),
        _optional_text(step.note),
    )


def _step_json(step: LifecycleStep) -> str:
    state, actor, at, note = _step_values(step)
    return f'{{"state":{state},"actor":{actor},"at":{at},"note":{note}}}'


def _step_sorted_json(step: LifecycleStep) -> str:
    state, actor, at, note = _step_values(step)
    return f'{{"actor":{actor},"at":{at},"note":{note},"state":{state}}}'


def _pair(pair: tuple[str, str]) -> str:
    if type(pair) is not tuple or len(pair) != 2:
        raise _NotPlain
    return f"[{_text(pair[0])},{_text(pair[1])}]"


# A str (of any subclass) as the encoder writes it; `TypeError` for anything else.
_text = encode_basestring


def _optional_text(value: str | None) -> str:
    return "null" if value is None else _text(value)


def _member(value: object, kind: type[StrEnum]) -> str:
    if type(value) is not kind:
        raise _NotPlain
    return _MEMBER_TEXT[value]


# Each member's value as JSON text (reading `.value` runs Python code in an enum).
_MEMBER_TEXT: dict[StrEnum, str] = {
    member: encode_basestring(member.value)
    for kind in (Classification, FormatClass, LifecycleState, ShareMode, ShareType, UpdateCycle)
    for member in kind
}


def _optional_member(value: object, kind: type[StrEnum]) -> str:
    return "null" if value is None else _member(value, kind)


def _iso(value: object, kind: type[date]) -> str:
    if type(value) is not kind:
        raise _NotPlain
    return encode_basestring(value.isoformat())


def _optional_iso(value: object, kind: type[date]) -> str:
    return "null" if value is None else _iso(value, kind)


def _bool(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    raise _NotPlain


def _int(value: object) -> str:
    if type(value) is not int:
        raise _NotPlain
    return repr(value)


def _tuple(values: tuple[T, ...]) -> tuple[T, ...]:
    # Only a tuple: an iterator read here would be found empty by the general path.
    if type(values) is not tuple:
        raise _NotPlain
    return values


def _sorted_texts(values: object) -> str:
    if type(values) is not frozenset:
        raise _NotPlain
    for value in values:
        if type(value) is not str:
            raise _NotPlain  # checked before sorting, which values of other types may fail
    return "[" + ",".join([_text(value) for value in sorted(values)]) + "]"


def _sorted_members(values: object, kind: type[StrEnum]) -> str:
    if type(values) is not frozenset:
        raise _NotPlain
    for value in values:
        if type(value) is not kind:
            raise _NotPlain
    # Members sort as their values do.
    return "[" + ",".join([_MEMBER_TEXT[value] for value in sorted(values)]) + "]"
