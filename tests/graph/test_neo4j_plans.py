"""A write's statements are planned once per server (`graph.neo4j.statements`): whatever the
length of its batch and however the counts moved since (real server for the plan cache).

Defect classes: a list parameter whose length class makes Neo4j plan the statement again (a
sync's first batch of 13 entries waited 0.7 s for it, one of 5 a second); a rewrite that
renames more than the list parameters or leaves one behind; a statement that would collide
with the map the lists travel in.
"""

from __future__ import annotations

import re

import pytest
from neo4j import AsyncDriver

from graph.neo4j import Neo4jStore
from graph.neo4j.statements import LISTS, PLANNED_ONCE, Rows, sent_once
from tests.graph.entries import code, resource


def test_list_parameters_travel_in_one_map_and_the_statement_reads_them_there() -> None:
    statement, values = sent_once(
        "UNWIND $rows AS row MATCH (r {code: row.code}) WHERE r.v < $version "
        "AND NOT r.code IN $rows_done RETURN $rows[0], size($rows)",
        {"rows": Rows([{"code": "a"}]), "version": 3, "rows_done": ["b"]},
    )
    assert statement == (
        PLANNED_ONCE + f"UNWIND ${LISTS}.rows AS row MATCH (r {{code: row.code}}) WHERE "
        f"r.v < $version AND NOT r.code IN ${LISTS}.rows_done RETURN ${LISTS}.rows[0], "
        f"size(${LISTS}.rows)"
    )
    assert values == {"version": 3, LISTS: {"rows": [{"code": "a"}], "rows_done": ["b"]}}
    assert isinstance(values[LISTS]["rows"], Rows)  # still printed as its length


def test_a_statement_without_lists_is_only_planned_once() -> None:
    statement, values = sent_once("MATCH (h {name: $name}) RETURN h", {"name": "audit"})
    assert statement == PLANNED_ONCE + "MATCH (h {name: $name}) RETURN h"
    assert values == {"name": "audit"}


def test_a_statement_naming_the_map_of_lists_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\$lists is the map"):
        sent_once(f"RETURN ${LISTS}", {LISTS: 1})


async def _cached(driver: AsyncDriver) -> int:
    """How many plans Neo4j's caches held (emptied on the way)."""
    records, _, _ = await driver.execute_query("CALL db.clearQueryCaches()")
    (message,) = records[0].values()
    cleared = re.search(r"cleared of (\d+) quer", message)  # or: "Query cache already empty."
    return int(cleared.group(1)) if cleared else 0


async def test_a_write_is_planned_once_whatever_the_length_of_its_batch(
    driver: AsyncDriver, neo4j_store: Neo4jStore
) -> None:
    """Batches of 1, 13 and 150 new entries run the statements a batch of 2 did, and so do
    updates of as many: once planned for the batch of 2, Neo4j plans none of them again (a
    list of another order of length was another entry of its plan cache, planned anew)."""
    await neo4j_store.apply([resource(code(n)) for n in (1, 2)])
    for version in (1, 2):  # new entries, then new versions of them
        await _cached(driver)  # empties the caches: the next write plans its statements
        await neo4j_store.apply([resource(code(n), version=version) for n in (3, 4)])
        planned = await _cached(driver)
        assert planned > 0
        first = 5
        for size in (1, 13, 150):
            batch = range(first, first + size)
            await neo4j_store.apply([resource(code(n), version=version) for n in batch])
            first += size
        assert await _cached(driver) == planned
