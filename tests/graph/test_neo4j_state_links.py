"""The Neo4j store's state links (`graph.neo4j.cypher.tree`): whatever the writes, each entry in
a state but PUBLISHED has exactly one, named after its state, to the catalog that lists it, so
that the counts the state-only tree reads from degrees equal the entries counted one by one,
for every set of states; a store written before they existed gets them when it opens; and the
tree's statement reads degrees, never the state index (real server, no mocks).

Defect classes: a write path that forgets the link (a new draft, a state change, a move to
another catalog, a redaction, a placeholder filled), a link left behind or made twice, an
upgrade that is not idempotent, and a plan that went back to scanning the entries.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from neo4j import AsyncDriver

from graph import LifecycleState, Resource, ResourceFilter
from graph.neo4j import Neo4jStore
from graph.neo4j.cypher.tree import CATALOGS_LISTING, LINKED_STATES, STATE_LINKS
from graph.neo4j.cypher.writes import UPSERT_RESOURCES
from graph.neo4j.rows import resource_row
from graph.neo4j.tree import count_by_states, counter_by_states
from graph.queries import ApplyOutcome, CatalogCount
from graph.search.text import INDEX_VERSION
from tests.graph.conftest import CHENGDU_INTRANET
from tests.graph.entries import CHENGDU, JINJIANG_CATALOG, MIANYANG, SICHUAN, TREE, code, resource

S = LifecycleState
# Every set of states a filter may ask for (the empty one: every state).
STATE_SETS = [
    frozenset(states) for n in range(len(S) + 1) for states in itertools.combinations(sorted(S), n)
]


# -- the arithmetic, without a server ---------------------------------------------------------


@pytest.mark.parametrize("states", STATE_SETS, ids=lambda s: "+".join(sorted(s)) or "every")
def test_counts_by_states_from_degrees_equal_the_entries_counted(
    states: frozenset[LifecycleState],
) -> None:
    entries = [S.PUBLISHED] * 7 + [S.DRAFT] * 3 + [S.SUBMITTED] * 2 + [S.RETIRED] * 5
    linked = {S(state): entries.count(S(state)) for state in LINKED_STATES}
    chosen = states or frozenset(S)
    assert count_by_states(len(entries), linked, states) == sum(s in chosen for s in entries)
    # The tree's counter, decided once per filter, counts alike from the degrees in order.
    degrees = [linked[S(state)] for state in LINKED_STATES]
    assert counter_by_states(states)(len(entries), degrees) == sum(s in chosen for s in entries)


def test_every_state_but_published_has_its_link() -> None:
    assert set(LINKED_STATES) == {s.value for s in S} - {S.PUBLISHED.value}
    assert tuple(f"{state}_IN" for state in LINKED_STATES) == STATE_LINKS


# -- the graph ---------------------------------------------------------------------------------

_LINKS = """
MATCH (r:Resource)
RETURN r.code AS code, r.state AS state, r.snapshot IS NOT NULL AS held,
       [(r)-[:LISTED_IN]->(c) | c.id] AS listed,
       [(r)-[e]->(c:Catalog) WHERE type(e) <> 'LISTED_IN' | [type(e), c.id]] AS linked
"""

_COUNTED = """
MATCH (r:Resource)
WHERE r.state IN $states
RETURN r.catalog_id AS id, count(*) AS n
"""


@pytest.fixture
async def store(neo4j_store: Neo4jStore) -> Neo4jStore:
    await neo4j_store.put_catalogs(TREE)
    return neo4j_store


async def _run(driver: AsyncDriver, query: str, **params: Any) -> list[Any]:
    records, _summary, _keys = await driver.execute_query(query, params)
    return list(records)


async def _check_links(driver: AsyncDriver) -> None:
    """Each held entry has its ``LISTED_IN`` and, in a linked state, one state link to the same
    catalog named after its state; a published entry and a placeholder none."""
    for r in await _run(driver, _LINKS):
        if not r["held"]:
            assert (r["listed"], r["linked"]) == ([], []), r["code"]
            continue
        assert len(r["listed"]) == 1, r["code"]
        expected = [[f"{r['state']}_IN", r["listed"][0]]] if r["state"] in LINKED_STATES else []
        assert r["linked"] == expected, r["code"]


async def _check_counts(driver: AsyncDriver) -> None:
    """For every set of states, the count from degrees is the count of the entries, per
    catalog."""
    ((catalogs,),) = await _run(driver, CATALOGS_LISTING)
    for states in STATE_SETS:
        chosen = sorted(s.value for s in states or S)
        counted = {r["id"]: r["n"] for r in await _run(driver, _COUNTED, states=chosen)}
        from_degrees = {
            c["id"]: count_by_states(
                c["listed"], dict(zip(map(S, LINKED_STATES), c["linked"], strict=True)), states
            )
            for c in catalogs
        }
        assert {i: n for i, n in from_degrees.items() if n} == counted, sorted(states)


async def _check(driver: AsyncDriver) -> None:
    await _check_links(driver)
    await _check_counts(driver)


async def _relist(driver: AsyncDriver, entry: Resource) -> None:
    """Replace `entry`'s node with `entry` as `UPSERT_RESOURCES` does (its catalog changed:
    no write of the store's API moves an entry, so the statement is run as the store would)."""
    await _run(driver, UPSERT_RESOURCES, rows=[resource_row(entry)])


