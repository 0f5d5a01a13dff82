"""Contract: `allocate_codes` numbers a batch of new entries in one round trip, as
`allocate_code` numbers one — past every code held or allocated, never the same twice."""

from __future__ import annotations

import pytest

from graph import CatalogStore, InvalidValue
from graph.codes import MAX_ALLOCATED
from tests.graph.entries import resource


async def test_a_batch_continues_each_sequence_past_what_is_held(store: CatalogStore) -> None:
    await store.save(resource("301001001/000004"), None)
    found = await store.allocate_codes({"301001001": 3, "302001001": 2, "303001001": 0})
    assert found == {
        "301001001": ["301001001/000005", "301001001/000006", "301001001/000007"],
        "302001001": ["302001001/000001", "302001001/000002"],
        "303001001": [],
    }
    # Allocated and not saved: never handed out again, one at a time or in a batch.
    assert await store.allocate_code("301001001") == "301001001/000008"
    assert await store.allocate_codes({"302001001": 1}) == {"302001001": ["302001001/000003"]}


async def test_a_batch_beyond_the_bound_or_of_no_category_is_refused(store: CatalogStore) -> None:
    with pytest.raises(InvalidValue, match="at most 10000 codes"):
        await store.allocate_codes({"301001001": MAX_ALLOCATED + 1})
    with pytest.raises(InvalidValue, match="a 前段码 alone"):
        await store.allocate_codes({"301001001/000001": 1})
    with pytest.raises(InvalidValue, match="a whole number"):
        await store.allocate_codes({"301001001": -1})


async def test_a_code_brought_with_an_entry_is_free_unless_held_redacted_or_allocated(
    store: CatalogStore,
) -> None:
    """Free: held by no entry, never redacted, never handed out by the sequence (past its last
    allocation) — whatever other codes are held, so that departments bringing their entries
    one after another may hold codes that interleave."""
    await store.save(resource("301001001/000004"), None)
    await store.redact("302001001/000009", 1)
    assert await store.allocate_codes({"303001001": 2}) == {
        "303001001": ["303001001/000001", "303001001/000002"]
    }
    taken = ["301001001/000004", "302001001/000009", "303001001/000001", "303001001/000002"]
    free = ["301001001/000003", "301001001/000010", "302001001/000008", "303001001/000007"]
    asked = [free[0], taken[0], free[1], taken[1], taken[2], free[2], taken[3], free[3]]
    assert await store.free_codes(asked) == taken
    # Asking writes nothing: the sequence goes on past what it held and allocated.
    found = await store.allocate_codes({"301001001": 1, "303001001": 1})
    assert found == {"301001001": ["301001001/000005"], "303001001": ["303001001/000003"]}


async def test_a_code_of_the_other_zones_range_is_never_free(store: CatalogStore) -> None:
    with pytest.raises(InvalidValue) as refused:
        await store.free_codes(["301001001/500001"])
    assert "intranet instance's range" in refused.value.accepted
    assert "301001001/000001 to 301001001/499999" in refused.value.accepted
