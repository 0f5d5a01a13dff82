"""The sample catalog: every entry valid for its zone, deterministic, realistically distributed,
with acyclic lineage that crosses levels, and loadable into a store."""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum

import pytest

from graph import (
    BASE_LIBRARIES,
    THEMES,
    Classification,
    Level,
    LifecycleState,
    Resource,
    ResourceKind,
    ShareMode,
    ShareType,
    Zone,
    check_resource,
)
from graph.codes import check_credit_code, check_region_code, region_level
from graph.dates import beijing_date
from graph.sample import SampleCatalog, generate_catalog, load_sample
from graph.sample.categories import LEAVES
from graph.sample.departments import DEPARTMENT_KINDS, organisation_code
from tests.graph.conftest import OpenStore

SIZE = 2000


@pytest.fixture(scope="module")
def sample() -> SampleCatalog:
    return generate_catalog(SIZE, seed=3)


@pytest.fixture(scope="module")
def entries(sample: SampleCatalog) -> list[Resource]:
    return [entry for batch in sample.resources(batch_size=500) for entry in batch]


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(_plain(v) for v in value)  # type: ignore[type-var]
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def fingerprint(sample: SampleCatalog) -> str:
    """A hash of everything the sample holds, independent of set order and hash seeds."""
    digest = hashlib.sha256()
    for part in (sample.regions, sample.catalogs, sample.departments, sample.categories):
        digest.update(json.dumps(_plain(part), ensure_ascii=False).encode())
    for batch in sample.resources(batch_size=250):
        digest.update(json.dumps(_plain(batch), ensure_ascii=False).encode())
    return digest.hexdigest()


# -- validity ------------------------------------------------------------------------------


def test_every_entry_passes_the_rules_of_its_catalogs_zone_unchanged(
    sample: SampleCatalog, entries: list[Resource]
) -> None:
    assert len(entries) == SIZE
    for entry in entries:
        zone = sample.catalog(entry.origin).zone
        assert check_resource(entry, zone) == entry, entry.code


def test_codes_are_unique_and_filed_under_a_category_of_the_sample(
    sample: SampleCatalog, entries: list[Resource]
) -> None:
    codes = [entry.code for entry in entries]
    assert len(set(codes)) == len(codes)
    assert codes == [sample.code_of(i) for i in range(SIZE)]
    categories = {category.code for category in sample.categories}
    for entry in entries:
        assert entry.category_code in categories
        assert len(entry.category_code) == 9  # 类 1 + 项 2 + 目 3 + 细目 3


def test_base_entries_carry_base_items_shared_unconditionally(entries: list[Resource]) -> None:
    """national 第十条(二)."""
    base = [entry for entry in entries if entry.kind is ResourceKind.BASE]
    assert base
    for entry in base:
        assert entry.share_type is not ShareType.NONE
        base_items = [item for item in entry.items if item.is_base_item]
        assert base_items, entry.code
        assert all(item.share_type is ShareType.UNCONDITIONAL for item in base_items)
    others = [entry for entry in entries if entry.kind is not ResourceKind.BASE]
    assert not any(item.is_base_item for entry in others for item in entry.items)


def test_classified_entries_are_only_in_intranet_catalogs_and_never_open(
    sample: SampleCatalog, entries: list[Resource]
) -> None:
    """national 第十一条: classified entries are catalogued on the inner network only."""
    classified = [e for e in entries if e.classification is Classification.CLASSIFIED]
    assert classified
    for entry in classified:
        assert sample.catalog(entry.origin).zone is Zone.INTRANET
        assert not entry.open_to_public
    for entry in entries:
        assert entry.classification is not None


def test_sharing_fields_follow_the_share_type(entries: list[Resource]) -> None:
    for entry in entries:
        if entry.share_type is ShareType.NONE:
            assert entry.legal_basis is not None
            assert entry.legal_basis.startswith("《")
            assert not entry.share_modes
        elif entry.share_type is ShareType.CONDITIONAL:
            assert entry.share_condition
        if entry.share_modes and ShareMode.DATA_COMPARISON in entry.share_modes:
            assert entry.share_type is ShareType.CONDITIONAL


