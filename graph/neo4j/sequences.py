"""Allocating codes (`graph.codes`: the instance numbers new entries) in Neo4j.

One ``CodeSequence`` node per 前段码 and zone, keyed by the first code of the zone's range,
keeps the last code handed out. `allocate` first takes the node's write lock (a write to it:
Neo4j locks on write, and a value read before the lock could be stale — the lost-update
pattern), then reads the highest code of the zone's range allocated, held (placeholders too)
or redacted, and records the next. Two transactions allocating under one 前段码 queue on the
lock, so each reads what the other committed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from neo4j import AsyncManagedTransaction

from graph.codes import check_own_code, is_free, next_code, sequence_bounds
from graph.enums import Zone
from graph.model import Resource
from graph.neo4j.statements import run

__all__ = ["allocate", "allocate_many", "not_free", "refuse_foreign"]

LOCK_SEQUENCE = """
MERGE (s:CodeSequence {first: $first})
SET s.locked = true
REMOVE s.locked
"""

# Codes under one 前段码 with six-digit 后段码 sort as their numbers do; a longer 前段码 sorts
# outside the range ('1' > '/'). Both ranges are sought on the unique constraints' indexes.
HIGHEST_IN_RANGE = """
MATCH (s:CodeSequence {first: $first})
CALL () {
  MATCH (r:Resource) WHERE r.code >= $first AND r.code <= $last
  RETURN max(r.code) AS held
}
CALL () {
  MATCH (t:Tombstone) WHERE t.code >= $first AND t.code <= $last
  RETURN max(t.code) AS redacted
}
RETURN held, redacted,
       CASE WHEN s.last >= $first AND s.last <= $last THEN s.last END AS allocated
"""

# For each code brought with an entry (`graph.codes.is_free`): held (a placeholder is not),
# redacted, and the last code its 前段码's sequence allocated in the zone's range.
BROUGHT = """
UNWIND $codes AS c
OPTIONAL MATCH (r:Resource {code: c.code}) WHERE r.snapshot IS NOT NULL
OPTIONAL MATCH (t:Tombstone {code: c.code})
OPTIONAL MATCH (s:CodeSequence {first: c.first})
RETURN c.code AS code, r IS NOT NULL AS held, t IS NOT NULL AS redacted,
       CASE WHEN s.last >= c.first AND s.last <= c.last THEN s.last END AS allocated
"""

SET_LAST = """
MATCH (s:CodeSequence {first: $first})
SET s.last = $code
"""

HELD_ORIGIN = """
OPTIONAL MATCH (r:Resource {code: $code})
RETURN r.catalog_id AS origin
"""


async def allocate(tx: AsyncManagedTransaction, category: str, zone: Zone) -> str:
    """The next code under `category` for an instance of `zone`, recorded as allocated."""
    first, last = sequence_bounds(category, zone)
    await run(tx, LOCK_SEQUENCE, first=first)
    (record,) = await run(tx, HIGHEST_IN_RANGE, first=first, last=last)
    found = [record[key] for key in ("held", "redacted", "allocated") if record[key]]
    code = next_code(category, zone, max(found, default=None))
    await run(tx, SET_LAST, first=first, code=code)
    return code


async def allocate_many(
    tx: AsyncManagedTransaction, wanted: Mapping[str, int], zone: Zone
) -> dict[str, list[str]]:
    """`wanted[category]` new codes under each category, in order, recorded as allocated —
    each sequence locked first, as `allocate` does, in the order of the categories."""
    found: dict[str, list[str]] = {}
    for category in sorted(wanted):
        first, last = sequence_bounds(category, zone)
        await run(tx, LOCK_SEQUENCE, first=first)
        (record,) = await run(tx, HIGHEST_IN_RANGE, first=first, last=last)
        highest = max(
            (record[k] for k in ("held", "redacted", "allocated") if record[k]), default=None
        )
        codes: list[str] = []
        for _ in range(wanted[category]):
            highest = next_code(category, zone, highest)
            codes.append(highest)
        if codes:
            await run(tx, SET_LAST, first=first, code=codes[-1])
        found[category] = codes
    return found


async def not_free(tx: AsyncManagedTransaction, codes: Sequence[str], zone: Zone) -> list[str]:
    """Those of `codes` that are not free here (`graph.codes.is_free`), in order."""
    asked = []
    for code in codes:
        first, last = sequence_bounds(code.split("/", 1)[0], zone)
        asked.append({"code": code, "first": first, "last": last})
    records = await run(tx, BROUGHT, codes=asked)
    return [
        r["code"]
        for r in records
        if not is_free(r["code"], r["held"], r["redacted"], r["allocated"])
    ]


async def refuse_foreign(tx: AsyncManagedTransaction, entry: Resource) -> None:
    """Refuse `entry` when its code is held here from another origin."""
    (record,) = await run(tx, HELD_ORIGIN, code=entry.code)
    check_own_code(entry.code, record["origin"], entry.origin)
