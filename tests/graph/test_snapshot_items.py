"""Data items read from snapshots are shared between the entries that hold equal ones
(`graph.snapshot`): immutable values, made once."""

from __future__ import annotations

import dataclasses

from graph.enums import ShareType
from graph.model import DataItem
from graph.snapshot import resource_from_json, resource_to_json
from tests.graph.entries import resource


def test_equal_items_of_two_entries_are_one_value_and_each_reads_back_equal() -> None:
    items = (
        DataItem("姓名", "字符型C", 50),
        DataItem("身份证号码", "字符型C", 18, is_base_item=True, share_type=ShareType.CONDITIONAL),
    )
    first = resource("301001001/000001", items=items)
    second = dataclasses.replace(first, code="301001001/000002", name="常住人口信息")
    a, b = (resource_from_json(resource_to_json(e)) for e in (first, second))
    assert (a, b) == (first, second)
    assert all(x is y for x, y in zip(a.items, b.items, strict=True))


def test_items_that_differ_in_any_field_stay_apart() -> None:
    base = DataItem("姓名", "字符型C", 50)
    variants = (
        base,
        dataclasses.replace(base, length=None),
        dataclasses.replace(base, is_base_item=True),
        dataclasses.replace(base, share_type=ShareType.NONE),
        dataclasses.replace(base, data_type="字符型V"),
    )
    entry = resource("301001001/000003", items=variants)
    assert resource_from_json(resource_to_json(entry)).items == variants
