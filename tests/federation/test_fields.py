"""The GraphQL side of each field's facts (graph.fields): the schema shows exactly the fields
that declare a GraphQL name (plus what it computes from an entry), each with the entry's value,
and a peer's answer to the wire query reads every one of them back.

Defect class: a field added to the model but not to the GraphQL type, the wire query or the
wire reader — peers would then copy entries without it — and a field the schema shows under a
name other than the one the model declares.

Run on both stores (the `store` and `gql` fixtures).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from federation.discovery.wire import PEER_RESOURCE, resource_from_json
from graph import CatalogStore, DataItem, Resource
from graph.fields import facts_of
from tests.federation.support import GraphQLCaller, data
from tests.graph.every_field import EVERY_FIELD

# What the schema computes from an entry rather than copies from one of its fields.
COMPUTED = {
    "Resource": {
        "kind",
        "provider",
        "categories",
        "catalog",
        "catalogPath",
        "related",
        "openObjections",
        "accessDetails",
        "lastDataUpdate",
    },
    "DataItem": set(),
}
FIELDS_OF_TYPE = """query ($name: String!) { __type(name: $name) { fields { name } } }"""


def _shown(cls: type) -> set[str]:
    return {f.graphql_name for f in facts_of(cls).values() if f.graphql_name is not None}


@pytest.mark.parametrize("cls", [Resource, DataItem])
async def test_the_schema_shows_each_field_by_its_declared_name(
    gql: GraphQLCaller, cls: type
) -> None:
    found = data(await gql(FIELDS_OF_TYPE, {"name": cls.__name__}))["__type"]["fields"]
    assert {f["name"] for f in found} == _shown(cls) | COMPUTED[cls.__name__]


async def test_a_peer_reads_back_every_field_the_schema_shows(
    store: CatalogStore, gql: GraphQLCaller
) -> None:
    """The wire query asks for each shown field, the schema answers it with the entry's value
    and the wire reader puts it back: the copy equals the entry but for the fields the schema
    does not show, which come back as their defaults."""
    await store.apply([EVERY_FIELD])
    answer = data(await gql(PEER_RESOURCE, {"code": EVERY_FIELD.code, "scope": "AGGREGATED"}))
    copy = resource_from_json(answer["resource"])
    hidden: dict[str, Any] = {
        name: field.default
        for name, field in Resource.__dataclass_fields__.items()
        if facts_of(Resource)[name].graphql_name is None
    }
    assert hidden  # derived_from and extensions: else this would check nothing
    assert copy == dataclasses.replace(EVERY_FIELD, **hidden)
