"""The Neo4j store's project catalogs (graph.projects): `(:Project {id, version, snapshot})`,
unique on id (`graph.neo4j.schema`), compared and set on its version in the store's managed
transactions with its audit record."""

from __future__ import annotations

from collections.abc import Sequence

from neo4j import AsyncManagedTransaction

from graph.errors import VersionConflict
from graph.neo4j.statements import run
from graph.projects import Project, project_from_json, project_to_json

__all__ = ["projects", "put"]

ALL_PROJECTS = "MATCH (p:Project) RETURN p.id AS id, p.snapshot AS snapshot ORDER BY id"
PROJECTS = (
    "UNWIND $ids AS wanted MATCH (p:Project {id: wanted}) RETURN p.id AS id, p.snapshot AS snapshot"
)
# The lock first (a write to the node), then the version read under it.
LOCK_PROJECT = (
    "MERGE (p:Project {id: $id}) SET p.locked = true REMOVE p.locked RETURN p.version AS version"
)
SET_PROJECT = (
    "MATCH (p:Project {id: $id}) SET p.version = $version, p.snapshot = $snapshot, "
    "p.department_code = $department"
)


async def projects(tx: AsyncManagedTransaction, ids: Sequence[str] | None) -> dict[str, Project]:
    if ids is None:
        records = await run(tx, ALL_PROJECTS)
    else:
        records = await run(tx, PROJECTS, ids=list(dict.fromkeys(ids)))
    return {r["id"]: project_from_json(r["snapshot"]) for r in records}


async def put(tx: AsyncManagedTransaction, project: Project, expected_version: int | None) -> None:
    (record,) = await run(tx, LOCK_PROJECT, id=project.id)
    found = record["version"]
    if found != expected_version:
        # A MERGE that made the node is undone with the transaction the conflict ends.
        raise VersionConflict(project.id, expected_version or 0, found or 0)
    await run(
        tx,
        SET_PROJECT,
        id=project.id,
        version=project.version,
        snapshot=project_to_json(project),
        department=project.department_code,
    )
