"""The two paths of `sync.snapshots.resource_from_dict`: the fast one, for a snapshot of plain
JSON values, and the careful one, which names what is wrong. Whatever the snapshot, both must
come to the same entry or the same refusal, and `check_snapshot` must refuse exactly what
`resource_from_dict` refuses."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from graph import Resource
from graph.sample import generate_catalog
from sync.snapshots import (
    _careful_resource,
    _is_plain,
    check_snapshot,
    resource_from_dict,
    resource_to_dict,
)
from tests.sync import samples
from tests.sync.strategies import resources


class Text(str):
    """A `str` subclass: the careful path takes it, the fast one leaves it to the careful one."""


# Values a field may be found holding, right or wrong: JSON values of every type, enum values,
# dates, and a few that JSON never makes (a `str` subclass, a tuple).
ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2**63,
    1.5,
    "",
    " ",
    "x",
    "DATABASE",
    "CONDITIONAL",
    "DAILY",
    "CLASSIFIED",
    "INTERFACE",
    "PUBLISHED",
    "2024-03-01",
    "2024-03-01T08:30:00+00:00",
    "2024-13-01",
    [],
    [""],
    ["INTERFACE", "ONLINE_QUERY"],
    ["a", "b"],
    ["a", "b", "c"],
    [["k", "v"]],
    {},
    {"name": "n", "data_type": "t"},
    {"state": "DRAFT", "actor": "a", "at": "2024-03-01T08:30:00"},
    Text("x"),
    Text("UNCONDITIONAL"),
    ("k", "v"),
]


def _paths(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every place in a snapshot a value can be changed, down to the fields of its items."""
    paths: list[tuple[Any, ...]] = [(key,) for key in document]
    for key in ("items", "history", "share_modes", "themes", "related_codes", "extensions"):
        elements = document.get(key)
        for i, element in enumerate(elements if isinstance(elements, list) else []):
            paths.append((key, i))
            if isinstance(element, dict):
                paths += [(key, i, field) for field in element]
                paths.append((key, i, "colour"))
            elif isinstance(element, list):
                paths += [(key, i, j) for j in range(len(element))]
    return paths


@st.composite
def mutated_snapshots(draw: st.DrawFn) -> dict[str, Any]:
    """A snapshot of a generated entry, after JSON, with a few values changed or removed."""
    document: dict[str, Any] = json.loads(json.dumps(resource_to_dict(draw(resources))))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([*_paths(document), ("nickname",)]))
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        if draw(st.booleans()) and isinstance(target, dict):
            target.pop(path[-1], None)
        else:
            # A copy: the odd values are shared by every example, and a list put in here
            # and changed by a later step would change them all, even into a list that holds
            # itself (which no JSON document can be).
            target[path[-1]] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
    return document


def outcome(convert: Any, *args: Any) -> tuple[Any, ...]:
    try:
        return ("accepted", convert(*args))
    except Exception as exc:
        return ("refused", type(exc), str(exc), *vars(exc).values())


@given(resources)
def test_a_snapshot_from_json_takes_the_fast_path(entry: Resource) -> None:
    document = json.loads(json.dumps(resource_to_dict(entry)))
    assert _is_plain(document)
    assert resource_from_dict(document) == entry == _careful_resource(document, "snapshot")


def test_sample_entries_take_the_fast_path() -> None:
    sample = generate_catalog(300, seed=1)
    for entry in (sample.resource(i) for i in range(len(sample))):
        document = json.loads(json.dumps(resource_to_dict(entry)))
        assert _is_plain(document)
        assert resource_from_dict(document) == entry


def assert_both_paths_agree(document: dict[str, Any]) -> None:
    before = copy.deepcopy(document)
    careful = outcome(_careful_resource, document, "snapshot")
    assert outcome(resource_from_dict, document) == careful
    checked = outcome(check_snapshot, document)
    assert checked == (("accepted", None) if careful[0] == "accepted" else careful)
    assert document == before  # neither path changed it


def test_both_paths_agree_on_each_odd_value_anywhere() -> None:
    document = json.loads(json.dumps(resource_to_dict(samples.entry())))
    for path in [*_paths(document), ("nickname",)]:
        for value in [*ODD_VALUES, ...]:
            changed = copy.deepcopy(document)
            target: Any = changed
            for step in path[:-1]:
                target = target[step]
            if value is ...:
                if not isinstance(target, dict):
                    continue
                target.pop(path[-1], None)
            else:
                target[path[-1]] = value
            assert_both_paths_agree(changed)


@given(mutated_snapshots())
def test_both_paths_agree_on_any_snapshot(document: dict[str, Any]) -> None:
    assert_both_paths_agree(document)


def test_a_str_subclass_is_left_to_the_careful_path() -> None:
    document = resource_to_dict(samples.entry())
    document["name"] = Text("企业登记信息")
    document["items"][0]["share_type"] = Text("UNCONDITIONAL")
    assert not _is_plain(document)
    entry = resource_from_dict(document)
    assert entry.name == "企业登记信息"
    assert entry.items[0].share_type == "UNCONDITIONAL"
    check_snapshot(document)
