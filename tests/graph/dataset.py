"""A small catalog for find, search and facet tests: 25 entries across six catalogs of four
levels, every filterable field varied, so each filter selects a different non-trivial subset.

The expected answers are computed here in Python from the entries themselves, never by a store.
"""

from __future__ import annotations

from graph import (
    THEMES,
    Catalog,
    LifecycleState,
    Resource,
    ShareMode,
    ShareType,
    UpdateCycle,
)
from tests.graph.entries import (
    CHENGDU,
    CHONGQING,
    HEALTH,
    JINJIANG,
    JINJIANG_CATALOG,
    MARKET,
    MIANYANG,
    NATIONAL,
    POLICE,
    PROVINCE_STATS,
    SICHUAN,
    resource,
)

SIZE = 25
CATALOGS: tuple[Catalog, ...] = (
    CHENGDU,
    CHENGDU,
    SICHUAN,
    JINJIANG_CATALOG,
    NATIONAL,
    MIANYANG,
    CHENGDU,
    CHONGQING,
)
PROVIDERS = (POLICE, MARKET, HEALTH, PROVINCE_STATS, JINJIANG)
TOPICS = (
    "人口基础信息",
    "企业法人登记信息",
    "医疗机构执业信息",
    "人口流动统计",
    "食品经营许可证",
    "城市道路空间数据",
    "法人单位年报",
)
_MODE_SETS = (
    frozenset({ShareMode.INTERFACE}),
    frozenset({ShareMode.BATCH_DOWNLOAD, ShareMode.ONLINE_QUERY}),
    frozenset({ShareMode.FRONT_END_EXCHANGE}),
    frozenset({ShareMode.DATA_COMPARISON, ShareMode.INTERFACE}),
)
_FRONTS = ("101001001", "201003002", "301001001", "302002", "301001001003")


def _state(n: int) -> LifecycleState:
    if n % 7 == 3:
        return LifecycleState.DRAFT
    if n % 11 == 5:
        return LifecycleState.RETIRED
    if n % 9 == 4:
        return LifecycleState.SUBMITTED
    return LifecycleState.PUBLISHED


def entry(n: int) -> Resource:
    """Entry number `n` (1…SIZE) of the catalog."""
    share_type = (ShareType.UNCONDITIONAL, ShareType.CONDITIONAL, ShareType.NONE)[n % 3]
    front = _FRONTS[n % len(_FRONTS)]
    themes = frozenset({THEMES[n % 4]}) if front.startswith("2") or n % 2 == 0 else frozenset()
    if n % 6 == 0:
        themes |= {THEMES[5]}
    return resource(
        f"{front}/{n:06d}",
        name=f"{TOPICS[n % len(TOPICS)]}（{n}）",
        summary=f"第{n}号目录条目",
        provider=PROVIDERS[n % len(PROVIDERS)],
        origin=CATALOGS[n % len(CATALOGS)].id,
        share_type=share_type,
        share_condition="仅限政务用途" if share_type is ShareType.CONDITIONAL else None,
        legal_basis="《中华人民共和国统计法》" if share_type is ShareType.NONE else None,
        share_modes=frozenset()
        if share_type is ShareType.NONE
        else _MODE_SETS[n % len(_MODE_SETS)],
        open_to_public=share_type is not ShareType.NONE and n % 4 == 0,
        update_cycle=list(UpdateCycle)[n % len(UpdateCycle)],
        state=_state(n),
        themes=themes,
    )


ENTRIES: tuple[Resource, ...] = tuple(entry(n) for n in range(1, SIZE + 1))
CATALOG_OF = {c.id: c for c in CATALOGS}


def codes_where(*tests: object) -> list[str]:
    """The codes of ENTRIES passing every test (a predicate on an entry), sorted."""
    return sorted(
        e.code
        for e in ENTRIES
        if all(test(e) for test in tests)  # type: ignore[operator]
    )