def test_history_is_consistent_with_the_state(
    sample: SampleCatalog, entries: list[Resource]
) -> None:
    for entry in entries:
        region = sample.catalog(entry.origin).region_code
        reviewer = sample.reviewer(region).code
        steps = entry.history
        assert steps[0].state is LifecycleState.DRAFT
        assert steps[-1].state is entry.state
        assert [s.at for s in steps] == sorted(s.at for s in steps)
        assert entry.updated_at == steps[-1].at
        assert entry.version >= len(steps)
        for step in steps:
            expected = reviewer if step.state is LifecycleState.PUBLISHED else entry.provider_code
            assert step.actor == expected
        published = [beijing_date(s.at) for s in steps if s.state is LifecycleState.PUBLISHED]
        assert entry.published_on == (published[-1] if published else None)
        if entry.state is LifecycleState.PUBLISHED:
            assert entry.published_on is not None


def test_entries_are_provided_by_departments_of_their_catalogs_region(
    sample: SampleCatalog, entries: list[Resource]
) -> None:
    departments = {d.code: d for d in sample.departments}
    for entry in entries:
        provider = departments[entry.provider_code]
        assert provider.name == entry.provider_name
        assert provider.region_code == sample.catalog(entry.origin).region_code
        if entry.kind is ResourceKind.THEME:
            assert entry.themes


# -- distributions -------------------------------------------------------------------------


def _shares(values: Iterable[object]) -> dict[object, float]:
    counts = collections.Counter(values)
    total = sum(counts.values())
    return {key: count / total for key, count in counts.items()}


def test_kinds_share_types_and_classification_are_distributed_as_specified(
    entries: list[Resource],
) -> None:
    kinds = _shares(entry.kind for entry in entries)
    assert kinds[ResourceKind.BASE] == pytest.approx(0.10, abs=0.02)
    assert kinds[ResourceKind.THEME] == pytest.approx(0.15, abs=0.02)
    assert kinds[ResourceKind.DEPARTMENT] == pytest.approx(0.75, abs=0.02)
    shares = _shares(entry.share_type for entry in entries)
    assert shares[ShareType.UNCONDITIONAL] == pytest.approx(0.70, abs=0.04)
    assert shares[ShareType.CONDITIONAL] == pytest.approx(0.20, abs=0.04)
    assert shares[ShareType.NONE] == pytest.approx(0.10, abs=0.03)
    classified = _shares(entry.classification for entry in entries)
    assert classified[Classification.CLASSIFIED] == pytest.approx(0.08, abs=0.03)
    states = _shares(entry.state for entry in entries)
    assert states[LifecycleState.PUBLISHED] > 0.75
    assert {LifecycleState.DRAFT, LifecycleState.SUBMITTED, LifecycleState.RETIRED} <= set(states)


def test_entries_have_five_to_twenty_items_about_ten_on_average(entries: list[Resource]) -> None:
    counts = [len(entry.items) for entry in entries]
    assert min(counts) >= 5
    assert max(counts) <= 20
    assert 9 <= sum(counts) / len(counts) <= 12


def test_cities_and_provinces_hold_most_entries(sample: SampleCatalog) -> None:
    by_level: collections.Counter[Level] = collections.Counter()
    for catalog in sample.catalogs:
        by_level[catalog.level] += sample.count(catalog.id)
    assert sum(by_level.values()) == SIZE
    middle = by_level[Level.MUNICIPAL] + by_level[Level.PROVINCIAL]
    assert middle > 0.7 * SIZE
    assert all(by_level[level] > 0 for level in Level)


# -- lineage -------------------------------------------------------------------------------


def test_lineage_points_at_entries_of_the_sample_in_the_same_zone(
    sample: SampleCatalog, entries: list[Resource]
) -> None:
    by_code = {entry.code: entry for entry in entries}
    for entry in entries:
        zone = sample.catalog(entry.origin).zone
        for code in (*entry.derived_from, *entry.related_codes):
            assert code in by_code, f"{entry.code} points at {code}, not in the sample"
            assert code != entry.code
        for code in entry.derived_from:
            assert sample.catalog(by_code[code].origin).zone is zone
    themes = [e for e in entries if e.kind is ResourceKind.THEME]
    derived = [e for e in themes if 2 <= len(e.derived_from) <= 4]
    assert len(derived) > 0.8 * len(themes)
    assert any(entry.related_codes for entry in entries)


