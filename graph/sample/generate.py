"""A realistic sample catalog of any size, the same for the same (size, seed).

Reference data (regions, catalogs, departments, categories) is small and held; entries are made
on demand from their index alone — each draws from its own `random.Random` seeded by
(seed, index) — so they stream in batches of any size and a 1M sample never sits in memory.

    sample = generate_catalog(100_000, seed=7)
    for batch in sample.resources(batch_size=1000):
        ...
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from graph.dates import beijing_date
from graph.enums import (
    THEMES,
    Classification,
    Level,
    LifecycleState,
    ResourceKind,
    ShareMode,
    ShareType,
    UpdateCycle,
    Zone,
)
from graph.model import (
    Catalog,
    Category,
    DataItem,
    Department,
    LifecycleStep,
    Region,
    Resource,
)
from graph.sample.catalogs import sample_catalogs
from graph.sample.categories import Leaf, sample_categories
from graph.sample.departments import REVIEWER, departments_by_kind, sample_departments
from graph.sample.lineage import DEPARTMENT_THEMES, Sources
from graph.sample.names import (
    BASE_SHARE_CONDITION,
    LEGAL_BASES,
    OPEN_CONDITIONS,
    SHARE_CONDITIONS,
    entry_format,
    entry_name,
    entry_summary,
)
from graph.sample.plan import Cell, Plan
from graph.sample.regions import sample_regions

__all__ = ["SampleCatalog", "generate_catalog"]

# Share types: ~70% unconditional, ~20% conditional, ~10% not shared over the whole sample;
# base entries are never NONE (their base items are shared unconditionally).
_SHARE_WEIGHTS = {
    ResourceKind.BASE: ((ShareType.UNCONDITIONAL, ShareType.CONDITIONAL), (85, 15)),
    ResourceKind.THEME: (tuple(ShareType), (683, 206, 111)),
    ResourceKind.DEPARTMENT: (tuple(ShareType), (683, 206, 111)),
}
_UNCONDITIONAL_MODES = (
    ShareMode.INTERFACE,
    ShareMode.BATCH_DOWNLOAD,
    ShareMode.FRONT_END_EXCHANGE,
    ShareMode.ONLINE_QUERY,
)
_CONDITIONAL_MODES = (ShareMode.INTERFACE, ShareMode.ONLINE_QUERY, ShareMode.DATA_COMPARISON)
_CYCLES = tuple(UpdateCycle)
_CYCLE_WEIGHTS = (10, 25, 8, 25, 12, 20)
# ~8% classified over the sample: 18% of the intranet's entries, none of the extranet's.
_INTRANET_CLASSIFIED = 0.18
# Share of entries of each level assembled from those of the level below (DERIVED_FROM).
_ASSEMBLED = {Level.NATIONAL: 0.6, Level.PROVINCIAL: 0.5, Level.MUNICIPAL: 0.25, Level.COUNTY: 0.0}
_EPOCH = datetime(2018, 1, 1, 1, tzinfo=UTC)  # 09:00 in Beijing
_EPOCH_DAYS = 2372  # up to mid-2024


class SampleCatalog:
    """A generated catalog: reference data, and `size` entries made on demand.

    Every entry passes `graph.rules.check_resource` for the zone of the catalog it is listed in
    (its `origin`); classified entries exist only in intranet catalogs.
    """

    def __init__(self, size: int, seed: int = 0) -> None:
        self.size = size
        self.seed = seed
        self.regions: list[Region] = sample_regions()
        self.catalogs: list[Catalog] = sample_catalogs(self.regions)
        self.departments: list[Department] = sample_departments(self.regions)
        self.categories: list[Category] = sample_categories()
        self._plan = Plan(self.catalogs, size, seed)
        self._sources = Sources(self._plan, self.catalogs)
        self._catalog_index = {catalog.id: c for c, catalog in enumerate(self.catalogs)}
        self._departments = departments_by_kind(self.departments)

    def __len__(self) -> int:
        return self.size

    # -- reference data --------------------------------------------------------------------
    def catalog(self, catalog_id: str) -> Catalog:
        return self.catalogs[self._index_of(catalog_id)]

    def subtree(self, catalog_id: str) -> list[str]:
        """`catalog_id` and every catalog below it (same zone), parents before children."""
        ids = [catalog_id]
        for catalog in self.catalogs:
            if catalog.parent_id in ids:
                ids.append(catalog.id)
        return ids

    def department(self, region_code: str, kind: str) -> Department:
        """The department of `kind` (a `DEPARTMENT_KINDS` key such as ``police``) in a region."""
        return self._departments[(region_code, kind)]

    def reviewer(self, region_code: str) -> Department:
        """The body that reviews and publishes a region's entries (Kunming 第十五条)."""
        return self._departments[(region_code, REVIEWER)]

    # -- entries ---------------------------------------------------------------------------
    def count(self, catalog_id: str) -> int:
        first, end = self._plan.catalog_ranges[self._index_of(catalog_id)]
        return end - first

    def code_of(self, index: int) -> str:
        """The code of entry `index`, without making the entry."""
        return self._plan.code_of(index)

    def resource(self, index: int) -> Resource:
        """Entry `index` (0 ≤ index < size): always the same for the same (size, seed)."""
        cell = self._plan.cell_of(index)
        return self._make(cell, index - cell.start, random.Random((self.seed << 32) | index))

    def resources(
        self, batch_size: int = 1000, catalog_ids: Iterable[str] | None = None
    ) -> Iterator[list[Resource]]:
        """Every entry (or those of `catalog_ids`), in batches of at most `batch_size`."""
        if batch_size < 1:
            raise ValueError(f"a batch size of at least 1, got {batch_size}")
        indices = self._indices(catalog_ids)
        while batch := [self.resource(i) for i in itertools.islice(indices, batch_size)]:
            yield batch

    def resources_for(self, catalog_id: str) -> Iterator[Resource]:
        """The entries listed in one catalog (their origin), one by one."""
        first, end = self._plan.catalog_ranges[self._index_of(catalog_id)]
        return (self.resource(i) for i in range(first, end))

    def _indices(self, catalog_ids: Iterable[str] | None) -> Iterator[int]:
        if catalog_ids is None:
            return iter(range(self.size))
        ranges = [self._plan.catalog_ranges[self._index_of(c)] for c in catalog_ids]
        return itertools.chain.from_iterable(range(a, b) for a, b in ranges)

    def _index_of(self, catalog_id: str) -> int:
        try:
            return self._catalog_index[catalog_id]
        except KeyError:
            known = ", ".join(self._catalog_index)
            raise KeyError(f"no catalog {catalog_id!r} in the sample; it has {known}") from None

    def _make(self, cell: Cell, rank: int, rng: random.Random) -> Resource:
        catalog = self.catalogs[cell.catalog]
        leaf, kind = cell.leaf, cell.leaf.kind
        code = cell.code(rank)
        provider = self._departments[(catalog.region_code, cell.provider)]
        reviewer = self._departments[(catalog.region_code, REVIEWER)]

        classification = Classification.UNCLASSIFIED
        if catalog.zone is Zone.INTRANET and rng.random() < _INTRANET_CLASSIFIED:
            classification = Classification.CLASSIFIED
        sharing = _sharing(rng, kind)
        open_to_public = (
            classification is Classification.UNCLASSIFIED
            and sharing.share_type is ShareType.UNCONDITIONAL
            and kind is not ResourceKind.BASE
            and rng.random() < 0.25
        )
        open_condition = None
        if open_to_public and rng.random() < 0.5:
            open_condition = rng.choice(OPEN_CONDITIONS)
        cycle = rng.choices(_CYCLES, _CYCLE_WEIGHTS)[0]
        format_class, format_type = entry_format(rng, leaf, cycle)
        themes = _themes(rng, leaf)
        stem = rng.choice(cell.stems)
        derived_from = self._derived_from(cell, catalog.level, rng)
        related = self._related(cell, code, rng)

        state, history, version = _lifecycle(rng, provider.code, reviewer.code)
        published = [step for step in history if step.state is LifecycleState.PUBLISHED]
        extensions: tuple[tuple[str, str], ...] = ()
        if rng.random() < 0.3:
            extensions = (("数据量（条）", str(int(10 ** rng.uniform(2, 7)))),)

        return Resource(
            code=code,
            name=entry_name(rng, stem, catalog.region_code),
            provider_code=provider.code,
            provider_name=provider.name,
            summary=entry_summary(rng, leaf, stem, catalog.region_code, provider, cycle),
            format_class=format_class,
            format_type=format_type,
            share_type=sharing.share_type,
            update_cycle=cycle,
            classification=classification,
            items=_items(rng, leaf),
            share_condition=sharing.share_condition,
            legal_basis=sharing.legal_basis,
            share_modes=sharing.share_modes,
            open_to_public=open_to_public,
            open_condition=open_condition,
            published_on=beijing_date(published[-1].at) if published else None,
            related_codes=related,
            derived_from=derived_from,
            themes=themes,
            state=state,
            history=history,
            version=version,
            origin=catalog.id,
            updated_at=history[-1].at,
            extensions=extensions,
        )

    def _derived_from(self, cell: Cell, level: Level, rng: random.Random) -> tuple[str, ...]:
        kind = cell.leaf.kind
        if kind is ResourceKind.THEME:
            sources, wanted = self._sources.theme_sources(cell), rng.randint(2, 4)
        elif rng.random() < _ASSEMBLED[level]:
            sources, wanted = self._sources.assembled_from(cell), rng.randint(1, 3)
        else:
            return ()
        if not sources:
            return ()
        # Distinct cells where there are enough, so a theme has 2–4 different sources.
        cells = rng.sample(sources, wanted) if len(sources) >= wanted else sources
        return tuple(sorted({_pick(source, rng) for source in cells}))

    def _related(self, cell: Cell, own: str, rng: random.Random) -> tuple[str, ...]:
        if rng.random() >= 0.35:
            return ()
        cells = self._sources.related(cell)
        codes = {_pick(source, rng) for source in rng.choices(cells, k=rng.randint(1, 3))}
        codes.discard(own)
        return tuple(sorted(codes))


