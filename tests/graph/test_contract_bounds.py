"""Bounded statements, on both stores: a lookup by more codes than one statement takes
(SQLite binds at most 250,000 parameters here; a Neo4j UNWIND of that many takes its memory)
answers in chunks (graph.chunks). Before, a relay's one lookup of a batch's references
failed, was retried for ever, and stalled its link (issue: nothing stalled)."""

from __future__ import annotations

from graph import CatalogStore
from graph.chunks import CODES_PER_STATEMENT, chunks
from tests.graph.entries import code, resource

MANY = 260_000


async def test_a_lookup_by_more_codes_than_a_statement_takes_answers(store: CatalogStore) -> None:
    held = [resource(code(n)) for n in (1, 2)]
    await store.apply(held)
    codes = [f"301001001/{n:06d}" for n in range(1, MANY + 1)]
    found = await store.get_many(codes)
    assert sorted(found) == [e.code for e in held]
    assert await store.origins(codes) == {e.code: e.origin for e in held}
    await store.set_outbox_position("relay", 0, mark=[held[0].code])
    assert await store.outbox_marks("relay", codes) == {held[0].code}


def test_chunks_cover_every_value_once_in_order() -> None:
    values = list(range(2 * CODES_PER_STATEMENT + 1))
    parts = list(chunks(values))
    assert [len(p) for p in parts] == [CODES_PER_STATEMENT, CODES_PER_STATEMENT, 1]
    assert [v for p in parts for v in p] == values