def test_lineage_is_acyclic(entries: list[Resource]) -> None:
    sources = {entry.code: entry.derived_from for entry in entries}
    done: set[str] = set()
    for root in sources:
        path: list[str] = []
        stack = [(root, iter(sources[root]))]
        on_path = {root}
        while stack:
            code, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(code)
                done.add(code)
                continue
            assert child not in on_path, f"cycle through {child}: {path}"
            if child not in done:
                on_path.add(child)
                stack.append((child, iter(sources.get(child, ()))))


def test_lineage_crosses_levels(sample: SampleCatalog, entries: list[Resource]) -> None:
    by_code = {entry.code: entry for entry in entries}

    def level(entry: Resource) -> Level:
        return region_level(sample.catalog(entry.origin).region_code)

    edges = {
        (level(entry), entry.kind, level(by_code[c]), by_code[c].kind)
        for entry in entries
        for c in entry.derived_from
    }
    # provincial entries assembled from municipal ones
    assert any(d == Level.PROVINCIAL and s == Level.MUNICIPAL for d, _, s, _ in edges)
    # national base entries feeding provincial theme entries
    assert (Level.PROVINCIAL, ResourceKind.THEME, Level.NATIONAL, ResourceKind.BASE) in edges
    # a theme is never a source: the tiers below keep lineage acyclic
    assert all(source_kind is not ResourceKind.THEME for *_, source_kind in edges)


# -- reference data ------------------------------------------------------------------------


def test_regions_have_valid_codes_and_known_parents(sample: SampleCatalog) -> None:
    codes = {region.code for region in sample.regions}
    names = {region.code: region.name for region in sample.regions}
    for region in sample.regions:
        assert check_region_code(region.code) == region.code
        assert region.parent_code is None or region.parent_code in codes
    assert names["510100"] == "成都市"
    assert names["410202"] == "龙亭区"
    assert names["530100"] == "昆明市"
    assert {"100000", "510000", "510104", "510107", "510700", "410200", "530102"} <= codes


def test_departments_have_valid_credit_codes_with_valid_organisation_codes(
    sample: SampleCatalog,
) -> None:
    regions = {region.code for region in sample.regions}
    codes = [d.code for d in sample.departments]
    assert len(set(codes)) == len(codes)
    for department in sample.departments:
        assert check_credit_code(department.code) == department.code
        assert department.code[:2] == "11"
        assert department.code[2:8] == department.region_code
        assert department.region_code in regions
        organisation = department.code[8:17]
        assert organisation_code(organisation[:8]) == organisation
    assert len(sample.departments) == len(regions) * len(DEPARTMENT_KINDS)
    names = {d.name for d in sample.departments}
    assert {"公安部", "四川省公安厅", "成都市公安局", "成都市公安局锦江区分局"} <= names


def test_every_region_has_a_lead_for_each_base_library_and_theme(sample: SampleCatalog) -> None:
    for region in sample.regions:
        leads = [d.leads for d in sample.departments if d.region_code == region.code]
        led = set().union(*leads)
        assert led == set(BASE_LIBRARIES) | set(THEMES), region.code
    police = sample.department("510100", "police")
    assert police.name == "成都市公安局"
    assert "人口" in police.leads
    assert "电子证照" in sample.reviewer("510100").leads


def test_catalogs_report_upward_in_their_zone(sample: SampleCatalog) -> None:
    ids = {catalog.id for catalog in sample.catalogs}
    assert len(ids) == 2 * len(sample.regions)
    for catalog in sample.catalogs:
        if catalog.parent_id is None:
            assert catalog.level is Level.NATIONAL
            continue
        parent = sample.catalog(catalog.parent_id)
        assert parent.zone is catalog.zone
        assert parent.region_code == next(
            r.parent_code for r in sample.regions if r.code == catalog.region_code
        )
    assert sample.catalog("510000/intranet").name == "四川省政务信息资源目录（内网）"
    assert sample.catalog("510000/intranet").parent_id == "national/intranet"
    assert sample.catalog("510100/extranet").parent_id == "510000/extranet"


