"""The catalog's values: entries, their items, departments, regions, catalogs, categories.

All are frozen; a change is a new value (`dataclasses.replace`) with a new version.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime

from graph.codes import NATION, check_region_code, parse_resource_code, region_level
from graph.enums import (
    Classification,
    FormatClass,
    Level,
    LifecycleState,
    ResourceKind,
    Role,
    ShareMode,
    ShareType,
    UpdateCycle,
    Zone,
)
from graph.errors import InvalidValue
from graph.fields import facts

__all__ = [
    "Actor",
    "Catalog",
    "Category",
    "DataItem",
    "Department",
    "LifecycleStep",
    "Region",
    "Resource",
    "catalog_id",
    "parse_catalog_id",
]


@dataclass(frozen=True, slots=True)
class DataItem:
    """信息项: one field of a resource (name, data type, length).

    `is_base_item` marks a 基础信息项 of a base resource, which must be shared unconditionally
    (national 第十条(二)); `share_type` None means the item follows its resource.
    """

    name: str = field(
        metadata=facts("信息项名称", core=True, crosses=True, graphql_name="name", limit=200)
    )
    data_type: str = field(
        metadata=facts("数据类型", core=True, crosses=True, graphql_name="dataType", limit=50)
    )
    length: int | None = field(
        default=None,
        metadata=facts("数据长度", crosses=True, graphql_name="length", limit=1_000_000_000),
    )
    is_base_item: bool = field(
        default=False, metadata=facts("基础信息项", crosses=True, graphql_name="isBaseItem")
    )
    # The schema shows the item's effective share type: its own, else its resource's.
    share_type: ShareType | None = field(
        default=None, metadata=facts("共享类型", crosses=True, graphql_name="shareType")
    )


@dataclass(frozen=True, slots=True)
class LifecycleStep:
    """One step of an entry's lifecycle: who moved it into `state`, and when."""

    state: LifecycleState
    actor: str
    at: datetime
    note: str | None = None


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Resource:
    """政务信息资源: one catalog entry, with every core element of the 1272 guide.

    `code` is the natural key across every instance and level (一数一源); `origin` is the
    catalog id of the instance that owns it, `version` increases with every change there.
    """

    # Each field's facts (graph.fields): its label, its limit, its GraphQL name, and whether it
    # crosses a sync link — an explicit decision for every field, which the guard's allow-list
    # is made of. `core` marks the core metadata elements of the 1272 guide.
    code: str = field(metadata=facts("信息资源代码", core=True, crosses=True, graphql_name="code"))
    name: str = field(
        metadata=facts("信息资源名称", core=True, crosses=True, graphql_name="name", limit=200)
    )
    provider_code: str = field(
        metadata=facts("信息资源提供方代码", core=True, crosses=True, graphql_name="providerCode")
    )
    provider_name: str = field(
        metadata=facts(
            "信息资源提供方", core=True, crosses=True, graphql_name="providerName", limit=200
        )
    )
    summary: str = field(
        metadata=facts("信息资源摘要", core=True, crosses=True, graphql_name="summary", limit=4000)
    )
    format_class: FormatClass = field(
        metadata=facts("信息资源格式分类", core=True, crosses=True, graphql_name="formatClass")
    )
    format_type: str = field(
        metadata=facts(
            "信息资源格式类型", core=True, crosses=True, graphql_name="formatType", limit=100
        )
    )
    share_type: ShareType = field(
        metadata=facts("共享类型", core=True, crosses=True, graphql_name="shareType")
    )
    update_cycle: UpdateCycle = field(
        metadata=facts("更新周期", core=True, crosses=True, graphql_name="updateCycle")
    )
    classification: Classification | None = field(
        metadata=facts("涉密属性", crosses=True, graphql_name="classification")
    )
    items: tuple[DataItem, ...] = field(
        default=(),
        metadata=facts("信息项信息", core=True, crosses=True, graphql_name="items", limit=5000),
    )
    share_condition: str | None = field(
        default=None,
        metadata=facts(
            "共享条件", core=True, crosses=True, graphql_name="shareCondition", limit=2000
        ),
    )
    legal_basis: str | None = field(
        default=None,
        metadata=facts("不予共享依据", crosses=True, graphql_name="legalBasis", limit=2000),
    )
    share_modes: frozenset[ShareMode] = field(
        default=frozenset(),
        metadata=facts("共享方式", core=True, crosses=True, graphql_name="shareModes"),
    )
    open_to_public: bool = field(
        default=False,
        metadata=facts("是否向社会开放", core=True, crosses=True, graphql_name="openToPublic"),
    )
    open_condition: str | None = field(
        default=None,
        metadata=facts(
            "开放条件", core=True, crosses=True, graphql_name="openCondition", limit=2000
        ),
    )
    published_on: date | None = field(
        default=None,
        metadata=facts("发布日期", core=True, crosses=True, graphql_name="publishedOn"),
    )
    related_codes: tuple[str, ...] = field(
        default=(),
        metadata=facts(
            "关联资源代码",
            core=True,
            crosses=True,
            reference=True,
            graphql_name="relatedCodes",
            limit=500,
        ),
    )
    derived_from: tuple[str, ...] = field(
        default=(),
        metadata=facts("来源资源代码", crosses=True, reference=True, graphql_name=None, limit=500),
    )
    themes: frozenset[str] = field(
        default=frozenset(), metadata=facts("所属主题", crosses=True, graphql_name="themes")
    )
    state: LifecycleState = field(
        default=LifecycleState.DRAFT,
        metadata=facts("编目状态", crosses=True, graphql_name="state"),
    )
    # The providing department's review trail — reviewers' ids and their notes — stays at the
    # origin, which answers for it.
    history: tuple[LifecycleStep, ...] = field(
        default=(), metadata=facts("审核记录", crosses=False, graphql_name="history")
    )
    version: int = field(default=1, metadata=facts("版本号", crosses=True, graphql_name="version"))
    origin: str = field(default="", metadata=facts("所属目录", crosses=True, graphql_name="origin"))
    updated_at: datetime | None = field(
        default=None, metadata=facts("更新时间", crosses=True, graphql_name="updatedAt")
    )
    # Free-form, so withheld as a whole: a link lets through only the keys it names
    # (`sync.links.Link.extensions`).
    extensions: tuple[tuple[str, str], ...] = field(
        default=(), metadata=facts("扩展元数据", crosses=False, graphql_name=None)
    )

    @property
    def kind(self) -> ResourceKind:
        """基础 / 主题 / 部门: the 类 digit of the code."""
        return parse_resource_code(self.code).kind

    @property
    def category_code(self) -> str:
        """The 类/项/目/细目 code the entry is filed under: the code's front part."""
        return self.code.split("/", 1)[0]


