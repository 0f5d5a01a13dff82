"""The Neo4j store's role grants (graph.grants): transaction functions, run in the store's
managed write transactions with the grant's audit record, so both commit or neither."""

from __future__ import annotations

from collections.abc import Sequence

from neo4j import AsyncManagedTransaction

from graph.enums import Role
from graph.errors import NotFound
from graph.grants import check_grant
from graph.neo4j.cypher.grants import ALL_GRANTS, GRANTS_OF, LOCK_GRANTEE, REVOKE_ROLE, SET_ROLE
from graph.neo4j.statements import run

__all__ = ["grant", "grants", "revoke"]


async def grants(tx: AsyncManagedTransaction, subjects: Sequence[str] | None) -> dict[str, Role]:
    if subjects is None:
        rows = await run(tx, ALL_GRANTS)
    else:
        rows = await run(tx, GRANTS_OF, subjects=list(dict.fromkeys(subjects)))
    return {str(r["subject"]): Role(r["role"]) for r in rows}


async def grant(tx: AsyncManagedTransaction, subject: str, role: Role) -> None:
    (held,) = await run(tx, LOCK_GRANTEE, subject=subject)
    current = None if held["role"] is None else Role(held["role"])
    role = check_grant(subject, current, role, {Role(r) for r in held["held"]})
    await run(tx, SET_ROLE, subject=subject, role=role.value)


async def revoke(tx: AsyncManagedTransaction, subject: str) -> None:
    (row,) = await run(tx, REVOKE_ROLE, subject=subject)
    if not row["revoked"]:
        raise NotFound("role grant", subject)
