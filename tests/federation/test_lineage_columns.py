"""The lineage's compact form and its server-side layout, over HTTP on both stores: `columns`
says exactly what `nodes` and `edges` say; `layout` places exactly those nodes (Graphviz's dot,
sources left of what derives from them), never one hidden from the caller; without Graphviz
the lineage is still answered and the layout is null with LAYOUT_UNAVAILABLE."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from federation.api import lineage as lineage_api
from federation.layout import Graphviz
from tests.federation.catalog import HOUSEHOLD, POLICE_DRAFT, POPULATION_BASE, WELFARE_THEME
from tests.federation.support import GraphQLCaller, data, only_error
from tests.graph.entries import POLICE

BOTH_FORMS = """
query ($code: String!, $depth: Int!, $over: Int!) {
  lineage(code: $code, direction: BOTH, depth: $depth) {
    root truncated
    nodes { code resource { name providerCode providerName shareType updateCycle origin
            catalog { id name level } } }
    edges { derived source }
    columns { codes names providerCodes providerNames shareTypes updateCycles origins
              catalogs { id name level } catalogIndex edgeDerived edgeSource }
    layout(ifMoreThan: $over) { engine codes x y width height }
  }
}
"""


def dot() -> str:
    found = shutil.which("dot")
    if found is None:
        raise RuntimeError(
            "Graphviz is not installed: the server-side layout is tested with its dot "
            "(apt-get install graphviz; .ci/run installs it)"
        )
    return found


async def both(gql: GraphQLCaller, code: str, over: int = 0, **as_: Any) -> Any:
    variables = {"code": code, "depth": 3, "over": over}
    return data(await gql(BOTH_FORMS, variables, **as_))["lineage"]


def rows(columns: dict[str, Any]) -> list[dict[str, Any]]:
    """The columns as the nodes' objects: what `nodes` says, rebuilt."""
    catalogs = columns["catalogs"]
    return [
        {
            "code": code,
            "resource": {
                "name": columns["names"][i],
                "providerCode": columns["providerCodes"][i],
                "providerName": columns["providerNames"][i],
                "shareType": columns["shareTypes"][i],
                "updateCycle": columns["updateCycles"][i],
                "origin": columns["origins"][i],
                "catalog": None
                if columns["catalogIndex"][i] is None
                else catalogs[columns["catalogIndex"][i]],
            },
        }
        for i, code in enumerate(columns["codes"])
    ]


@pytest.mark.parametrize("department", [None, POLICE.code])
async def test_the_columns_say_what_the_nodes_and_edges_say(
    gql: GraphQLCaller, department: str | None
) -> None:
    dot()
    lineage = await both(gql, HOUSEHOLD, department=department)
    columns = lineage["columns"]
    assert rows(columns) == lineage["nodes"]
    codes = columns["codes"]
    pairs = [
        {"derived": codes[d], "source": codes[s]}
        for d, s in zip(columns["edgeDerived"], columns["edgeSource"], strict=True)
    ]
    assert pairs == lineage["edges"]
    assert len({c["id"] for c in columns["catalogs"]}) == len(columns["catalogs"])
    # The draft is its department's alone, in every form.
    assert (POLICE_DRAFT in codes) is (department == POLICE.code)
    assert (POLICE_DRAFT in lineage["layout"]["codes"]) is (department == POLICE.code)


async def test_the_layout_places_every_node_shown_and_sources_to_the_left(
    gql: GraphQLCaller,
) -> None:
    dot()
    lineage = await both(gql, POPULATION_BASE)
    layout = lineage["layout"]
    assert layout["engine"] == "graphviz dot"
    assert layout["codes"] == [n["code"] for n in lineage["nodes"]]
    at = {code: (layout["x"][i], layout["y"][i]) for i, code in enumerate(layout["codes"])}
    for edge in lineage["edges"]:
        assert at[edge["source"]][0] < at[edge["derived"]][0], edge
    assert len(set(at.values())) == len(at)  # no two nodes on one spot
    for x, y in at.values():
        assert 0 <= x <= layout["width"]
        assert 0 <= y <= layout["height"]
    assert at[WELFARE_THEME][0] > at[POPULATION_BASE][0] > at[HOUSEHOLD][0]


async def test_a_small_lineage_is_left_to_the_browser_when_asked(gql: GraphQLCaller) -> None:
    lineage = await both(gql, POPULATION_BASE, over=100)
    assert lineage["layout"] is None
    assert lineage["nodes"]  # the lineage itself is answered


async def test_a_negative_threshold_is_refused(gql: GraphQLCaller) -> None:
    error = only_error(await gql(BOTH_FORMS, {"code": HOUSEHOLD, "depth": 2, "over": -1}))
    assert error["extensions"] == {
        "code": "INVALID_VALUE",
        "field": "ifMoreThan",
        "value": -1,
        "accepted": "a node count of 0 or more",
    }


async def test_without_graphviz_the_lineage_is_answered_and_the_layout_says_why(
    gql: GraphQLCaller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lineage_api, "graphviz", Graphviz(executable=None))
    answer = await gql(BOTH_FORMS, {"code": HOUSEHOLD, "depth": 2, "over": 0})
    assert answer["data"]["lineage"]["layout"] is None
    assert answer["data"]["lineage"]["nodes"]
    error = only_error(answer)
    assert error["path"] == ["lineage", "layout"]
    assert error["extensions"] == {"code": "LAYOUT_UNAVAILABLE"}
    assert "Graphviz" in error["message"]
    assert "browser" in error["message"]