@dataclass(frozen=True, slots=True)
class Department:
    """政务部门: a government body, provider or consumer, keyed by its 统一社会信用代码.

    `region_code` is where it belongs (its code's characters 3–8 for bodies registered
    locally); `leads` names the base libraries or themes it is 牵头部门 of.
    """

    code: str
    name: str
    region_code: str
    leads: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Region:
    """行政区划: a GB/T 2260 region; the level and parent follow from the code."""

    code: str
    name: str
    parent_code: str | None

    @property
    def level(self) -> Level:
        return region_level(self.code)


def catalog_id(region_code: str, zone: Zone) -> str:
    """The id of the catalog (one per instance): ``national/intranet``, ``510100/extranet``."""
    where = "national" if region_code == NATION else region_code
    return f"{where}/{zone.value.lower()}"


def parse_catalog_id(value: str, field: str = "origin") -> tuple[str, Zone]:
    """The region code and zone a catalog id names: ``510100/intranet`` → (510100, INTRANET).

    Only the canonical spelling is accepted (``national`` for the nation, zones lower case),
    so one catalog has one id everywhere."""
    # Every entry and event names its catalog, and there are a few thousand at most: the answer
    # for an id is kept (a refusal is not, and a value of another type is not hashed).
    if type(value) is str:
        return _parse_catalog_id_cached(value, field)
    return _parse_catalog_id(value, field)


def _parse_catalog_id(value: str, field: str) -> tuple[str, Zone]:
    accepted = "a catalog id such as '510100/intranet' or 'national/extranet'"
    where, _, zone = value.partition("/") if isinstance(value, str) else ("", "", "")
    region = NATION if where == "national" else where
    try:
        parsed = check_region_code(region, field), Zone(zone.upper())
    except (InvalidValue, ValueError):
        raise InvalidValue(field, value, accepted) from None
    if catalog_id(*parsed) != value:
        raise InvalidValue(field, value, accepted)
    return parsed


_parse_catalog_id_cached = functools.lru_cache(maxsize=4096)(_parse_catalog_id)


@dataclass(frozen=True, slots=True)
class Catalog:
    """目录: the catalog of one instance — a level, a region and a zone.

    `parent_id` is the catalog it reports upward to (municipal → provincial → national).
    """

    region_code: str
    zone: Zone
    name: str
    parent_id: str | None = None

    @property
    def id(self) -> str:
        return catalog_id(self.region_code, self.zone)

    @property
    def level(self) -> Level:
        return region_level(self.region_code)


@dataclass(frozen=True, slots=True)
class Category:
    """资源分类: a node of the 类/项/目/细目 tree, keyed by its code prefix ('3', '301', …)."""

    code: str
    name: str

    @property
    def parent_code(self) -> str | None:
        if len(self.code) == 1:
            return None
        if len(self.code) == 3:
            return self.code[:1]
        if len(self.code) == 6:
            return self.code[:3]
        return self.code[:6]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a department (as cataloguer) or the instance's reviewer, or the sync."""

    department_code: str
    role: Role = Role.PROVIDER
