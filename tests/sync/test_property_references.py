"""The property of the sync, over one and two hops, with entries that refer to each other
(chains, cycles, diamonds): after any sequence of creates, updates, reference changes,
reclassifications both ways, retires and republishes, once the links settle, no extranet

- holds a classified entry, or a field outside the allow-list;
- holds a reference to an entry it does not hold (a code it could reveal), nor drops one to an
  entry that is cleared (the copy names exactly the cleared part of what the origin names);

and every unclassified published (or retired) entry is on every extranet at its latest version.
National 第十一条; Sichuan 第七、十、十一、二十三条; DESIGN "Instances and sync", point 4.
Runs on the embedded log in every run, and a fixed sequence over Kafka with a Neo4j store."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import CatalogStore, Classification, LifecycleState, Resource
from sync.guard import CROSSING_FIELDS, Refusal
from sync.links import Link
from sync.log.embedded import EmbeddedLog
from sync.log.protocol import ChangeLog
from sync.snapshots import resource_to_dict
from tests.sync.conftest import MakeLink
from tests.sync.mesh import Mesh
from tests.sync.test_end_to_end import ALL, CE, CI, PI, code, embedded, published, write

PE = "510000/extranet"
EXTRANETS = (CE, PE)
N = 5
U, C = Classification.UNCLASSIFIED, Classification.CLASSIFIED

subsets = st.frozensets(st.integers(1, N), max_size=3)
writes = st.tuples(
    st.just("write"),
    st.integers(1, N),
    st.sampled_from([LifecycleState.PUBLISHED, LifecycleState.DRAFT, LifecycleState.RETIRED]),
    st.sampled_from([U, C, None]),
    subsets,
    subsets,
)
operations = st.lists(st.one_of(writes, st.just(("sync",))), max_size=20)


def network(link: MakeLink) -> list[Link]:
    return [link(CI, CE), link(CE, PE), link(CI, PI), link(PI, PE)]


def cleared(entry: Resource | None) -> bool:
    if entry is None or entry.classification is not U:
        return False
    if entry.state is LifecycleState.PUBLISHED:
        return True
    return entry.state is LifecycleState.RETIRED and entry.published_on is not None


async def run_operations(
    ops: list[tuple[Any, ...]], stores: dict[str, CatalogStore], log: ChangeLog, links: list[Link]
) -> None:
    origin = stores[CI]
    async with Mesh(log, stores, links) as mesh:
        for op in ops:
            if op[0] == "sync":
                await mesh.settle()
                continue
            _, n, state, classification, related, derived = op
            held = await origin.get(code(n))
            shared = state in (LifecycleState.PUBLISHED, LifecycleState.RETIRED)
            entry = published(
                n,
                version=(held.version + 1) if held else 1,
                state=state,
                classification=classification,
                published_on=date(2024, 3, 1) if shared else None,
                related_codes=tuple(code(m) for m in sorted(related) if m != n),
                derived_from=tuple(code(m) for m in sorted(derived) if m != n),
            )
            await write(origin, entry)
        await mesh.settle()
        await check(stores)
        refusals = {e.refusal for e in mesh.security_events}
        assert refusals <= {Refusal.ABOVE_CLEARANCE}


async def check(stores: dict[str, CatalogStore]) -> None:
    source = {e.code: e for e in (await stores[CI].find(ALL, first=100)).items}
    for extranet in EXTRANETS:
        copies = {e.code: e for e in (await stores[extranet].find(ALL, first=100)).items}
        for copy in copies.values():
            assert copy.classification is U, (extranet, copy.code)
            shown = {k for k, v in resource_to_dict(copy).items() if v not in ([], None, ())}
            assert shown <= CROSSING_FIELDS
            assert copy.history == ()
            for ref in (*copy.related_codes, *copy.derived_from):
                assert ref in copies, f"{extranet}: {copy.code} names {ref}, not held there"
            origin = source[copy.code]
            assert cleared(origin), f"{extranet} holds {copy.code}, not cleared at its origin"
            for field in ("related_codes", "derived_from"):
                expected = tuple(c for c in getattr(origin, field) if cleared(source.get(c)))
                assert getattr(copy, field) == expected, (extranet, copy.code, field)
        for entry in source.values():
            if cleared(entry):
                assert copies[entry.code].version == entry.version, (extranet, entry.code)
            elif entry.code in copies:
                raise AssertionError(f"{extranet} holds {entry.code}, no longer shared")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
async def test_no_sequence_leaks_a_classified_entry_or_its_code_over_two_hops(
    tmp_path_factory: Any, ops: list[tuple[Any, ...]]
) -> None:
    tmp: Path = tmp_path_factory.mktemp("references")
    async with (
        embedded(tmp, CI, CE, PI, PE) as stores,
        EmbeddedLog.open(tmp / "log.db") as log,
    ):
        links = [Link.between(a, b) for a, b in ((CI, CE), (CE, PE), (CI, PI), (PI, PE))]
        await run_operations(ops, stores, log, links)


P, D, R = LifecycleState.PUBLISHED, LifecycleState.DRAFT, LifecycleState.RETIRED
# A diamond (4 from 2 and 3, both from 1), a cycle (1 ↔ 5), reclassified both ways, revised,
# retired and published again.
FIXED: list[tuple[Any, ...]] = [
    ("write", 1, P, U, frozenset({5}), frozenset()),
    ("write", 2, P, U, frozenset(), frozenset({1})),
    ("write", 3, P, U, frozenset(), frozenset({1})),
    ("write", 4, P, U, frozenset({1}), frozenset({2, 3})),
    ("write", 5, P, U, frozenset({1}), frozenset()),
    ("sync",),
    ("write", 1, P, C, frozenset({5}), frozenset()),
    ("write", 3, D, U, frozenset(), frozenset({1})),
    ("sync",),
    ("write", 1, P, U, frozenset({5}), frozenset()),
    ("write", 2, R, U, frozenset(), frozenset({1})),
    ("write", 5, P, None, frozenset({1}), frozenset()),
    ("sync",),
    ("write", 3, P, U, frozenset({4}), frozenset({1})),
    ("write", 5, P, U, frozenset({1, 2}), frozenset()),
]


async def test_a_fixed_sequence_over_each_log(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink, on_neo4j: Any
) -> None:
    async with embedded(tmp_path, CI, CE, PI, PE, neo4j=on_neo4j, on_neo4j=PE) as stores:
        await run_operations(FIXED, stores, sync_log, network(link))
        assert {e.code for e in (await stores[PE].find(ALL)).items} == {
            code(n) for n in (1, 2, 3, 4, 5)
        }
