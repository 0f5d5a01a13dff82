"""Unit tests of `graph.rules.check_resource`: what it normalises and what it refuses, as a
pure function (the contract suite checks that stores enforce it)."""

from __future__ import annotations

import pytest

from graph import (
    Classification,
    DataItem,
    InvalidValue,
    ShareMode,
    ShareType,
    Zone,
    check_resource,
)
from tests.graph.entries import POLICE, code, resource


def test_a_valid_entry_passes_unchanged() -> None:
    entry = resource()
    assert check_resource(entry, Zone.INTRANET) == entry
    assert check_resource(entry, Zone.EXTRANET) == entry


def test_text_is_stripped_and_codes_normalised() -> None:
    entry = resource(
        name="  户籍人口信息 ",
        provider_code=POLICE.code.lower(),
        share_type=ShareType.CONDITIONAL,
        share_condition=" 经审批 ",
        open_condition="   ",
        related_codes=(code(2), code(2), code(3)),
        items=(DataItem(" 姓名 ", " string "),),
    )
    checked = check_resource(entry, Zone.INTRANET)
    assert checked.name == "户籍人口信息"
    assert checked.provider_code == POLICE.code
    assert checked.share_condition == "经审批"
    assert checked.open_condition is None
    assert checked.related_codes == (code(2), code(3))
    assert checked.items == (DataItem("姓名", "string"),)


def test_intranet_fails_closed() -> None:
    """national 第十一条: a missing classification on the intranet means CLASSIFIED."""
    checked = check_resource(resource(classification=None), Zone.INTRANET)
    assert checked.classification is Classification.CLASSIFIED


@pytest.mark.parametrize("classification", [Classification.CLASSIFIED, None])
def test_extranet_refuses_classified(classification: Classification | None) -> None:
    """national 第十一条: the extranet holds no classified entry."""
    with pytest.raises(InvalidValue) as refused:
        check_resource(resource(classification=classification), Zone.EXTRANET)
    assert refused.value.field == "classification"
    assert refused.value.rule == "national 第十一条"


def test_an_entry_checked_for_one_zone_is_checked_again_for_the_other() -> None:
    """national 第十一条: what passed the intranet's rules is not thereby fit for the extranet."""
    on_intranet = check_resource(resource(classification=None), Zone.INTRANET)
    assert check_resource(on_intranet, Zone.INTRANET) is on_intranet  # checked once is enough
    with pytest.raises(InvalidValue) as refused:
        check_resource(on_intranet, Zone.EXTRANET)
    assert refused.value.field == "classification"


def test_not_shared_with_a_legal_basis_passes() -> None:
    """national 第十条(一): an entry not shared names the law that forbids sharing."""
    entry = resource(
        share_type=ShareType.NONE, legal_basis="《保守国家秘密法》", share_modes=frozenset()
    )
    assert check_resource(entry, Zone.INTRANET).legal_basis == "《保守国家秘密法》"


def test_base_items_of_a_base_resource_shared_unconditionally_pass() -> None:
    """national 第十条(二): base items unconditional, even in a conditional base resource."""
    entry = resource(
        "101001001/000001",
        share_type=ShareType.CONDITIONAL,
        share_condition="经审批",
        items=(
            DataItem("公民身份号码", "string", 18, True, ShareType.UNCONDITIONAL),
            DataItem("住址", "string", 200),
        ),
    )
    assert check_resource(entry, Zone.INTRANET).items == entry.items


def test_refusal_extensions_name_field_value_and_accepted() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_resource(resource(share_modes=frozenset()), Zone.INTRANET)
    ext = refused.value.extensions()
    assert ext["code"] == "INVALID_VALUE"
    assert ext["field"] == "share_modes"
    assert ext["value"] == "[]"
    assert "INTERFACE" in ext["accepted"]


def test_first_broken_rule_is_reported() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_resource(resource(code="bad", name=""), Zone.INTRANET)
    assert refused.value.field == "code"


def test_every_share_mode_is_accepted() -> None:
    # 数据比对 apart from the modes that hand data over (Sichuan 第二十三条: 数据不落地).
    for modes in (frozenset(ShareMode) - {ShareMode.DATA_COMPARISON}, {ShareMode.DATA_COMPARISON}):
        entry = resource(share_modes=frozenset(modes))
        assert check_resource(entry, Zone.EXTRANET).share_modes == modes


def test_plain_string_enum_values_are_checked_like_members() -> None:
    """A share type given as its string value still meets the NONE rule (national 第十条(一))."""
    with pytest.raises(InvalidValue) as refused:
        check_resource(
            resource(share_type="NONE", legal_basis=None, share_modes=frozenset()), Zone.INTRANET
        )  # type: ignore[arg-type]
    assert refused.value.field == "legal_basis"
    with pytest.raises(InvalidValue) as refused:
        check_resource(resource(share_type="SOMETIMES"), Zone.INTRANET)  # type: ignore[arg-type]
    assert refused.value.field == "share_type"
    assert "UNCONDITIONAL, CONDITIONAL, NONE" in refused.value.accepted


@pytest.mark.parametrize(
    ("items", "field", "accepted"),
    [
        ((DataItem(" ", "string"),), "items[0].name", "a non-blank text of at most 200 characters"),
        (
            (DataItem("名" * 201, "s"),),
            "items[0].name",
            "a non-blank text of at most 200 characters",
        ),
        ((DataItem(7, "s"),), "items[0].name", "a non-blank text of at most 200 characters"),  # type: ignore[arg-type]
        ((DataItem("a", ""),), "items[0].data_type", "a non-blank text of at most 50 characters"),
        (
            (DataItem("a", "t" * 51),),
            "items[0].data_type",
            "a non-blank text of at most 50 characters",
        ),
        (
            (DataItem("a", "s"), DataItem(" a ", "s")),
            "items[1].name",
            "a name no other item of this entry has",
        ),
        (
            (DataItem("a", "s"), DataItem("b", "s", 0)),
            "items[1].length",
            "empty, or a whole number ≥ 1",
        ),
        (
            (DataItem("a", "s", is_base_item=True),),
            "items[0].is_base_item",
            "false: only a base resource",
        ),
    ],
)
def test_item_refusals_name_the_item_and_field(
    items: tuple[DataItem, ...], field: str, accepted: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_resource(resource(items=items), Zone.INTRANET)
    assert refused.value.field == field
    assert refused.value.accepted.startswith(accepted)


def test_items_that_need_no_stripping_are_stored_as_they_are() -> None:
    items = (DataItem("姓名", "string", 50), DataItem(" 住址 ", "string"))
    checked = check_resource(resource(items=items), Zone.INTRANET).items
    assert checked == (DataItem("姓名", "string", 50), DataItem("住址", "string"))
    assert type(checked) is tuple


@pytest.mark.parametrize("field", ["related_codes", "derived_from"])
def test_an_entry_names_at_most_500_other_entries_per_reference_field(field: str) -> None:
    # A per-entry bound on references (issue: nothing stalled): a relay looks up the clearance
    # of every code a batch names, so what one entry can name is bounded where it is written.
    many = tuple(f"301001002/{n:06d}" for n in range(1, 502))
    with pytest.raises(InvalidValue) as refused:
        check_resource(resource(**{field: many}), Zone.INTRANET)
    assert refused.value.field == field
    assert "501 codes" in str(refused.value)
    assert "at most 500 codes" in str(refused.value)
    assert check_resource(resource(**{field: many[:500]}), Zone.INTRANET)
