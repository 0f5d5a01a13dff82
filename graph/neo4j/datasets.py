"""The Neo4j store's dataset mappings (graph.exchange.datasets): `(:DatasetMapping
{namespace, name, code})`, unique on (namespace, name) (`graph.neo4j.schema`), written in the
store's managed transactions with their audit records."""

from __future__ import annotations

from collections.abc import Sequence

from neo4j import AsyncManagedTransaction

from graph.errors import NotFound
from graph.exchange.datasets import DatasetKey, DatasetMapping
from graph.neo4j.statements import run

__all__ = ["mappings", "put", "remove"]

ALL_MAPPINGS = (
    "MATCH (m:DatasetMapping) RETURN m.namespace AS namespace, m.name AS name, m.code AS code "
    "ORDER BY namespace, name"
)
MAPPINGS = (
    "UNWIND $keys AS key "
    "MATCH (m:DatasetMapping {namespace: key[0], name: key[1]}) "
    "RETURN m.namespace AS namespace, m.name AS name, m.code AS code"
)
PUT_MAPPING = "MERGE (m:DatasetMapping {namespace: $namespace, name: $name}) SET m.code = $code"
REMOVE_MAPPING = (
    "MATCH (m:DatasetMapping {namespace: $namespace, name: $name}) DELETE m RETURN count(*) AS gone"
)


async def mappings(
    tx: AsyncManagedTransaction, keys: Sequence[DatasetKey] | None
) -> dict[DatasetKey, str]:
    if keys is None:
        records = await run(tx, ALL_MAPPINGS)
    else:
        wanted = [[k.namespace, k.name] for k in dict.fromkeys(keys)]
        records = await run(tx, MAPPINGS, keys=wanted)
    return {DatasetKey(r["namespace"], r["name"]): r["code"] for r in records}


async def put(tx: AsyncManagedTransaction, mapping: DatasetMapping) -> None:
    key = mapping.key
    await run(tx, PUT_MAPPING, namespace=key.namespace, name=key.name, code=mapping.code)


async def remove(tx: AsyncManagedTransaction, key: DatasetKey) -> None:
    (record,) = await run(tx, REMOVE_MAPPING, namespace=key.namespace, name=key.name)
    if not record["gone"]:
        raise NotFound("dataset mapping", str(key))
