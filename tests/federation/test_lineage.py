"""Lineage over HTTP: upstream, downstream, both; the depth bound and `truncated`; entries
not held here left out (issue 13: no reader reveals a code it does not hold); drafts hidden
from other departments."""

from __future__ import annotations

from typing import Any

import pytest

from tests.federation.catalog import (
    ELSEWHERE,
    FLOATING,
    HOUSEHOLD,
    POLICE_DRAFT,
    POPULATION_BASE,
    WELFARE_THEME,
)
from tests.federation.support import GraphQLCaller, data, only_error
from tests.graph.entries import POLICE

LINEAGE = """
query ($code: String!, $direction: Direction!, $depth: Int!) {
  lineage(code: $code, direction: $direction, depth: $depth) {
    root truncated
    nodes { code resource { name } }
    edges { derived source }
  }
}
"""


async def walk(gql: GraphQLCaller, code: str, direction: str, depth: int, **as_: Any) -> Any:
    variables = {"code": code, "direction": direction, "depth": depth}
    return data(await gql(LINEAGE, variables, **as_))["lineage"]


def edges(lineage: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["derived"], e["source"]) for e in lineage["edges"]}


async def test_upstream_stops_at_the_depth_and_says_so(gql: GraphQLCaller) -> None:
    one = await walk(gql, WELFARE_THEME, "UPSTREAM", 1)
    assert one["root"] == WELFARE_THEME
    assert {n["code"] for n in one["nodes"]} == {WELFARE_THEME, POPULATION_BASE}
    assert edges(one) == {(WELFARE_THEME, POPULATION_BASE)}
    assert one["truncated"] is True

    two = await walk(gql, WELFARE_THEME, "UPSTREAM", 2)
    assert {n["code"] for n in two["nodes"]} == {
        WELFARE_THEME,
        POPULATION_BASE,
        HOUSEHOLD,
        FLOATING,
    }
    assert two["truncated"] is False


async def test_an_entry_not_held_here_is_left_out(gql: GraphQLCaller) -> None:
    """Defect class 1 of issue 13: a source not held here (another level's, or one redacted
    since) was a bare code; a reference is shown only when its entry is held and visible."""
    lineage = await walk(gql, POPULATION_BASE, "UPSTREAM", 1)
    by_code = {n["code"]: n["resource"] for n in lineage["nodes"]}
    assert ELSEWHERE not in by_code
    assert (POPULATION_BASE, ELSEWHERE) not in edges(lineage)
    assert by_code[HOUSEHOLD] == {"name": "户籍人口信息"}


async def test_the_lineage_of_a_code_not_held_here_is_not_found(gql: GraphQLCaller) -> None:
    """The same answer as for a hidden draft: probing cannot tell which entries refer to it."""
    variables = {"code": ELSEWHERE, "direction": "DOWNSTREAM", "depth": 2}
    error = only_error(await gql(LINEAGE, variables))
    assert error["extensions"] == {"code": "NOT_FOUND", "what": "resource", "key": ELSEWHERE}


async def test_downstream_hides_another_departments_draft(gql: GraphQLCaller) -> None:
    anonymous = await walk(gql, HOUSEHOLD, "DOWNSTREAM", 3)
    assert {n["code"] for n in anonymous["nodes"]} == {HOUSEHOLD, POPULATION_BASE, WELFARE_THEME}
    assert (POLICE_DRAFT, HOUSEHOLD) not in edges(anonymous)

    owner = await walk(gql, HOUSEHOLD, "DOWNSTREAM", 3, department=POLICE.code)
    assert POLICE_DRAFT in {n["code"] for n in owner["nodes"]}
    assert (POLICE_DRAFT, HOUSEHOLD) in edges(owner)


async def test_both_directions(gql: GraphQLCaller) -> None:
    lineage = await walk(gql, POPULATION_BASE, "BOTH", 1)
    assert edges(lineage) == {
        (WELFARE_THEME, POPULATION_BASE),
        (POPULATION_BASE, HOUSEHOLD),
        (POPULATION_BASE, FLOATING),
    }


@pytest.mark.parametrize("depth", [0, 11, -1])
async def test_the_depth_is_bounded(gql: GraphQLCaller, depth: int) -> None:
    variables = {"code": HOUSEHOLD, "direction": "BOTH", "depth": depth}
    error = only_error(await gql(LINEAGE, variables))
    assert error["extensions"] == {
        "code": "INVALID_VALUE",
        "field": "depth",
        "value": depth,
        "accepted": "a lineage depth from 1 to 10",
    }


async def test_the_lineage_of_a_hidden_draft_is_not_found(gql: GraphQLCaller) -> None:
    variables = {"code": POLICE_DRAFT, "direction": "BOTH", "depth": 2}
    error = only_error(await gql(LINEAGE, variables))
    assert error["extensions"]["code"] == "NOT_FOUND"
