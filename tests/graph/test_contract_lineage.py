"""Contract: lineage (DERIVED_FROM) walks — bounded in depth, each entry once, safe on cycles
and diamonds, across catalog levels, and saying when it stopped at the bound.

`nodes` holds the root (None when not held here) and every entry reached; `edges` are the
DERIVED_FROM edges followed; `truncated` is True exactly when a node at the depth bound has
edges of its own in the walked direction. A code referenced but not held here — another
level's entry, or one redacted since (issue 13, defect class 1: a reader never reveals a code
it does not hold) — is never reached: not a node, not the end of an edge, not a reason for
`truncated`."""

from __future__ import annotations

import pytest

from graph import CatalogStore, Direction, InvalidValue, Lineage, LineageEdge, Resource
from tests.graph.entries import CHENGDU, NATIONAL, SICHUAN, TREE, resource

UP, DOWN, BOTH = Direction.UPSTREAM, Direction.DOWNSTREAM, Direction.BOTH


def _entry(code: str, *sources: str, origin: str = CHENGDU.id) -> Resource:
    return resource(code, derived_from=sources, origin=origin)


def _edges(*pairs: tuple[str, str]) -> set[LineageEdge]:
    return {LineageEdge(derived=d, source=s) for d, s in pairs}


def _shape(lineage: Lineage) -> tuple[set[str], set[LineageEdge], bool]:
    assert len(lineage.edges) == len(set(lineage.edges)), "each edge once"
    return set(lineage.nodes), set(lineage.edges), lineage.truncated


# -- a cycle: A derived from B, B from C, C from A ------------------------------------------
A, B, C = "301001001/000001", "301001001/000002", "301001001/000003"


@pytest.fixture
async def cycle(store: CatalogStore) -> CatalogStore:
    await store.apply([_entry(A, B), _entry(B, C), _entry(C, A)])
    return store


@pytest.mark.parametrize("direction", [UP, DOWN, BOTH])
@pytest.mark.parametrize("depth", [3, 10])
async def test_a_cycle_is_walked_once(
    cycle: CatalogStore, direction: Direction, depth: int
) -> None:
    lineage = await cycle.lineage(A, direction, depth)
    assert _shape(lineage) == ({A, B, C}, _edges((A, B), (B, C), (C, A)), False)
    assert lineage.root == A
    assert all(isinstance(lineage.nodes[code], Resource) for code in (A, B, C))


async def test_a_cycle_cut_by_the_bound(cycle: CatalogStore) -> None:
    assert _shape(await cycle.lineage(A, UP, 1)) == ({A, B}, _edges((A, B)), True)
    assert _shape(await cycle.lineage(A, DOWN, 1)) == ({A, C}, _edges((C, A)), True)
    # At depth 2 every entry is reached, but C, at the bound, still has an edge not followed.
    assert _shape(await cycle.lineage(A, UP, 2)) == ({A, B, C}, _edges((A, B), (B, C)), True)


# -- a diamond: D from B2 and C2, both from A2 ----------------------------------------------
A2, B2, C2, D2 = "201003002/000001", "101001001/000002", "101001001/000003", "301001001/000004"


@pytest.fixture
async def diamond(store: CatalogStore) -> CatalogStore:
    await store.apply(
        [
            resource(A2, themes=frozenset({"社会保障"})),
            _entry(B2, A2),
            _entry(C2, A2),
            _entry(D2, B2, C2),
        ]
    )
    return store


DIAMOND_EDGES = _edges((D2, B2), (D2, C2), (B2, A2), (C2, A2))


async def test_a_diamond_reaches_its_top_once(diamond: CatalogStore) -> None:
    for depth in (2, 5):
        up = await diamond.lineage(D2, UP, depth)
        assert _shape(up) == ({A2, B2, C2, D2}, DIAMOND_EDGES, False)
        down = await diamond.lineage(A2, DOWN, depth)
        assert _shape(down) == ({A2, B2, C2, D2}, DIAMOND_EDGES, False)


async def test_a_diamond_cut_by_the_bound(diamond: CatalogStore) -> None:
    assert _shape(await diamond.lineage(D2, UP, 1)) == (
        {D2, B2, C2},
        _edges((D2, B2), (D2, C2)),
        True,
    )
    assert _shape(await diamond.lineage(A2, DOWN, 1)) == (
        {A2, B2, C2},
        _edges((B2, A2), (C2, A2)),
        True,
    )


async def test_both_directions_are_two_walks(diamond: CatalogStore) -> None:
    """BOTH is the union of the upstream and the downstream walk — not every path through the
    graph: from B2, C2 is neither upstream nor downstream."""
    lineage = await diamond.lineage(B2, BOTH, 3)
    assert _shape(lineage) == ({A2, B2, D2}, _edges((B2, A2), (D2, B2)), False)


async def test_nothing_upstream_of_a_source(diamond: CatalogStore) -> None:
    lineage = await diamond.lineage(A2, UP, 3)
    assert _shape(lineage) == ({A2}, set(), False)
    assert lineage.nodes[A2] == await diamond.get(A2)


