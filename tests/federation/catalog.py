"""The small catalog every API test starts from: the 成都 intranet instance with a few
departments, categories and entries in each lifecycle state, a copy aggregated from 锦江区,
and a lineage chain: 社会保障主题库 ← 人口基础信息库 ← 户籍人口信息, 流动人口信息.
"""

from __future__ import annotations

from graph import (
    CatalogStore,
    Category,
    LifecycleState,
    ShareMode,
    ShareType,
    UpdateCycle,
)
from graph.model import DataItem
from tests.graph.entries import (
    CHENGDU,
    HEALTH,
    JINJIANG,
    MARKET,
    POLICE,
    PROVINCE_STATS,
    TREE,
    credit_code,
    resource,
)

S = LifecycleState
REVIEWER_CODE = credit_code("510100", "MB0000099")

HOUSEHOLD = "301001001/000001"  # 户籍人口信息, POLICE
FLOATING = "301001001/000002"  # 流动人口信息, POLICE, conditional
POLICE_DRAFT = "301001001/000003"  # 出入境证件信息, POLICE, DRAFT, derived from HOUSEHOLD
MARKET_ENTITIES = "302001001/000001"  # 市场主体登记信息, MARKET, open to the public
MARKET_SUBMITTED = "302001001/000002"  # 食品经营许可信息, MARKET, SUBMITTED
CLINICS = "303001001/000001"  # 医疗机构执业信息, HEALTH, not shared
POPULATION_BASE = "101001001/000001"  # 人口基础信息库, POLICE, base
ELSEWHERE = "301009001/000001"  # an upstream entry not held here
WELFARE_THEME = "201001001/000001"  # 社会保障主题库, HEALTH, theme
JINJIANG_COPY = "301001001/000010"  # 锦江区低保人员信息, a copy from 510104/intranet

PUBLISHED_CODES = {
    HOUSEHOLD,
    FLOATING,
    MARKET_ENTITIES,
    CLINICS,
    POPULATION_BASE,
    WELFARE_THEME,
    JINJIANG_COPY,
}

CATEGORIES = [
    Category("1", "基础信息资源"),
    Category("101", "人口"),
    Category("2", "主题信息资源"),
    Category("3", "部门信息资源"),
    Category("301", "公安"),
    Category("301001", "人口管理"),
    Category("301001001", "户籍管理"),
    Category("302", "市场监管"),
]

ITEMS = (
    DataItem("公民身份号码", "字符型", 18),
    DataItem("姓名", "字符型", 50),
    DataItem("出生日期", "日期型"),
)


def entries() -> list:  # type: ignore[type-arg]
    return [
        resource(HOUSEHOLD, name="户籍人口信息", themes=frozenset({"社会保障"}), items=ITEMS),
        resource(
            FLOATING,
            name="流动人口信息",
            summary="来蓉流动人口的居住登记信息",
            share_type=ShareType.CONDITIONAL,
            share_condition="仅限政务用途",
            share_modes=frozenset({ShareMode.BATCH_DOWNLOAD}),
            update_cycle=UpdateCycle.MONTHLY,
            related_codes=(HOUSEHOLD,),
        ),
        resource(
            POLICE_DRAFT,
            name="出入境证件信息",
            summary="出入境证件的签发信息",
            state=S.DRAFT,
            derived_from=(HOUSEHOLD,),
        ),
        resource(
            MARKET_ENTITIES,
            provider=MARKET,
            name="市场主体登记信息",
            summary="企业和个体工商户的登记信息",
            open_to_public=True,
            share_modes=frozenset({ShareMode.ONLINE_QUERY, ShareMode.INTERFACE}),
            update_cycle=UpdateCycle.REALTIME,
            themes=frozenset({"信用体系"}),
            related_codes=(HOUSEHOLD, POLICE_DRAFT),
        ),
        resource(
            MARKET_SUBMITTED,
            provider=MARKET,
            name="食品经营许可信息",
            summary="食品经营许可证的核发信息",
            state=S.SUBMITTED,
        ),
        resource(
            CLINICS,
            provider=HEALTH,
            name="医疗机构执业信息",
            summary="医疗机构的执业登记信息",
            share_type=ShareType.NONE,
            legal_basis="《医疗机构管理条例》",
            share_modes=frozenset(),
            update_cycle=UpdateCycle.YEARLY,
        ),
        resource(
            POPULATION_BASE,
            name="人口基础信息库",
            summary="全市人口基础信息，汇聚户籍与流动人口",
            derived_from=(HOUSEHOLD, FLOATING, ELSEWHERE),
        ),
        resource(
            WELFARE_THEME,
            provider=HEALTH,
            name="社会保障主题库",
            summary="社会保障主题信息资源，基于人口基础信息",
            themes=frozenset({"社会保障"}),
            derived_from=(POPULATION_BASE,),
        ),
    ]


def aggregated() -> list:  # type: ignore[type-arg]
    """What 锦江区 pushed upward into the 成都 catalog."""
    return [
        resource(
            JINJIANG_COPY,
            provider=JINJIANG,
            name="锦江区低保人员信息",
            summary="锦江区最低生活保障对象信息",
            origin="510104/intranet",
            update_cycle=UpdateCycle.QUARTERLY,
            themes=frozenset({"社会保障"}),
        )
    ]


async def seed(store: CatalogStore) -> None:
    await store.put_catalogs(list(TREE))
    await store.put_departments([POLICE, MARKET, HEALTH, PROVINCE_STATS, JINJIANG])
    await store.put_categories(CATEGORIES)
    for entry in entries():
        await store.save(entry, expected_version=None)
    await store.apply(aggregated())


__all__ = ["CHENGDU", "seed"]
