"""Unit tests of the natural keys: resource codes, 统一社会信用代码 (GB 32100), region codes
(GB/T 2260)."""

from __future__ import annotations

import pytest

from graph import InvalidValue, Level, ResourceKind, Zone
from graph.codes import (
    category_path,
    check_credit_code,
    check_region_code,
    check_resource_code,
    credit_check_character,
    parse_resource_code,
    region_level,
    region_parent,
)
from graph.model import parse_catalog_id


def test_the_gb_32100_example_is_valid() -> None:
    assert credit_check_character("91350100M000100Y4") == "3"
    assert check_credit_code("91350100M000100Y43") == "91350100M000100Y43"


def test_the_module_example() -> None:
    assert credit_check_character("11510100MB0000001") == "Y"


def test_lower_case_and_spaces_are_normalised() -> None:
    assert check_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91350100M000100Y44", "check character"),
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100I43", "no I, O, S, V, Z"),
        ("", "18 characters"),
    ],
)
def test_bad_credit_codes_are_refused(code: str, says: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_credit_code(code)
    assert refused.value.field == "provider_code"
    assert says in str(refused.value)


def test_credit_check_character_needs_17_characters_of_the_alphabet() -> None:
    with pytest.raises(ValueError, match="17"):
        credit_check_character("9135010")
    with pytest.raises(ValueError, match="17"):
        credit_check_character("91350100M000100O4")


@pytest.mark.parametrize(
    ("code", "kind", "front"),
    [
        ("101001/000001", ResourceKind.BASE, "101001"),
        ("201003002/000123", ResourceKind.THEME, "201003002"),
        ("301001001001/999999", ResourceKind.DEPARTMENT, "301001001001"),
    ],
)
def test_resource_codes_parse(code: str, kind: ResourceKind, front: str) -> None:
    parsed = parse_resource_code(code)
    assert (parsed.kind, parsed.front, str(parsed)) == (kind, front, code)


@pytest.mark.parametrize(
    "code",
    [
        "401001/000001",  # 类 is 1, 2 or 3
        "30100/000001",  # 目 has 3 digits
        "3010010010000001/000001",  # 细目 at most 6 digits
        "301001001/00001",  # sequence of 6
        "301001001000001",
        "301001001/000001 ",
        "３01001001/000001",
        "30１001001/000001",  # full-width digits are not ASCII digits
        "301001001/000001\n",
    ],
)
def test_bad_resource_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidValue, match="前段码/后段码"):
        check_resource_code(code)


def test_category_path() -> None:
    assert category_path("301001001") == ["3", "301", "301001", "301001001"]
    assert category_path("301001") == ["3", "301", "301001"]
    assert category_path("301001001002") == ["3", "301", "301001", "301001001002"]


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("100000", Level.NATIONAL, None),
        ("510000", Level.PROVINCIAL, "100000"),
        ("510100", Level.MUNICIPAL, "510000"),
        ("510104", Level.COUNTY, "510100"),
        ("500000", Level.PROVINCIAL, "100000"),
        ("500101", Level.COUNTY, "500000"),  # 直辖市: no 市辖区 level between
        ("500229", Level.COUNTY, "500000"),  # 重庆's counties, filed under 500200 县
        ("110105", Level.COUNTY, "110000"),
        ("310115", Level.COUNTY, "310000"),
        ("120101", Level.COUNTY, "120000"),
        ("110100", Level.MUNICIPAL, "110000"),
    ],
)
def test_region_levels_and_parents(code: str, level: Level, parent: str | None) -> None:
    assert check_region_code(code) == code
    assert region_level(code) is level
    assert region_parent(code) == parent


def test_every_region_climbs_to_the_nation() -> None:
    chain = ["510104"]
    while (up := region_parent(chain[-1])) is not None:
        chain.append(up)
    assert chain == ["510104", "510100", "510000", "100000"]


@pytest.mark.parametrize("code", ["000000", "990000", "51010", "5101000", "510001", "51O100"])
def test_bad_region_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidValue, match="GB/T 2260"):
        check_region_code(code)


def test_a_catalog_id_is_refused_naming_the_field_asked_for() -> None:
    assert parse_catalog_id("510100/intranet", "hops[0]") == ("510100", Zone.INTRANET)
    assert parse_catalog_id("510100/intranet") == ("510100", Zone.INTRANET)
    with pytest.raises(InvalidValue) as refused:
        parse_catalog_id("510100/Intranet", "hops[1]")
    assert refused.value.field == "hops[1]"
    with pytest.raises(InvalidValue):
        parse_catalog_id(["510100/intranet"])  # type: ignore[arg-type]
