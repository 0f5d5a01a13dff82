"""Rules every write obeys (DESIGN "Rules a write must obey"), as one pure function.

`check_resource` returns the entry as it will be stored — a missing classification on the
intranet becomes CLASSIFIED (fail closed) — or raises `InvalidValue` for the first rule it breaks,
naming the field, the value and what would be accepted.

    >>> check_resource(entry, Zone.INTRANET).classification
    <Classification.CLASSIFIED: 'CLASSIFIED'>
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Mapping
from enum import StrEnum
from typing import TypeGuard, TypeVar

from graph.codes import check_credit_code, check_resource_code, parse_resource_code
from graph.enums import (
    THEMES,
    Classification,
    FormatClass,
    LifecycleState,
    ResourceKind,
    ShareMode,
    ShareType,
    UpdateCycle,
    Zone,
)
from graph.errors import InvalidValue
from graph.fields import facts_of
from graph.model import DataItem, Resource

__all__ = [
    "HANDS_DATA_OVER",
    "LIMITS",
    "check_resource",
    "recall_checked",
    "renumbered",
    "unnumbered",
]

# The share modes that hand the data itself to the consumer: offered beside 数据比对 they would
# undo "data does not leave the provider" (数据不落地, Sichuan 第二十三条).
HANDS_DATA_OVER = frozenset({ShareMode.BATCH_DOWNLOAD, ShareMode.FRONT_END_EXCHANGE})

# Lengths, in characters (or counts), that a stored entry never exceeds: the `limit` each field
# declares (graph.fields), an item's under ``item.<field>``.
LIMITS: Mapping[str, int] = {
    **{name: f.limit for name, f in facts_of(Resource).items() if f.limit is not None},
    **{f"item.{name}": f.limit for name, f in facts_of(DataItem).items() if f.limit is not None},
}


def _optional_text(field: str, value: object, limit_of: str = "") -> str | None:
    """`value` stripped, None when blank; refused when too long or not text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _text(field, value, limit_of)


def _text(field: str, value: object, limit_of: str = "") -> str:
    """`value` stripped; refused when blank, too long or not text."""
    limit = LIMITS[limit_of or field]
    if not _fits(value, limit):
        raise InvalidValue(field, value, f"a non-blank text of at most {limit} characters")
    return value.strip()


def _fits(value: object, limit: int) -> TypeGuard[str]:
    """Whether `_text` takes `value`: non-blank text of at most `limit` characters."""
    return isinstance(value, str) and bool(value.strip()) and len(value) <= limit


def _check_items(entry: Resource, kind: ResourceKind) -> tuple[DataItem, ...]:
    if len(entry.items) > LIMITS["items"]:
        raise InvalidValue("items", f"{len(entry.items)} items", f"at most {LIMITS['items']} items")
    name_limit, data_type_limit = LIMITS["item.name"], LIMITS["item.data_type"]
    seen: set[str] = set()
    checked = []
    for i, item in enumerate(entry.items):
        if _fits(item.name, name_limit) and _fits(item.data_type, data_type_limit):
            name, data_type = item.name.strip(), item.data_type.strip()
        else:  # refused, naming the field
            name = _text(f"items[{i}].name", item.name, limit_of="item.name")
            data_type = _text(f"items[{i}].data_type", item.data_type, limit_of="item.data_type")
        if name in seen:
            raise InvalidValue(
                f"items[{i}].name", item.name, "a name no other item of this entry has"
            )
        seen.add(name)
        if item.length is not None and not (
            isinstance(item.length, int) and 1 <= item.length <= LIMITS["item.length"]
        ):
            raise InvalidValue(f"items[{i}].length", item.length, "empty, or a whole number ≥ 1")
        if item.is_base_item and kind is not ResourceKind.BASE:
            raise InvalidValue(
                f"items[{i}].is_base_item",
                True,
                "false: only a base resource (code starting with 1) has base items",
            )
        effective = item.share_type or entry.share_type
        if item.is_base_item and effective is not ShareType.UNCONDITIONAL:
            raise InvalidValue(
                f"items[{i}].share_type",
                effective.value,
                "UNCONDITIONAL: the base items of a base resource are shared unconditionally",
                rule="national 第十条(二)",
            )
        if type(item) is not DataItem or name is not item.name or data_type is not item.data_type:
            item = dataclasses.replace(item, name=name, data_type=data_type)
        checked.append(item)  # unchanged: the replace would make an equal copy of it
    return tuple(checked)


def _check_codes(field: str, codes: tuple[str, ...], own: str) -> tuple[str, ...]:
    if len(codes) > LIMITS[field]:
        raise InvalidValue(field, f"{len(codes)} codes", f"at most {LIMITS[field]} codes")
    out: list[str] = []
    for i, code in enumerate(codes):
        normal = check_resource_code(code, f"{field}[{i}]")
        if normal == own:
            raise InvalidValue(f"{field}[{i}]", code, "the code of another resource, not its own")
        if normal not in out:
            out.append(normal)
    return tuple(out)


