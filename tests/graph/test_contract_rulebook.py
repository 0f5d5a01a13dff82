"""Contract: `Cataloguing` applies the instance's rulebook on create and update — Kunming's
legal basis for a CONDITIONAL entry (Kunming 第十二、十三条) — while the State Council's
rulebook, the default, adds no write rule; a refused entry uses up no code."""

from __future__ import annotations

import dataclasses

import pytest

from graph import Actor, CatalogStore, Cataloguing, InvalidValue, ShareType
from graph.sharing import rulebook_named
from tests.graph.entries import POLICE, resource

OWNER = Actor(POLICE.code)
CATEGORY = "301001001"
KUNMING = rulebook_named("state-council-2025", ["kunming"])
CONDITIONAL = resource(CATEGORY, share_type=ShareType.CONDITIONAL, share_condition="仅限政务用途")
BASIS = "《某某条例》第十条"


async def test_kunming_refuses_to_create_a_conditional_entry_without_a_legal_basis(
    store: CatalogStore,
) -> None:
    cataloguing = Cataloguing(store, rulebook=KUNMING)
    with pytest.raises(InvalidValue) as refused:
        await cataloguing.create(OWNER, CONDITIONAL)
    assert refused.value.field == "legal_basis"
    assert refused.value.rule is not None
    assert refused.value.rule.endswith("第十二、十三条")
    created = await cataloguing.create(OWNER, dataclasses.replace(CONDITIONAL, legal_basis=BASIS))
    assert created.code == f"{CATEGORY}/000001"  # the refusal used up no number


async def test_kunming_refuses_an_update_that_drops_the_legal_basis(store: CatalogStore) -> None:
    cataloguing = Cataloguing(store, rulebook=KUNMING)
    draft = await cataloguing.create(OWNER, dataclasses.replace(CONDITIONAL, legal_basis=BASIS))
    with pytest.raises(InvalidValue, match="legal_basis"):
        await cataloguing.update(OWNER, dataclasses.replace(draft, legal_basis="  "), 1)
    assert await store.get(draft.code) == draft
    unconditional = dataclasses.replace(
        draft, share_type=ShareType.UNCONDITIONAL, share_condition=None, legal_basis=None
    )
    assert (await cataloguing.update(OWNER, unconditional, 1)).version == 2


async def test_the_default_rulebook_adds_no_write_rule(store: CatalogStore) -> None:
    draft = await Cataloguing(store).create(OWNER, CONDITIONAL)
    assert draft.legal_basis is None
