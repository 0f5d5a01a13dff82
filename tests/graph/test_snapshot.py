"""`graph.snapshot.resource_to_json` writes an entry of well-typed values itself, value by value;
whatever the entry, its text (or its error) must be that of `json.dumps` of `resource_to_dict`,
which it falls back to. `resource_to_sorted_json` likewise, with sorted keys (a change event's
snapshot)."""

from __future__ import annotations

import dataclasses
import enum
import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import DataItem, FormatClass, LifecycleState, LifecycleStep, Resource, ShareType
from graph.sample import generate_catalog
from graph.snapshot import (
    _plain_json,
    _plain_sorted_json,
    resource_to_dict,
    resource_to_json,
    resource_to_sorted_json,
)
from tests.sync import samples
from tests.sync.strategies import resources


def reference(entry: Resource) -> str:
    """The text both stores keep, as it has always been made."""
    return json.dumps(resource_to_dict(entry), ensure_ascii=False, separators=(",", ":"))


def outcome(write: Any, entry: Resource) -> tuple[Any, ...]:
    try:
        return ("written", write(entry))
    except Exception as exc:
        return ("refused", type(exc), str(exc))


class Text(str):
    pass


class Number(enum.IntEnum):
    EIGHTEEN = 18


# Values no well-typed entry holds, each in a field where the general path writes (or refuses)
# it in its own way.
ODD_CHANGES: list[dict[str, Any]] = [
    {"name": Text("名称")},
    {"name": 7},
    {"format_class": "DATABASE"},
    {"share_type": None},
    {"classification": ""},
    {"items": [DataItem("a", "b")]},
    {"items": (DataItem("a", "b", True),)},
    {"items": (DataItem("a", "b", Number.EIGHTEEN),)},
    {"items": (DataItem("a", "b", 2**70),)},
    {"items": (DataItem("a", "b", is_base_item=1),)},  # type: ignore[arg-type]
    {"items": (DataItem("a", "b", share_type="NONE"),)},  # type: ignore[arg-type]
    {"items": (DataItem(Text("a"), "b"),)},
    {"items": ("not an item",)},
    {"share_modes": {"INTERFACE"}},
    {"share_modes": frozenset({"INTERFACE"})},
    {"open_to_public": 0},
    {"open_to_public": 1},
    {"published_on": datetime(2024, 3, 1, 8, 30)},
    {"published_on": "2024-03-01"},
    {"related_codes": ["301001001/000001"]},
    {"themes": frozenset({"健康保障", 3})},
    {"themes": ("健康保障",)},
    {"state": "PUBLISHED"},
    {"history": (LifecycleStep(LifecycleState.DRAFT, "a", date(2024, 3, 1)),)},  # type: ignore[arg-type]
    {"history": (LifecycleStep(LifecycleState.DRAFT, "a", None),)},  # type: ignore[arg-type]
    {"history": (LifecycleStep("DRAFT", "a", datetime(2024, 3, 1, tzinfo=UTC)),)},  # type: ignore[arg-type]
    {"version": True},
    {"version": 2**80},
    {"version": 10**5000},
    {"version": 1.5},
    {"origin": None},
    {"updated_at": date(2024, 3, 1)},
    {"extensions": (("k", "v", "w"),)},
    {"extensions": (["k", "v"],)},
    {"extensions": (("k", 1),)},
]


@given(resources)
def test_a_well_typed_entry_is_written_directly(entry: Resource) -> None:
    assert _plain_json(entry) == reference(entry)
    assert resource_to_json(entry) == reference(entry)


def test_sample_entries_are_written_directly() -> None:
    sample = generate_catalog(300, seed=1)
    for entry in (sample.resource(i) for i in range(len(sample))):
        assert _plain_json(entry) == reference(entry)


def test_each_odd_value_is_written_as_json_dumps_writes_it() -> None:
    entry = samples.entry()
    for change in ODD_CHANGES:
        changed = dataclasses.replace(entry, **change)
        assert outcome(resource_to_json, changed) == outcome(reference, changed), change


@given(resources, st.lists(st.sampled_from(ODD_CHANGES), min_size=1, max_size=3))
def test_any_entry_is_written_as_json_dumps_writes_it(
    entry: Resource, changes: list[dict[str, Any]]
) -> None:
    for change in changes:
        entry = dataclasses.replace(entry, **change)
    assert outcome(resource_to_json, entry) == outcome(reference, entry)


def test_text_is_escaped_as_json_dumps_escapes_it() -> None:
    entry = next(iter(generate_catalog(10, seed=1).resources()))[0]
    awkward = 'a"b\\c\n\t\x00\x1f\u2028\ud800é名'
    changed = dataclasses.replace(
        entry,
        name=awkward,
        format_class=FormatClass.DATABASE,
        items=(DataItem(awkward, awkward, -5, True, ShareType.NONE),),
        updated_at=datetime(2024, 3, 1, 8, 30, 0, 123, tzinfo=timezone(timedelta(hours=8))),
    )
    assert _plain_json(changed) == reference(changed)


# -- the sorted text of a change event's snapshot ----------------------------------------------


def sorted_reference(entry: Resource) -> str:
    """The snapshot as a change event has always written it: `json.dumps` with sorted keys."""
    return json.dumps(
        resource_to_dict(entry),
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
        allow_nan=False,
    )


@settings(suppress_health_check=[HealthCheck.too_slow])  # entries are large; the machine shared
@given(resources)
def test_a_well_typed_entry_is_written_sorted_directly(entry: Resource) -> None:
    assert _plain_sorted_json(entry) == sorted_reference(entry)
    assert resource_to_sorted_json(entry) == sorted_reference(entry)


def test_sample_entries_are_written_sorted_directly() -> None:
    sample = generate_catalog(300, seed=1)
    for entry in (sample.resource(i) for i in range(len(sample))):
        assert _plain_sorted_json(entry) == sorted_reference(entry)


def test_each_odd_value_is_written_sorted_as_json_dumps_writes_it() -> None:
    entry = samples.entry()
    for change in [*ODD_CHANGES, {"version": float("nan")}]:
        changed = dataclasses.replace(entry, **change)
        assert outcome(resource_to_sorted_json, changed) == outcome(sorted_reference, changed), (
            change
        )


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(resources, st.lists(st.sampled_from(ODD_CHANGES), min_size=1, max_size=3))
def test_any_entry_is_written_sorted_as_json_dumps_writes_it(
    entry: Resource, changes: list[dict[str, Any]]
) -> None:
    for change in changes:
        entry = dataclasses.replace(entry, **change)
    assert outcome(resource_to_sorted_json, entry) == outcome(sorted_reference, entry)


def test_text_is_escaped_sorted_as_json_dumps_escapes_it() -> None:
    entry = next(iter(generate_catalog(10, seed=1).resources()))[0]
    awkward = 'a"b\\c\n\t\x00\x1f\u2028\ud800é名'
    changed = dataclasses.replace(
        entry,
        name=awkward,
        items=(DataItem(awkward, awkward, -5, True, ShareType.NONE),),
        history=(LifecycleStep(LifecycleState.DRAFT, awkward, datetime(2024, 3, 1, tzinfo=UTC)),),
        extensions=((awkward, awkward),),
    )
    assert _plain_sorted_json(changed) == sorted_reference(changed)