def _check_sharing(entry: Resource) -> tuple[str | None, str | None]:
    condition = _optional_text("share_condition", entry.share_condition)
    basis = _optional_text("legal_basis", entry.legal_basis)
    if entry.share_type is ShareType.NONE:
        if basis is None:
            raise InvalidValue(
                "legal_basis",
                entry.legal_basis,
                "the law, administrative regulation or policy that forbids sharing (不予共享依据): "
                "an entry not shared must name it",
                rule="national 第十条(一)",
            )
        if entry.share_modes:
            raise InvalidValue(
                "share_modes",
                sorted(m.value for m in entry.share_modes),
                "no share modes: an entry that is not shared is delivered in no way",
            )
    else:
        if not entry.share_modes:
            raise InvalidValue(
                "share_modes",
                [],
                "at least one of INTERFACE, ONLINE_QUERY, BATCH_DOWNLOAD, FRONT_END_EXCHANGE, "
                "DATA_COMPARISON for a shared entry",
            )
    handing = (
        sorted(m.value for m in entry.share_modes & HANDS_DATA_OVER)
        if ShareMode.DATA_COMPARISON in entry.share_modes
        else []
    )
    if handing:
        raise InvalidValue(
            "share_modes",
            sorted(m.value for m in entry.share_modes),
            f"DATA_COMPARISON without {' or '.join(handing)}: data comparison returns only the "
            "comparison result and the data does not leave the provider (数据不落地)",
            rule="Sichuan 第二十三条",
        )
    if entry.share_type is ShareType.CONDITIONAL and condition is None:
        raise InvalidValue(
            "share_condition",
            entry.share_condition,
            "the condition under which it is shared (共享条件): a conditional entry must state it",
            rule="national 第九条",
        )
    return condition, basis


def _check_classification(entry: Resource, zone: Zone) -> Classification:
    classification = entry.classification
    if zone is Zone.EXTRANET:
        if classification is not Classification.UNCLASSIFIED:
            raise InvalidValue(
                "classification",
                classification.value if classification else None,
                "UNCLASSIFIED: the extranet holds no classified entry, and one without a "
                "classification counts as classified",
                rule="national 第十一条",
            )
        return classification
    # On the intranet a missing classification means CLASSIFIED: fail closed.
    return classification or Classification.CLASSIFIED


E = TypeVar("E", bound=StrEnum)


def _member(field: str, kind: type[E], value: object) -> E:
    """`value` as a member of `kind`; its plain string value is accepted too."""
    if type(value) is kind:
        return value  # what kind(value) gives for a member
    try:
        return kind(value)  # type: ignore[arg-type]  # refused below when not a value
    except ValueError:
        raise InvalidValue(field, value, "one of " + ", ".join(m.value for m in kind)) from None


def _coerce_enums(entry: Resource) -> Resource:
    """The entry with every enumerated field a member of its enum, or `InvalidValue`."""
    if _has_enum_members(entry):
        return entry  # the replace below would make an equal copy of it
    return dataclasses.replace(
        entry,
        format_class=_member("format_class", FormatClass, entry.format_class),
        share_type=_member("share_type", ShareType, entry.share_type),
        update_cycle=_member("update_cycle", UpdateCycle, entry.update_cycle),
        classification=None
        if entry.classification is None
        else _member("classification", Classification, entry.classification),
        share_modes=frozenset(_member("share_modes", ShareMode, m) for m in entry.share_modes),
        state=_member("state", LifecycleState, entry.state),
        items=tuple(
            item
            if item.share_type is None
            else dataclasses.replace(
                item, share_type=_member(f"items[{i}].share_type", ShareType, item.share_type)
            )
            for i, item in enumerate(entry.items)
        ),
    )


def _has_enum_members(entry: Resource) -> bool:
    """Whether every enumerated field of `entry` already holds a member of its enum, and its
    sets and tuples are of their declared types: what `_coerce_enums` makes of any entry."""
    return (
        type(entry) is Resource
        and type(entry.format_class) is FormatClass
        and type(entry.share_type) is ShareType
        and type(entry.update_cycle) is UpdateCycle
        and (entry.classification is None or type(entry.classification) is Classification)
        and type(entry.share_modes) is frozenset
        and all(type(mode) is ShareMode for mode in entry.share_modes)
        and type(entry.state) is LifecycleState
        and type(entry.items) is tuple
        and all(
            item.share_type is None or type(item.share_type) is ShareType for item in entry.items
        )
    )


# The entries `check_resource` returned, per zone, while they live: an entry is immutable and
# the rules depend on nothing else, so one checked already (a sync consumer checks each entry
# before its store's `apply` checks it again) is returned as it is.
_CHECKED: dict[Zone, weakref.WeakValueDictionary[int, Resource]] = {
    zone: weakref.WeakValueDictionary() for zone in Zone
}


