"""Each field of an entry declares its facts once (graph.fields); what is made of them — the
rules' limits, the snapshot codecs of graph.snapshot — agrees with them, field by field.

Defect class: a field list written out by hand in several places drifting apart — a new field
that one codec forgets (and silently drops), a limit the rules do not apply, a field that
crosses links because no one decided it should not. Before the facts existed, nothing tied
the lists together.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from collections.abc import Callable
from typing import Any

import pytest

from graph import DataItem, InvalidValue, Resource, Zone, check_resource
from graph.fields import FieldFacts, facts, facts_of
from graph.rules import LIMITS
from graph.snapshot import _plain_json, item_to_dict, resource_from_json, resource_to_dict
from tests.graph.every_field import EVERY_FIELD

# The core metadata elements of the 1272 guide (《政务信息资源目录编制指南（试行）》), as the
# model labels them; 信息资源分类 is the code's front part (`Resource.category_code`), and
# 信息资源格式, 共享属性 and 开放属性 are made of the parts labelled here.
GUIDE_CORE_ELEMENTS = {
    "信息资源名称",
    "信息资源代码",
    "信息资源提供方",
    "信息资源提供方代码",
    "信息资源摘要",
    "信息资源格式分类",
    "信息资源格式类型",
    "信息项信息",
    "共享类型",
    "共享条件",
    "共享方式",
    "是否向社会开放",
    "开放条件",
    "更新周期",
    "发布日期",
    "关联资源代码",
}


@pytest.mark.parametrize("cls", [Resource, DataItem])
def test_every_field_declares_its_facts(cls: type) -> None:
    assert list(facts_of(cls)) == [f.name for f in dataclasses.fields(cls)]
    assert all(isinstance(found, FieldFacts) for found in facts_of(cls).values())


def test_a_field_declared_without_its_facts_is_refused_naming_it() -> None:
    @dataclasses.dataclass(frozen=True)
    class Undecided:
        name: str = dataclasses.field(
            metadata=facts("信息资源名称", crosses=True, graphql_name="name")
        )
        secret: str = ""

    with pytest.raises(TypeError, match=r"Undecided\.secret is declared without its facts"):
        facts_of(Undecided)


def test_whether_a_field_crosses_links_has_no_default() -> None:
    """A field is never sent to another instance because no one decided it should not be."""
    parameters = inspect.signature(facts).parameters
    assert parameters["crosses"].default is inspect.Parameter.empty
    assert parameters["graphql_name"].default is inspect.Parameter.empty
    with pytest.raises(TypeError, match="crosses"):
        facts("信息资源名称", graphql_name="name")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"label_zh": " "}, "label_zh is ' ': a field needs its Chinese label"),
        ({"limit": 0}, "limit is 0: a whole number ≥ 1, or None"),
    ],
)
def test_malformed_facts_are_refused_naming_what(changes: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"label_zh": "信息资源名称", "crosses": True, "graphql_name": None}
    with pytest.raises(ValueError, match=message):
        FieldFacts(**(arguments | changes))


def test_the_core_elements_of_the_1272_guide_are_fields_of_an_entry() -> None:
    core = {f.label_zh for f in facts_of(Resource).values() if f.core}
    assert core == GUIDE_CORE_ELEMENTS


@pytest.mark.parametrize("cls", [Resource, DataItem])
def test_each_label_names_one_field(cls: type) -> None:
    """A label is a column heading in an exchange format: two fields may not share one."""
    labels = [f.label_zh for f in facts_of(cls).values()]
    assert len(set(labels)) == len(labels)


# -- the rules' limits ----------------------------------------------------------------------

# How to make an element of each sequence field that has a limit (a count): the i-th, distinct.
ELEMENTS: dict[str, Callable[[int], Any]] = {
    "items": lambda i: DataItem(f"信息项{i}", "字符型"),
    "related_codes": lambda i: f"301001001/{i + 100:06d}",
    "derived_from": lambda i: f"301002001/{i + 100:06d}",
}


def _limited(cls: type) -> list[str]:
    return [name for name, f in facts_of(cls).items() if f.limit is not None]


def test_the_rules_apply_every_declared_limit_and_no_other() -> None:
    declared = {name: facts_of(Resource)[name].limit for name in _limited(Resource)}
    declared |= {f"item.{name}": facts_of(DataItem)[name].limit for name in _limited(DataItem)}
    assert dict(LIMITS) == declared


def test_the_entry_with_every_field_set_is_valid() -> None:
    assert check_resource(EVERY_FIELD, Zone.INTRANET) == EVERY_FIELD


def _at_size(name: str, size: int) -> Any:
    value = getattr(EVERY_FIELD, name)
    if isinstance(value, str):
        return "字" * size
    return tuple(ELEMENTS[name](i) for i in range(size))


@pytest.mark.parametrize("name", _limited(Resource))
def test_a_field_at_its_limit_is_taken_and_one_beyond_is_refused_by_name(name: str) -> None:
    limit = facts_of(Resource)[name].limit
    assert limit is not None
    at_limit = dataclasses.replace(EVERY_FIELD, **{name: _at_size(name, limit)})
    assert getattr(check_resource(at_limit, Zone.INTRANET), name) == getattr(at_limit, name)
    beyond = dataclasses.replace(EVERY_FIELD, **{name: _at_size(name, limit + 1)})
    with pytest.raises(InvalidValue) as refused:
        check_resource(beyond, Zone.INTRANET)
    assert refused.value.field == name
    assert str(limit) in refused.value.accepted


@pytest.mark.parametrize("name", _limited(DataItem))
def test_an_item_field_at_its_limit_is_taken_and_one_beyond_is_refused_by_name(
    name: str,
) -> None:
    limit = facts_of(DataItem)[name].limit
    assert limit is not None
    item = EVERY_FIELD.items[0]
    value = getattr(item, name)

    def with_item_value(size: int) -> Resource:
        changed: Any = "字" * size if isinstance(value, str) else size
        return dataclasses.replace(
            EVERY_FIELD, items=(dataclasses.replace(item, **{name: changed}),)
        )

    check_resource(with_item_value(limit), Zone.INTRANET)
    with pytest.raises(InvalidValue) as refused:
        check_resource(with_item_value(limit + 1), Zone.INTRANET)
    assert refused.value.field == f"items[0].{name}"


# -- the snapshot codecs of graph.snapshot ---------------------------------------------------


@pytest.mark.parametrize("value", [EVERY_FIELD, *EVERY_FIELD.items])
def test_every_field_holds_a_value_other_than_its_default(value: object) -> None:
    """So that a mapping which leaves a field out cannot give the same entry back."""
    for declared in dataclasses.fields(value):  # type: ignore[arg-type]
        found = getattr(value, declared.name)
        assert found is not None, declared.name
        assert found != declared.default, declared.name


def test_the_dict_has_every_field_by_its_name_in_declaration_order() -> None:
    assert list(resource_to_dict(EVERY_FIELD)) == list(facts_of(Resource))
    assert list(item_to_dict(EVERY_FIELD.items[0])) == list(facts_of(DataItem))


def test_the_text_written_directly_is_that_of_the_dict() -> None:
    """`_plain_json` writes the fields itself; it must write each one the dict has."""
    expected = json.dumps(resource_to_dict(EVERY_FIELD), ensure_ascii=False, separators=(",", ":"))
    assert _plain_json(EVERY_FIELD) == expected


def test_every_field_is_read_back_from_the_stored_text() -> None:
    assert resource_from_json(_plain_json(EVERY_FIELD)) == EVERY_FIELD