class _Sharing(NamedTuple):
    share_type: ShareType
    share_modes: frozenset[ShareMode]
    share_condition: str | None
    legal_basis: str | None


def _sharing(rng: random.Random, kind: ResourceKind) -> _Sharing:
    """A share type and what it requires: modes, a condition, or the legal basis for NONE."""
    types, weights = _SHARE_WEIGHTS[kind]
    share_type = rng.choices(types, weights)[0]
    if share_type is ShareType.UNCONDITIONAL:
        modes = frozenset(rng.sample(_UNCONDITIONAL_MODES, rng.randint(1, 3)))
        return _Sharing(share_type, modes, None, None)
    if share_type is ShareType.NONE:
        return _Sharing(share_type, frozenset(), None, rng.choice(LEGAL_BASES))
    modes = frozenset(rng.sample(_CONDITIONAL_MODES, rng.randint(1, 2)))
    if kind is ResourceKind.BASE:
        return _Sharing(share_type, modes, BASE_SHARE_CONDITION, None)
    condition, implied = rng.choice(SHARE_CONDITIONS)
    return _Sharing(share_type, modes | {implied} if implied else modes, condition, None)


def _items(rng: random.Random, leaf: Leaf) -> tuple[DataItem, ...]:
    """5–20 items, ~10 on average: the 细目's core items, a run of related items of its domains
    (neighbours in the vocabulary are on the same subject), and one to three common ones."""
    wanted = max(leaf.core, 5 + int(rng.random() ** 1.6 * 16))
    common = min(rng.randint(1, 3), wanted - leaf.core)
    domain = range(leaf.core, leaf.common_from)
    from_domain = min(wanted - leaf.core - common, len(domain))
    window = min(len(domain), from_domain + from_domain // 2 + 1)
    first = domain.start + rng.randrange(len(domain) - window + 1)
    picked = rng.sample(range(first, first + window), from_domain)
    common = wanted - leaf.core - from_domain
    picked += rng.sample(range(leaf.common_from, len(leaf.items)), common)
    return leaf.items[: leaf.core] + tuple(leaf.items[i] for i in sorted(picked))


def _themes(rng: random.Random, leaf: Leaf) -> frozenset[str]:
    """A theme entry's own theme (and now and then another); a department's, sometimes one."""
    if leaf.kind is ResourceKind.THEME:
        if rng.random() < 0.2:
            return frozenset((leaf.group, rng.choice(THEMES)))
        return frozenset((leaf.group,))
    candidates = DEPARTMENT_THEMES.get(leaf.group, ())
    if leaf.kind is ResourceKind.DEPARTMENT and candidates and rng.random() < 0.25:
        return frozenset((rng.choice(candidates),))
    return frozenset()


def _pick(cell: Cell, rng: random.Random) -> str:
    return cell.code(rng.randrange(cell.count))


def _lifecycle(
    rng: random.Random, provider: str, reviewer: str
) -> tuple[LifecycleState, tuple[LifecycleStep, ...], int]:
    """A state (mostly PUBLISHED), the history that led to it, and the version it is at.

    The provider drafts, submits, revises and retires; the reviewer publishes (Sichuan 第十条).
    Every step is a new version, and so is every edit of a draft.
    """
    at = _EPOCH + timedelta(days=rng.randrange(_EPOCH_DAYS), minutes=rng.randrange(9 * 60))
    steps = [LifecycleStep(LifecycleState.DRAFT, provider, at)]
    edits = rng.randrange(3)

    def step(state: LifecycleState, actor: str, note: str | None = None) -> None:
        nonlocal at
        at += timedelta(days=rng.randint(1, 15), minutes=rng.randrange(-120, 120))
        steps.append(LifecycleStep(state, actor, at, note))

    roll = rng.random()
    if roll < 0.05:
        state = LifecycleState.DRAFT
    elif roll < 0.10:
        state = LifecycleState.SUBMITTED
        step(state, provider)
    else:
        step(LifecycleState.SUBMITTED, provider)
        step(LifecycleState.PUBLISHED, reviewer, "审核通过")
        if rng.random() < 0.2:
            step(LifecycleState.DRAFT, provider, "信息项调整")
            edits += rng.randrange(2)
            step(LifecycleState.SUBMITTED, provider)
            step(LifecycleState.PUBLISHED, reviewer, "审核通过")
        state = LifecycleState.PUBLISHED
        if roll > 0.95:
            state = LifecycleState.RETIRED
            step(state, provider, "业务调整，资源停止更新")
    return state, tuple(steps), len(steps) + edits


def generate_catalog(size: int, seed: int = 0) -> SampleCatalog:
    """A sample catalog of `size` entries over every catalog of the sample, in both zones.

    sample = generate_catalog(2000)
    entries = next(sample.resources(batch_size=500))
    """
    return SampleCatalog(size, seed)