# -- a chain across levels: nation ← province ← city ← district (not held) -----------------
NATION_THEME = "201003002/000010"
PROVINCE = "101001001/000011"
CITY = "301001001/000012"
DISTRICT = "301001001/000013"


@pytest.fixture
async def chain(store: CatalogStore) -> CatalogStore:
    await store.put_catalogs(TREE)
    await store.apply(
        [
            resource(
                NATION_THEME,
                derived_from=(PROVINCE,),
                origin=NATIONAL.id,
                themes=frozenset({"信用体系"}),
            ),
            _entry(PROVINCE, CITY, origin=SICHUAN.id),
            _entry(CITY, DISTRICT, origin=CHENGDU.id),
        ]
    )
    return store


async def test_lineage_crosses_levels(chain: CatalogStore) -> None:
    lineage = await chain.lineage(NATION_THEME, UP, 3)
    edges = _edges((NATION_THEME, PROVINCE), (PROVINCE, CITY))
    # The district's entry is referenced but held by its own catalog, not here: not reached.
    assert _shape(lineage) == ({NATION_THEME, PROVINCE, CITY}, edges, False)
    origins = {code: node.origin for code, node in lineage.nodes.items() if node is not None}
    assert origins == {NATION_THEME: NATIONAL.id, PROVINCE: SICHUAN.id, CITY: CHENGDU.id}


async def test_truncated_exactly_at_the_bound_when_more_exists(chain: CatalogStore) -> None:
    assert (await chain.lineage(NATION_THEME, UP, 1)).truncated
    # CITY, at the bound, names DISTRICT, which is not held: nothing more to show.
    assert not (await chain.lineage(NATION_THEME, UP, 2)).truncated
    assert not (await chain.lineage(NATION_THEME, UP, 3)).truncated
    assert (await chain.lineage(CITY, DOWN, 1)).truncated
    assert not (await chain.lineage(CITY, DOWN, 2)).truncated
    assert not (await chain.lineage(NATION_THEME, DOWN, 1)).truncated


async def test_both_directions_across_levels(chain: CatalogStore) -> None:
    one = await chain.lineage(PROVINCE, BOTH, 1)
    assert _shape(one) == (
        {NATION_THEME, PROVINCE, CITY},
        _edges((NATION_THEME, PROVINCE), (PROVINCE, CITY)),
        False,
    )
    two = await chain.lineage(PROVINCE, BOTH, 2)
    assert set(two.nodes) == {NATION_THEME, PROVINCE, CITY}
    assert not two.truncated


@pytest.mark.parametrize("direction", [UP, DOWN, BOTH])
async def test_a_walk_from_a_code_only_referenced_reaches_nothing(
    chain: CatalogStore, direction: Direction
) -> None:
    """CITY names DISTRICT; answering DISTRICT's lineage with CITY would tell which held
    entries refer to a code that is not held."""
    lineage = await chain.lineage(DISTRICT, direction, 2)
    assert lineage.nodes == {DISTRICT: None}
    assert _shape(lineage) == ({DISTRICT}, set(), False)


# -- a source redacted after its copy was derived from: GONE ← MIDDLE ← TOP -----------------
GONE, MIDDLE, TOP = "301001001/000021", "301001001/000022", "301001001/000023"


@pytest.fixture
async def redacted(store: CatalogStore) -> CatalogStore:
    """GONE was reclassified 涉密 at its origin and redacted here; MIDDLE still names it."""
    await store.apply([_entry(GONE), _entry(MIDDLE, GONE), _entry(TOP, MIDDLE)])
    await store.redact(GONE, 2)
    return store


@pytest.mark.parametrize("depth", [1, 2, 5])
async def test_a_redacted_source_is_not_reached(redacted: CatalogStore, depth: int) -> None:
    assert _shape(await redacted.lineage(MIDDLE, UP, depth)) == ({MIDDLE}, set(), False)
    both = await redacted.lineage(MIDDLE, BOTH, depth)
    assert _shape(both) == ({MIDDLE, TOP}, _edges((TOP, MIDDLE)), False)
    up = await redacted.lineage(TOP, UP, depth)
    assert _shape(up) == ({TOP, MIDDLE}, _edges((TOP, MIDDLE)), False)
    assert GONE not in up.nodes


@pytest.mark.parametrize("direction", [UP, DOWN, BOTH])
async def test_a_walk_from_a_redacted_code_reaches_nothing(
    redacted: CatalogStore, direction: Direction
) -> None:
    lineage = await redacted.lineage(GONE, direction, 3)
    assert lineage.nodes == {GONE: None}
    assert _shape(lineage) == ({GONE}, set(), False)


async def test_lineage_of_an_unknown_code(store: CatalogStore) -> None:
    lineage = await store.lineage("302002001/000099", UP, 3)
    assert _shape(lineage) == ({lineage.root}, set(), False)
    assert lineage.nodes == {lineage.root: None}


@pytest.mark.parametrize("depth", [0, -1, 11])
async def test_depth_out_of_range_is_refused(store: CatalogStore, depth: int) -> None:
    with pytest.raises(InvalidValue, match="depth"):
        await store.lineage(A, UP, depth)