@pytest.mark.neo4j
async def test_every_write_keeps_the_state_links_and_the_counts(
    store: Neo4jStore, driver: AsyncDriver
) -> None:
    own = [resource(code(n), state=S.DRAFT) for n in (1, 2, 3)]
    for entry in own:  # drafts
        await store.save(entry, None)
    await _check(driver)
    first = own[0]
    for version, state in enumerate((S.SUBMITTED, S.PUBLISHED), start=2):  # submit, publish
        await store.save(dataclasses.replace(first, version=version, state=state), version - 1)
        await _check(driver)
    # Revised: text only (published still), then back to a draft.
    await store.save(dataclasses.replace(first, version=4, name="户籍人口信息（修订）"), 3)
    await store.save(dataclasses.replace(first, version=5, state=S.DRAFT), 4)
    await store.save(dataclasses.replace(own[1], version=2, state=S.RETIRED), 1)  # retired
    await _check(driver)
    # Mirrored copies of another origin, then their next versions in other states; a batch
    # holding one code twice (the newer wins) and one placeholder filled.
    await store.apply(
        [
            resource(code(10), origin=SICHUAN.id),
            resource(code(11), origin=SICHUAN.id, state=S.RETIRED),
            resource(code(12), origin=JINJIANG_CATALOG.id, derived_from=(code(13),)),
        ]
    )
    await _check(driver)
    await store.apply(
        [
            resource(code(10), origin=SICHUAN.id, version=2, state=S.RETIRED),
            resource(code(11), origin=SICHUAN.id, version=2),
            resource(code(14), origin=MIANYANG.id, state=S.DRAFT),
            resource(code(14), origin=MIANYANG.id, version=2, state=S.SUBMITTED),
            resource(code(13), origin=MIANYANG.id, state=S.SUBMITTED),
        ]
    )
    await _check(driver)
    # Moved to another catalog: in the same state, and with a new state at once.
    await _relist(driver, dataclasses.replace(own[2], version=2, origin=MIANYANG.id))
    await _relist(driver, resource(code(10), origin=CHENGDU.id, version=3, state=S.SUBMITTED))
    await _check(driver)
    # Redacted: an entry in a linked state, a published one, one others are derived from.
    await store.redact(own[1].code, 3)
    await store.redact(code(11), 3)
    await store.redact(code(13), 2)
    await _check(driver)
    # A redacted code written again.
    await store.apply([resource(code(11), origin=SICHUAN.id, version=4, state=S.RETIRED)])
    await _check(driver)
    tree = {c.id: c.own_count for c in await store.tree(ResourceFilter(states=frozenset(S)))}
    assert tree[CHENGDU.id] == 2  # own[0] (a draft) and code 10 (moved here)


_OWN = [code(n) for n in (1, 2)]
_MIRRORED = [code(n) for n in (4, 5)]
_CATALOGS = [CHENGDU.id, SICHUAN.id, JINJIANG_CATALOG.id, MIANYANG.id]

# (what, which code, in which state, from or to which catalog)
_steps = st.tuples(
    st.sampled_from(["save", "apply", "redact", "move"]),
    st.sampled_from(_OWN + _MIRRORED),
    st.sampled_from(sorted(S)),
    st.sampled_from(_CATALOGS[1:]),
)


