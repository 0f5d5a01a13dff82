"""Contract: every rule of `graph.rules` is enforced by the store itself, on every write path,
with a message naming the field, the value and what would be accepted — and a refused write
stores nothing, not even the good entries of its batch."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from graph import (
    CatalogStore,
    Classification,
    DataItem,
    InvalidValue,
    ResourceFilter,
    ShareMode,
    ShareType,
)
from tests.graph.conftest import CHENGDU_EXTRANET, OpenStore
from tests.graph.entries import code, resource

ALL_STATES = ResourceFilter(states=frozenset())
BASE = "101001001/000001"  # a base resource (类 1)

# id → (overrides making a valid entry invalid, the field named, the rule cited or None)
REFUSALS: dict[str, tuple[dict[str, Any], str, str | None]] = {
    "code-grammar": ({"code": "301001001-000001"}, "code", None),
    "code-class-digit": ({"code": "401001001/000001"}, "code", None),
    "name-blank": ({"name": "  "}, "name", None),
    "name-too-long": ({"name": "人" * 201}, "name", None),
    "summary-blank": ({"summary": ""}, "summary", None),
    "provider-check-character": ({"provider_code": "11510100MB0000001X"}, "provider_code", None),
    "provider-name-blank": ({"provider_name": ""}, "provider_name", None),
    "format-type-blank": ({"format_type": " "}, "format_type", None),
    "none-without-legal-basis": (
        {"share_type": ShareType.NONE, "share_modes": frozenset()},
        "legal_basis",
        "national 第十条(一)",
    ),
    "none-with-share-modes": (
        {"share_type": ShareType.NONE, "legal_basis": "《中华人民共和国保守国家秘密法》"},
        "share_modes",
        None,
    ),
    "shared-without-share-modes": ({"share_modes": frozenset()}, "share_modes", None),
    "conditional-without-condition": (
        {"share_type": ShareType.CONDITIONAL},
        "share_condition",
        "national 第九条",
    ),
    "base-item-of-conditional-base-resource": (
        {
            "code": BASE,
            "share_type": ShareType.CONDITIONAL,
            "share_condition": "仅限政务用途",
            "items": (DataItem("公民身份号码", "string", 18, is_base_item=True),),
        },
        "items[0].share_type",
        "national 第十条(二)",
    ),
    "base-item-shared-conditionally": (
        {
            "code": BASE,
            "items": (
                DataItem("姓名", "string", 50, is_base_item=True),
                DataItem("住址", "string", 200, True, ShareType.CONDITIONAL),
            ),
        },
        "items[1].share_type",
        "national 第十条(二)",
    ),
    "base-item-of-department-resource": (
        {"items": (DataItem("姓名", "string", 50, is_base_item=True),)},
        "items[0].is_base_item",
        None,
    ),
    "item-duplicate-name": (
        {"items": (DataItem("姓名", "string"), DataItem("姓名", "string"))},
        "items[1].name",
        None,
    ),
    "item-length-zero": ({"items": (DataItem("姓名", "string", 0),)}, "items[0].length", None),
    "item-data-type-blank": ({"items": (DataItem("姓名", ""),)}, "items[0].data_type", None),
    "open-classified": (
        {"classification": Classification.CLASSIFIED, "open_to_public": True},
        "open_to_public",
        None,
    ),
    "open-condition-while-closed": ({"open_condition": "注册后下载"}, "open_condition", None),
    "unknown-theme": ({"themes": frozenset({"人工智能"})}, "themes", None),
    "theme-resource-without-theme": ({"code": "201001001/000001"}, "themes", None),
    "version-zero": ({"version": 0}, "version", None),
    "related-to-itself": ({"related_codes": ("301001001/000001",)}, "related_codes[0]", None),
    "derived-from-bad-code": ({"derived_from": ("3010/1",)}, "derived_from[0]", None),
}


def _check_message(error: InvalidValue, field: str, rule: str | None) -> None:
    assert error.field == field
    assert field in str(error)
    assert repr(error.value) in str(error)
    assert error.accepted
    assert error.accepted in str(error)
    if rule is not None:
        assert error.rule == rule
        assert rule in str(error)


async def _nothing_stored(store: CatalogStore, *codes: str) -> None:
    assert await store.get_many(codes) == {}
    page = await store.find(ALL_STATES)
    assert page.total_count == 0
    assert page.items == ()
    assert await store.departments() == []


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
async def test_save_refuses_and_stores_nothing(store: CatalogStore, case: str) -> None:
    overrides, field, rule = REFUSALS[case]
    bad = resource(**overrides)
    with pytest.raises(InvalidValue) as refused:
        await store.save(bad, expected_version=None)
    _check_message(refused.value, field, rule)
    await _nothing_stored(store, bad.code, "301001001/000001")


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
async def test_apply_refuses_the_whole_batch(store: CatalogStore, case: str) -> None:
    """One refused snapshot in a batch: the batch is one transaction, so the good ones before
    and after it are not written either."""
    overrides, field, rule = REFUSALS[case]
    good_before = resource(code(901), name="企业登记信息")
    bad = resource(**overrides)
    good_after = resource(code(902), name="社会组织信息")
    with pytest.raises(InvalidValue) as refused:
        await store.apply([good_before, bad, good_after])
    _check_message(refused.value, field, rule)
    await _nothing_stored(store, good_before.code, good_after.code, bad.code)


async def test_refused_update_keeps_the_stored_version(store: CatalogStore) -> None:
    kept = await store.save(resource(), expected_version=None)
    bad = dataclasses.replace(kept, version=2, share_type=ShareType.NONE, share_modes=frozenset())
    with pytest.raises(InvalidValue, match="legal_basis"):
        await store.save(bad, expected_version=1)
    with pytest.raises(InvalidValue, match="legal_basis"):
        await store.apply([bad])
    assert await store.get(kept.code) == kept


async def test_missing_classification_on_the_intranet_is_stored_classified(
    store: CatalogStore,
) -> None:
    """national 第十一条: on the intranet an entry without a classification fails closed."""
    saved = await store.save(resource(classification=None), expected_version=None)
    assert saved.classification is Classification.CLASSIFIED
    stored = await store.get(saved.code)
    assert stored is not None
    assert stored.classification is Classification.CLASSIFIED


@pytest.mark.parametrize("classification", [Classification.CLASSIFIED, None])
async def test_extranet_refuses_classified_entries_on_every_path(
    open_store: OpenStore, classification: Classification | None
) -> None:
    """national 第十一条: the extranet holds no classified entry — saved, applied by the sync,
    or without a classification at all."""
    async with open_store(CHENGDU_EXTRANET) as extranet:
        entry = resource(classification=classification, origin=CHENGDU_EXTRANET.id)
        with pytest.raises(InvalidValue) as by_save:
            await extranet.save(entry, expected_version=None)
        with pytest.raises(InvalidValue) as by_apply:
            await extranet.apply([resource(code(903), origin=CHENGDU_EXTRANET.id), entry])
        for refused in (by_save.value, by_apply.value):
            _check_message(refused, "classification", "national 第十一条")
            assert "UNCLASSIFIED" in refused.accepted
        await _nothing_stored(extranet, entry.code, code(903))


async def test_extranet_accepts_unclassified_entries(open_store: OpenStore) -> None:
    async with open_store(CHENGDU_EXTRANET) as extranet:
        every_but_comparison = frozenset(ShareMode) - {ShareMode.DATA_COMPARISON}
        entry = resource(origin=CHENGDU_EXTRANET.id, share_modes=every_but_comparison)
        assert await extranet.apply([entry]) == ["APPLIED"]
        assert await extranet.get(entry.code) == entry
