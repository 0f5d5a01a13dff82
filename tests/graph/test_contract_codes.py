"""Contract: the instance numbers new entries (issue 13, defect class 5).

The 1272 guide makes the resource code 前段码/后段码: the category, then a sequence number
(DESIGN "Resource metadata"). A department names the category; the store allocates the next
number of that category, atomically, from its zone's own range of the six digits
(`graph.codes.SEQUENCE_RANGES`), so the intranet and extranet instances of a region never
number two entries alike. A code held here from another origin is never written over (one
resource, one origin: 一数一源). Each test failed before: there was no allocation, a caller
chose any code, and `save` wrote over a copy of another origin's entry.
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from graph import (
    Actor,
    ApplyOutcome,
    CatalogStore,
    Cataloguing,
    Classification,
    InvalidValue,
    LifecycleState,
    VersionConflict,
    Zone,
)
from graph.codes import SEQUENCE_RANGES
from tests.graph.conftest import CHENGDU_EXTRANET, CHENGDU_INTRANET, OpenStore
from tests.graph.entries import POLICE, code, resource

FRONT = "301001001"
OWNER = Actor(POLICE.code)


async def test_a_store_numbers_a_category_from_the_start_of_its_zones_range(
    open_store: OpenStore,
) -> None:
    async with open_store(CHENGDU_INTRANET) as intranet:
        assert [await intranet.allocate_code(FRONT) for _ in range(3)] == [
            code(1),
            code(2),
            code(3),
        ]
        assert await intranet.allocate_code("101001001") == "101001001/000001"
    async with open_store(CHENGDU_EXTRANET) as extranet:
        assert await extranet.allocate_code(FRONT) == f"{FRONT}/500000"
        assert await extranet.allocate_code(FRONT) == f"{FRONT}/500001"


async def test_allocation_passes_every_code_held_or_redacted_in_the_range(
    store: CatalogStore,
) -> None:
    await store.apply(
        [
            resource(code(7), origin="510000/intranet"),  # a copy: its number is taken too
            resource(code(2)),
            resource(f"{FRONT}/600001", origin="510100/extranet"),  # the other zone's range
            resource("3010010011/000050"),  # a longer 前段码 sorts apart
        ]
    )
    assert await store.allocate_code(FRONT) == code(8)
    await store.redact(code(20), 3)  # a tombstone keeps its number
    assert await store.allocate_code(FRONT) == code(21)
    assert await store.allocate_code("3010010011") == "3010010011/000051"


async def test_a_number_allocated_and_never_saved_is_not_given_again(
    open_store: OpenStore,
) -> None:
    async with open_store(CHENGDU_INTRANET) as store:
        assert await store.allocate_code(FRONT) == code(1)
    async with open_store(CHENGDU_INTRANET) as reopened:
        assert await reopened.allocate_code(FRONT) == code(2)


async def test_concurrent_allocations_never_get_the_same_code(store: CatalogStore) -> None:
    codes = await asyncio.gather(*(store.allocate_code(FRONT) for _ in range(24)))
    assert sorted(codes) == [code(n) for n in range(1, 25)]


async def test_concurrent_creates_never_get_the_same_code(store: CatalogStore) -> None:
    cataloguing = Cataloguing(store)
    drafts = await asyncio.gather(
        *(cataloguing.create(OWNER, resource(FRONT, name=f"条目{n}")) for n in range(12))
    )
    assert sorted(d.code for d in drafts) == [code(n) for n in range(1, 13)]
    held = await store.get_many([d.code for d in drafts])
    assert {c: e.name for c, e in held.items()} == {d.code: d.name for d in drafts}


async def test_an_exhausted_range_is_refused_naming_the_category(store: CatalogStore) -> None:
    last = SEQUENCE_RANGES[Zone.INTRANET][1]
    await store.apply([resource(f"{FRONT}/{last:06d}")])
    with pytest.raises(InvalidValue, match="are all allocated") as refused:
        await store.allocate_code(FRONT)
    assert (refused.value.field, refused.value.value) == ("category", FRONT)


@pytest.mark.parametrize("category", ["301001001/000001", "401001001", "30100", "3010010011111"])
async def test_allocation_takes_a_category_code_alone(store: CatalogStore, category: str) -> None:
    with pytest.raises(InvalidValue, match="前段码 alone") as refused:
        await store.allocate_code(category)
    assert (refused.value.field, refused.value.value) == ("category", category)


async def test_a_create_is_numbered_by_the_store_not_the_caller(store: CatalogStore) -> None:
    cataloguing = Cataloguing(store)
    await store.apply([resource(code(4), origin="510000/intranet")])
    draft = await cataloguing.create(OWNER, resource(FRONT))
    assert (draft.code, draft.state, draft.origin) == (
        code(5),
        LifecycleState.DRAFT,
        store.catalog.id,
    )
    with pytest.raises(InvalidValue, match="前段码 alone") as refused:
        await cataloguing.create(OWNER, resource(code(40)))
    assert refused.value.field == "code"
    assert await store.get(code(40)) is None


async def test_an_entry_the_rules_refuse_uses_up_no_number(store: CatalogStore) -> None:
    cataloguing = Cataloguing(store)
    with pytest.raises(InvalidValue, match="summary"):
        await cataloguing.create(OWNER, resource(FRONT, summary=" "))
    assert (await cataloguing.create(OWNER, resource(FRONT))).code == code(1)


async def test_a_code_held_from_another_origin_is_never_saved_over(store: CatalogStore) -> None:
    """One resource, one origin (一数一源): a save — a create or an update — of a code this
    instance holds as another catalog's copy is refused, and the copy stays."""
    copy = resource(code(3), origin="510000/intranet")
    await store.apply([copy])
    mine = resource(code(3), origin=store.catalog.id, name="冒名条目")
    for expected in (None, copy.version):
        with pytest.raises(InvalidValue, match="510000/intranet") as refused:
            await store.save(mine, expected_version=expected)
        assert (refused.value.field, refused.value.value) == ("code", code(3))
    assert await store.get(code(3)) == copy
    # Its own entries it saves as before.
    own = await store.save(resource(code(1), origin=store.catalog.id), expected_version=None)
    with pytest.raises(VersionConflict):
        await store.save(own, expected_version=None)


async def test_the_two_zones_number_apart_so_a_mirrored_entry_never_conflicts(
    open_store: OpenStore,
) -> None:
    """The intranet holds a classified entry the extranet never sees; the extranet's own new
    entry of the same category gets a number of its own range, and mirrored back into the
    intranet it is a new code there, not a CONFLICT with the classified one."""
    async with open_store(CHENGDU_INTRANET) as intranet:
        secret = await Cataloguing(intranet).create(
            OWNER, resource(FRONT, classification=Classification.CLASSIFIED)
        )
    async with open_store(CHENGDU_EXTRANET) as extranet:
        public = await Cataloguing(extranet).create(OWNER, resource(FRONT))
    assert secret.code != public.code
    assert int(secret.code[-6:]) < SEQUENCE_RANGES[Zone.EXTRANET][0] <= int(public.code[-6:])
    async with open_store(CHENGDU_INTRANET) as intranet:
        mirrored = dataclasses.replace(public, state=LifecycleState.PUBLISHED, history=())
        # (Both catalogs share the one graph of the Neo4j test server: there the copy is
        # already held, from the same origin, hence STALE; on its own store it is APPLIED.)
        assert await intranet.apply([mirrored]) != [ApplyOutcome.CONFLICT]
        assert await intranet.get(mirrored.code) is not None
        assert (await intranet.get(secret.code)) == secret