@pytest.mark.neo4j
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(_steps, min_size=1, max_size=12))
@example(
    steps=[
        ("save", _OWN[0], S.DRAFT, SICHUAN.id),
        ("apply", _MIRRORED[0], S.PUBLISHED, SICHUAN.id),
        ("redact", _OWN[0], S.DRAFT, SICHUAN.id),
    ]
)
async def test_any_sequence_of_writes_keeps_the_links_and_the_counts(
    store: Neo4jStore, driver: AsyncDriver, steps: list[tuple[str, str, LifecycleState, str]]
) -> None:
    await store.erase_all()
    await store.put_catalogs(TREE)
    newest: dict[str, int] = {}  # the newest version each code held or was redacted at
    held: dict[str, Resource] = {}
    for action, at, state, catalog in steps:
        version = newest.get(at, 0) + 1
        before = held.get(at)
        if action == "save" and at in _OWN and (before is None or before.origin == CHENGDU.id):
            entry = resource(at, version=version, state=state)
            await store.save(entry, before.version if before else None)
        elif action == "apply" and at in _MIRRORED:
            # Derived from an own code: redacted, that code stays as a placeholder.
            entry = resource(
                at, origin=catalog, version=version, state=state, derived_from=(_OWN[0],)
            )
            if await store.apply([entry]) != [ApplyOutcome.APPLIED]:
                continue
        elif action == "redact":
            await store.redact(at, version)
            held.pop(at, None)
            newest[at] = version
            continue
        elif action == "move" and before is not None:
            entry = dataclasses.replace(before, version=version, state=state, origin=catalog)
            await _relist(driver, entry)
        else:
            continue
        held[at] = entry
        newest[at] = version
    await _check(driver)


# -- the upgrade --------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_a_store_written_before_state_links_gets_them_at_open_once(
    neo4j_server: Any, store: Neo4jStore, driver: AsyncDriver
) -> None:
    """Upgrading: a graph without state links (nor the mark of their upgrade) shows the same
    tree once the store opens again — at open by two stores at once as well — and opening once
    more changes nothing."""
    await store.apply(
        [
            resource(code(1)),
            resource(code(2), state=S.DRAFT),
            resource(code(3), state=S.SUBMITTED),
            resource(code(4), origin=SICHUAN.id, state=S.RETIRED),
            resource(code(5), origin=JINJIANG_CATALOG.id),
            resource(code(6), origin=JINJIANG_CATALOG.id, state=S.DRAFT, derived_from=(code(7),)),
        ]
    )
    trees = {states: await store.tree(ResourceFilter(states=states)) for states in STATE_SETS}
    # As an earlier version of the store left the graph.
    await _run(driver, "MATCH ()-[e:DRAFT_IN|SUBMITTED_IN|RETIRED_IN]->() DELETE e")
    await _run(driver, "MATCH (u:Upgrade) DELETE u")
    assert await _tree_counts(store, frozenset({S.DRAFT})) == {}

    auth = (neo4j_server.user, neo4j_server.password)

    async def reopen() -> dict[frozenset[LifecycleState], list[CatalogCount]]:
        async with Neo4jStore.open(neo4j_server.uri, auth, catalog=CHENGDU_INTRANET) as again:
            return {s: await again.tree(ResourceFilter(states=s)) for s in STATE_SETS}

    first, second = await asyncio.gather(reopen(), reopen())
    assert first == trees
    assert second == trees
    await _check(driver)
    (upgrades,) = await _run(driver, "MATCH (u:Upgrade) RETURN collect(u.name) AS names")
    assert sorted(upgrades["names"]) == [
        "search_text:" + INDEX_VERSION,
        "sparse_requests",
        "state_links",
    ]
    assert await reopen() == trees
    await _check(driver)


async def _tree_counts(store: Neo4jStore, states: frozenset[LifecycleState]) -> dict[str, int]:
    return {
        c.id: c.own_count for c in await store.tree(ResourceFilter(states=states)) if c.own_count
    }


# -- the plan -----------------------------------------------------------------------------------


def _operators(plan: Any) -> list[tuple[str, str]]:
    details = str(plan.get("args", {}).get("Details", ""))
    found = [(plan["operatorType"].split("@")[0], details)]
    for child in plan.get("children", []):
        found += _operators(child)
    return found


@pytest.mark.neo4j
async def test_the_state_only_tree_reads_degrees_not_the_state_index(
    store: Neo4jStore, driver: AsyncDriver
) -> None:
    """PROFILE: each catalog's counts are degrees (``getDegree``), read without touching one
    entry — no index seek or scan, no expansion to the entries."""
    await store.apply(
        [resource(code(n), state=s) for n, s in enumerate(sorted(S), start=1)]
        + [resource(code(9), origin=SICHUAN.id, state=S.RETIRED)]
    )
    result = await driver.execute_query("PROFILE " + CATALOGS_LISTING)
    operators = _operators(result.summary.profile)
    names = [name for name, _ in operators]
    assert not [n for n in names if "Index" in n or "Expand" in n or n == "AllNodesScan"], names
    degrees = " ".join(details for _, details in operators)
    for link in ("LISTED_IN", *STATE_LINKS):
        assert f"getDegree((c)<-[:{link}]-())" in degrees
    # Nothing but the catalogs is read: one record of as many as there are catalogs,
    # whatever the entries.
    (catalogs,) = await _run(driver, "MATCH (c:Catalog) RETURN count(c) AS n")
    ((listed,),) = result.records
    assert len(listed) == catalogs["n"]
