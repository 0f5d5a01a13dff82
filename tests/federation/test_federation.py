"""The API as an Apollo Federation v2 subgraph: `_service { sdl }`, `_entities` for Resource and
Department keyed by code, and composition with another subgraph by Apollo's own
`@apollo/composition` (run with node; its packages are installed into compose/ on first use).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.federation.catalog import HOUSEHOLD, POLICE_DRAFT
from tests.federation.support import GraphQLCaller, data
from tests.graph.entries import POLICE

COMPOSE = Path(__file__).parent / "compose"

ENTITIES = """query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Resource { code name provider { code name } }
    ... on Department { code name resourceCount }
  }
}"""

# A second subgraph: a department's own system of data demands (数据需求), which refers to our
# resources and departments by code only (share requests are mulu's own since the sharing API).
DEMANDS_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

type Resource @key(fields: "code", resolvable: false) {
  code: ID!
}

type Department @key(fields: "code", resolvable: false) {
  code: ID!
}

type DataDemand @key(fields: "id") {
  id: ID!
  resource: Resource!
  requester: Department!
  reason: String!
}

type Query {
  dataDemands: [DataDemand!]!
}
"""


async def sdl(gql: GraphQLCaller) -> str:
    text: str = data(await gql("{ _service { sdl } }"))["_service"]["sdl"]
    return text


async def test_the_sdl_declares_the_entities_and_federation_2(gql: GraphQLCaller) -> None:
    text = await sdl(gql)
    assert 'schema @link(url: "https://specs.apollo.dev/federation/v2.7"' in text
    assert 'type Resource @key(fields: "code")' in text
    assert 'type Department @key(fields: "code")' in text


async def test_entities_resolve_by_code(gql: GraphQLCaller) -> None:
    representations = [
        {"__typename": "Resource", "code": HOUSEHOLD},
        {"__typename": "Department", "code": POLICE.code},
        {"__typename": "Resource", "code": "309001001/000001"},
    ]
    entities = data(await gql(ENTITIES, {"representations": representations}))["_entities"]
    assert entities[0] == {
        "__typename": "Resource",
        "code": HOUSEHOLD,
        "name": "户籍人口信息",
        "provider": {"code": POLICE.code, "name": POLICE.name},
    }
    assert entities[1] == {
        "__typename": "Department",
        "code": POLICE.code,
        "name": POLICE.name,
        "resourceCount": 3,
    }
    assert entities[2] is None


async def test_an_entity_the_caller_may_not_see_is_null(gql: GraphQLCaller) -> None:
    representations = [{"__typename": "Resource", "code": POLICE_DRAFT}]
    anonymous = data(await gql(ENTITIES, {"representations": representations}))
    assert anonymous["_entities"] == [None]
    owner = data(await gql(ENTITIES, {"representations": representations}, department=POLICE.code))
    assert owner["_entities"][0]["name"] == "出入境证件信息"


def compose(subgraphs: list[dict[str, str]], tmp_path: Path) -> dict[str, Any]:
    """What Apollo's composition makes of `subgraphs`: a supergraph SDL, or errors."""
    node, npm = shutil.which("node"), shutil.which("npm")
    # Node.js is part of the development machine (README); a missing one is a failure.
    assert node is not None, "node (Node.js 20) is needed to run Apollo's composition"
    assert npm is not None, "npm is needed to install Apollo's composition"
    if not (COMPOSE / "node_modules" / "@apollo" / "composition").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=COMPOSE, check=True, timeout=300)
    given = tmp_path / "subgraphs.json"
    given.write_text(json.dumps(subgraphs), encoding="utf-8")
    done = subprocess.run(
        [node, "compose.js", str(given)],
        cwd=COMPOSE,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


async def test_the_subgraph_composes_into_a_supergraph(gql: GraphQLCaller, tmp_path: Path) -> None:
    subgraphs = [
        {"name": "mulu", "url": "http://127.0.0.1:8000/graphql", "sdl": await sdl(gql)},
        {"name": "requests", "url": "http://127.0.0.1:8001/graphql", "sdl": DEMANDS_SDL},
    ]
    result = compose(subgraphs, tmp_path)
    assert "errors" not in result, result["errors"]
    supergraph = result["supergraphSdl"]
    assert 'join__type(graph: MULU, key: "code")' in supergraph
    assert 'join__type(graph: REQUESTS, key: "code", resolvable: false)' in supergraph
    assert "dataDemands: [DataDemand!]!" in supergraph
    assert "resources(" in supergraph


async def test_composition_reports_a_conflicting_subgraph(
    gql: GraphQLCaller, tmp_path: Path
) -> None:
    # The check is real: a subgraph typing the key differently does not compose.
    conflicting = DEMANDS_SDL.replace(
        'type Resource @key(fields: "code", resolvable: false) {\n  code: ID!',
        'type Resource @key(fields: "code", resolvable: false) {\n  code: Int!',
    )
    subgraphs = [
        {"name": "mulu", "url": "http://127.0.0.1:8000/graphql", "sdl": await sdl(gql)},
        {"name": "requests", "url": "http://127.0.0.1:8001/graphql", "sdl": conflicting},
    ]
    errors = compose(subgraphs, tmp_path)["errors"]
    assert any("Resource.code" in message for message in errors), errors


async def test_a_representation_of_no_entity_type_is_refused_by_name(
    gql: GraphQLCaller, caplog: Any
) -> None:
    # Found by fuzzing (tests/federation/test_fuzz.py): a `__typename` outside the entity
    # types failed inside strawberry (KeyError, TypeError for Catalog) with a traceback in the
    # log, and left the other representations' resolvers unawaited.
    bad: list[tuple[Any, str]] = [
        ({"__typename": "Nope", "code": HOUSEHOLD}, "representations[1].__typename"),
        ({"__typename": "Catalog", "code": HOUSEHOLD}, "representations[1].__typename"),
        ({"__typename": "Resource", "code": 3}, "representations[1]"),
        ({"__typename": "Resource", "code": HOUSEHOLD, "name": "x"}, "representations[1]"),
    ]
    for representation, field in bad:
        caplog.clear()
        ok = {"__typename": "Resource", "code": HOUSEHOLD}
        answer = await gql(ENTITIES, {"representations": [ok, representation]})
        (error,) = answer["errors"]
        assert error["extensions"]["code"] == "INVALID_VALUE"
        assert error["extensions"]["field"] == field
        assert "Traceback" not in caplog.text
        assert not [r for r in caplog.records if r.levelname == "ERROR"]