def test_every_leaf_names_entries_for_each_of_its_providers(entries: list[Resource]) -> None:
    kinds = {kind.key for kind in DEPARTMENT_KINDS}
    for leaf in LEAVES:
        assert set(leaf.providers) <= kinds
        for provider in leaf.providers:
            assert leaf.stems_for(provider), (leaf.code, provider)
            assert all("@" not in stem for stem in leaf.stems_for(provider))
        assert len(leaf.items) - leaf.core >= 20, leaf.code
    assert all("@" not in entry.name for entry in entries)


def test_categories_form_a_tree_with_the_regulations_items(sample: SampleCatalog) -> None:
    names = {category.code: category.name for category in sample.categories}
    for category in sample.categories:
        assert category.parent_code is None or category.parent_code in names
    assert names["1"] == "基础信息资源"
    assert names["2"] == "主题信息资源"
    assert names["3"] == "部门信息资源"
    assert [names[f"1{i:02d}"] for i in range(1, 6)] == list(BASE_LIBRARIES)
    assert [names[f"2{i:02d}"] for i in range(1, len(THEMES) + 1)] == list(THEMES)
    assert names["301"] == "公安"


# -- determinism and streaming --------------------------------------------------------------


def test_the_same_size_and_seed_give_the_same_sample() -> None:
    assert fingerprint(generate_catalog(1000, seed=5)) == fingerprint(generate_catalog(1000, 5))


def test_another_seed_gives_another_sample() -> None:
    assert fingerprint(generate_catalog(1000, seed=5)) != fingerprint(generate_catalog(1000, 6))


def test_the_sample_does_not_depend_on_the_hash_seed() -> None:
    script = (
        "from graph.sample import generate_catalog; "
        "from tests.graph.test_sample import fingerprint; "
        "print(fingerprint(generate_catalog(300, seed=2)))"
    )
    answers = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        answers.add(run.stdout.strip())
    assert answers == {fingerprint(generate_catalog(300, seed=2))}


def test_batches_of_any_size_stream_the_same_entries(sample: SampleCatalog) -> None:
    small = [entry for batch in sample.resources(batch_size=7) for entry in batch][:300]
    assert all(len(batch) <= 7 for batch in sample.resources(batch_size=7))
    assert small == [sample.resource(i) for i in range(300)]


def test_resources_for_a_catalog_are_the_entries_listed_in_it(sample: SampleCatalog) -> None:
    chengdu = list(sample.resources_for("510100/intranet"))
    assert len(chengdu) == sample.count("510100/intranet") > 0
    assert {entry.origin for entry in chengdu} == {"510100/intranet"}
    assert all(entry.name.startswith("成都市") for entry in chengdu)
    batches = list(sample.resources(batch_size=1000, catalog_ids=["510100/intranet"]))
    assert [entry for batch in batches for entry in batch] == chengdu
    with pytest.raises(KeyError, match="999999/intranet"):
        sample.count("999999/intranet")


def test_one_catalogs_entries_do_not_depend_on_the_others(sample: SampleCatalog) -> None:
    """An entry is made from its index alone: one can be made without making any other."""
    index = SIZE // 2
    assert sample.resource(index) == generate_catalog(SIZE, seed=3).resource(index)


# -- loading -------------------------------------------------------------------------------


async def test_load_sample_puts_what_the_instance_holds(open_store: OpenStore) -> None:
    sample = generate_catalog(400, seed=1)
    async with open_store(sample.catalog("510000/intranet")) as store:
        applied = await load_sample(store, sample, batch_size=64)
        ids = sample.subtree("510000/intranet")
        expected = [entry for batch in sample.resources(400, ids) for entry in batch]
        assert applied == len(expected) > 0
        assert {c.id for c in await store.catalogs()} >= set(ids)
        held = await store.get_many([entry.code for entry in expected])
        assert set(held) == {entry.code for entry in expected}
        assert await load_sample(store, sample) == 0  # the same versions again change nothing
