"""The Neo4j store's outbox (graph.outbox): Cypher as data, and transaction functions.

Records are ``(:OutboxRecord {position, key, payload})`` nodes, numbered from the one
``(:OutboxSequence {name: 'outbox'})`` node. Taking the next numbers sets a property of that
node, which write-locks it until the transaction ends: writers that send records on are
serialised, so the numbers commit in order and a reader never sees a later record before an
earlier one. A relay is ``(:OutboxConsumer {name, position})``; what it marked,
``(:OutboxMark {id})`` nodes keyed by consumer and key; where its seed stands (`sync.relay`),
``(:OutboxSeed {name, cursor})``.
"""

from __future__ import annotations

from collections.abc import Sequence

from neo4j import AsyncManagedTransaction

from graph.chunks import chunks
from graph.neo4j.statements import run
from graph.outbox import OutboxRecord

__all__ = [
    "ENSURE_SEQUENCE",
    "mark",
    "marked",
    "position",
    "prune",
    "pruned",
    "records_after",
    "seed",
    "set_position",
    "set_seed",
    "urgent_after",
    "write",
]

ENSURE_SEQUENCE = "MERGE (s:OutboxSequence {name: 'outbox'}) ON CREATE SET s.last = 0"

_TAKE_POSITIONS = """
MERGE (s:OutboxSequence {name: 'outbox'})
SET s.last = coalesce(s.last, 0) + $count
RETURN s.last AS last
"""

_WRITE_RECORDS = """
UNWIND $records AS record
CREATE (o:OutboxRecord {position: record.position, key: record.key, payload: record.payload})
FOREACH (_ IN CASE WHEN record.urgent THEN [1] ELSE [] END | SET o:Urgent)
"""

_RECORDS_AFTER = """
MATCH (o:OutboxRecord)
WHERE o.position > $after
RETURN o.position AS position, o.key AS key, o.payload AS payload, o:Urgent AS urgent
ORDER BY o.position
LIMIT $limit
"""

# The urgent lane (graph.outbox): its own index, so a long backlog is not read to find it.
_URGENT_AFTER = """
MATCH (o:Urgent)
WHERE o.position > $after
RETURN o.position AS position, o.key AS key, o.payload AS payload, true AS urgent
ORDER BY o.position
LIMIT $limit
"""

_POSITION = "MATCH (c:OutboxConsumer {name: $consumer}) RETURN c.position AS position"

_SET_POSITION = "MERGE (c:OutboxConsumer {name: $consumer}) SET c.position = $position"

_MARK = """
UNWIND $keys AS key
MERGE (m:OutboxMark {id: $consumer + '|' + key})
ON CREATE SET m.consumer = $consumer, m.key = key
"""

_UNMARK = """
UNWIND $keys AS key
MATCH (m:OutboxMark {id: $consumer + '|' + key})
DELETE m
"""

_MARKED = """
UNWIND $keys AS key
MATCH (m:OutboxMark {id: $consumer + '|' + key})
RETURN m.key AS key
"""

_PRUNE = """
MATCH (o:OutboxRecord)
WHERE o.position < $below
WITH o LIMIT $batch
DELETE o
RETURN count(*) AS deleted
"""

PRUNE_BATCH = 10_000

# Positions start at 1 and the sequence keeps the last one given: records were pruned when
# some were given and the oldest held is not the first (or none is held). The oldest is read
# from the position index, in order.
_LAST_GIVEN = """
OPTIONAL MATCH (s:OutboxSequence {name: 'outbox'})
RETURN coalesce(s.last, 0) AS last
"""

_OLDEST = """
MATCH (o:OutboxRecord)
WHERE o.position IS NOT NULL
RETURN o.position AS oldest
ORDER BY o.position
LIMIT 1
"""

_SEED = "MATCH (s:OutboxSeed {name: $consumer}) RETURN s.cursor AS cursor"

_SET_SEED = "MERGE (s:OutboxSeed {name: $consumer}) SET s.cursor = $cursor"


async def write(tx: AsyncManagedTransaction, records: Sequence[OutboxRecord]) -> None:
    """Number `records` with the next positions and write them, in this transaction."""
    if not records:
        return
    (taken,) = await run(tx, _TAKE_POSITIONS, count=len(records))
    first = int(taken["last"]) - len(records) + 1
    rows = [
        {
            "position": first + i,
            "key": record.key,
            "payload": record.payload,
            "urgent": record.urgent,
        }
        for i, record in enumerate(records)
    ]
    await run(tx, _WRITE_RECORDS, records=rows)


async def records_after(
    tx: AsyncManagedTransaction, after: int, limit: int
) -> list[tuple[int, OutboxRecord]]:
    rows = await run(tx, _RECORDS_AFTER, after=after, limit=limit)
    return [
        (int(r["position"]), OutboxRecord(r["key"], bytes(r["payload"]), bool(r["urgent"])))
        for r in rows
    ]


async def urgent_after(
    tx: AsyncManagedTransaction, after: int, limit: int
) -> list[tuple[int, OutboxRecord]]:
    rows = await run(tx, _URGENT_AFTER, after=after, limit=limit)
    return [
        (int(r["position"]), OutboxRecord(r["key"], bytes(r["payload"]), urgent=True)) for r in rows
    ]


async def position(tx: AsyncManagedTransaction, consumer: str) -> int:
    rows = await run(tx, _POSITION, consumer=consumer)
    return int(rows[0]["position"]) if rows else 0


async def set_position(tx: AsyncManagedTransaction, consumer: str, to: int) -> None:
    await run(tx, _SET_POSITION, consumer=consumer, position=to)


async def mark(
    tx: AsyncManagedTransaction, consumer: str, add: Sequence[str], remove: Sequence[str]
) -> None:
    if add:
        await run(tx, _MARK, consumer=consumer, keys=list(add))
    if remove:
        await run(tx, _UNMARK, consumer=consumer, keys=list(remove))


async def marked(tx: AsyncManagedTransaction, consumer: str, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(list(dict.fromkeys(keys))):
        rows = await run(tx, _MARKED, consumer=consumer, keys=list(chunk))
        found.update(str(r["key"]) for r in rows)
    return found


async def prune(tx: AsyncManagedTransaction, below: int) -> int:
    (row,) = await run(tx, _PRUNE, below=below, batch=PRUNE_BATCH)
    return int(row["deleted"])


async def pruned(tx: AsyncManagedTransaction) -> bool:
    (given,) = await run(tx, _LAST_GIVEN)
    if int(given["last"]) == 0:
        return False  # nothing was ever written
    oldest = await run(tx, _OLDEST)
    return not oldest or int(oldest[0]["oldest"]) > 1


async def seed(tx: AsyncManagedTransaction, consumer: str) -> str | None:
    rows = await run(tx, _SEED, consumer=consumer)
    return str(rows[0]["cursor"]) if rows else None


async def set_seed(tx: AsyncManagedTransaction, consumer: str, cursor: str) -> None:
    await run(tx, _SET_SEED, consumer=consumer, cursor=cursor)
