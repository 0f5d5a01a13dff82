"""The Neo4j store's data updates (graph.sharing.data_updates): `DataUpdate` nodes, one per
entry and day, written with their audit record in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from neo4j import AsyncManagedTransaction

from graph.audit.chain import instant
from graph.audit.records import AuditEntry
from graph.chunks import chunks
from graph.neo4j import audit as audits
from graph.neo4j.cypher.data_updates import LAST_DATA_UPDATES, RECORD_DATA_UPDATE
from graph.neo4j.statements import run
from graph.sharing.data_updates import DataUpdate

__all__ = ["last", "record"]


async def record(
    tx: AsyncManagedTransaction, update: DataUpdate, audit: AuditEntry, chain: audits.Chain
) -> None:
    on = update.updated_on.isoformat()
    await run(
        tx,
        RECORD_DATA_UPDATE,
        id=f"{update.resource_code}|{on}",
        code=update.resource_code,
        on=on,
        department=update.department_code,
        recorded_at=instant(update.recorded_at),
        note=update.note,
    )
    await chain.append(tx, [audit])


async def last(
    tx: AsyncManagedTransaction, codes: Sequence[str], day: date | None
) -> dict[str, DataUpdate]:
    found: dict[str, DataUpdate] = {}
    until = "9999-12-31" if day is None else day.isoformat()
    for chunk in chunks(list(dict.fromkeys(codes))):
        for row in await run(tx, LAST_DATA_UPDATES, codes=list(chunk), until=until):
            found[str(row["code"])] = DataUpdate(
                str(row["code"]),
                date.fromisoformat(str(row["on"])),
                str(row["department"]),
                datetime.fromisoformat(str(row["recorded_at"])),
                None if row["note"] is None else str(row["note"]),
            )
    return found