def check_resource(entry: Resource, zone: Zone) -> Resource:
    """Check `entry` against every rule for an instance in `zone`; return it as stored."""
    checked = _CHECKED.get(zone)
    if checked is None:
        return _check_resource(entry, zone)
    if checked.get(id(entry)) is entry:
        return entry
    result = _check_resource(entry, zone)
    checked[id(result)] = result
    return result


# Entries `check_resource` passed under a stand-in code and then given their 前段码 alone, to
# be numbered (`unnumbered`): every rule held but those that read the number.
_UNNUMBERED: dict[Zone, weakref.WeakValueDictionary[int, Resource]] = {
    zone: weakref.WeakValueDictionary() for zone in Zone
}


def unnumbered(checked: Resource, category: str, zone: Zone) -> Resource:
    """`checked` (as `check_resource` returned it) under its 前段码 `category` alone, waiting
    for a number; `renumbered` gives it one."""
    result = dataclasses.replace(checked, code=category)
    _UNNUMBERED[zone][id(result)] = result
    return result


def recall_checked(entry: Resource, zone: Zone) -> Resource:
    """Know `entry` as checked for `zone` again: it is a value `check_resource` or
    `unnumbered` returned in this process, kept outside memory a while and read back (an
    import's spill file, `graph.exchange.spill`, which no other process can open) — never an
    entry from anywhere else, which `check_resource` checks."""
    registry = _CHECKED if "/" in entry.code else _UNNUMBERED
    registry[zone][id(entry)] = entry
    return entry


def renumbered(entry: Resource, code: str, zone: Zone, **dated: object) -> Resource:
    """`entry` — as `check_resource` or `unnumbered` returned it for `zone` — under `code` of
    the same 前段码, with `dated` (its ``history`` and ``updated_at``, which no rule reads):
    only the rules that read the code are checked again, its format and that the entry names
    no code as related or as a source that is its own, since no other depends on the number
    (its kind is its 前段码's). Any other entry is checked whole. A new entry is so checked
    before its code is allocated and numbered after, not checked twice."""
    unread = set(dated) - {"history", "updated_at"}
    if unread:
        raise TypeError(f"renumbered changes history and updated_at only, not {sorted(unread)}")
    code = check_resource_code(code)
    known = _CHECKED[zone].get(id(entry)) is entry or _UNNUMBERED[zone].get(id(entry)) is entry
    if not known or code.split("/", 1)[0] != entry.code.split("/", 1)[0]:
        return check_resource(dataclasses.replace(entry, code=code, **dated), zone)  # type: ignore[arg-type]
    _check_codes("related_codes", entry.related_codes, code)
    _check_codes("derived_from", entry.derived_from, code)
    result = dataclasses.replace(entry, code=code, **dated)  # type: ignore[arg-type]
    _CHECKED[zone][id(result)] = result
    return result


def _check_resource(entry: Resource, zone: Zone) -> Resource:
    entry = _coerce_enums(entry)
    code = check_resource_code(entry.code)
    kind = parse_resource_code(code).kind
    name = _text("name", entry.name)
    summary = _text("summary", entry.summary)
    provider_code = check_credit_code(entry.provider_code)
    provider_name = _text("provider_name", entry.provider_name)
    format_type = _text("format_type", entry.format_type)
    classification = _check_classification(entry, zone)
    condition, basis = _check_sharing(entry)
    items = _check_items(entry, kind)
    open_condition = _optional_text("open_condition", entry.open_condition)
    if entry.open_to_public and classification is Classification.CLASSIFIED:
        raise InvalidValue(
            "open_to_public", True, "false: a classified entry is never opened to the public"
        )
    if open_condition is not None and not entry.open_to_public:
        raise InvalidValue(
            "open_condition",
            entry.open_condition,
            "empty unless open_to_public is true (开放条件 belongs to an open entry)",
        )
    unknown = sorted(set(entry.themes) - set(THEMES))
    if unknown:
        raise InvalidValue("themes", unknown[0], "one of " + "、".join(THEMES))
    if kind is ResourceKind.THEME and not entry.themes:
        raise InvalidValue(
            "themes", [], "at least one theme for a theme resource (code starting with 2)"
        )
    if not isinstance(entry.version, int) or entry.version < 1:
        raise InvalidValue("version", entry.version, "a whole number ≥ 1")
    return dataclasses.replace(
        entry,
        code=code,
        name=name,
        summary=summary,
        provider_code=provider_code,
        provider_name=provider_name,
        format_type=format_type,
        classification=classification,
        share_condition=condition,
        legal_basis=basis,
        open_condition=open_condition,
        items=items,
        related_codes=_check_codes("related_codes", entry.related_codes, code),
        derived_from=_check_codes("derived_from", entry.derived_from, code),
    )
