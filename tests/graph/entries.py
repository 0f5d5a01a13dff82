"""Test data: valid entries, departments and codes, with overrides.

entry = resource("301001001/000001", name="人口基础信息", share_type=ShareType.CONDITIONAL,
                 share_condition="仅限政务用途")
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from graph import (
    Catalog,
    Classification,
    Department,
    FormatClass,
    LifecycleState,
    Resource,
    ShareMode,
    ShareType,
    UpdateCycle,
    Zone,
)
from graph.codes import credit_check_character

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def credit_code(region: str = "510100", serial: str = "MB0000001", kind: str = "11") -> str:
    """A valid 统一社会信用代码 of a body registered in `region` (GB 32100 check character)."""
    body = kind + region + serial
    return body + credit_check_character(body)


# Departments of 成都 (510100), 四川 (510000) and 锦江区 (510104).
POLICE = Department(credit_code("510100", "MB0000001"), "成都市公安局", "510100")
MARKET = Department(credit_code("510100", "MB0000002"), "成都市市场监督管理局", "510100")
HEALTH = Department(credit_code("510100", "MB0000003"), "成都市卫生健康委员会", "510100")
PROVINCE_STATS = Department(credit_code("510000", "MB0000004"), "四川省统计局", "510000")
JINJIANG = Department(credit_code("510104", "MB0000005"), "锦江区民政局", "510104")

# The catalog tree used by cross-level tests: nation → 四川 → 成都 → 锦江区, intranet.
NATIONAL = Catalog("100000", Zone.INTRANET, "国家政务信息资源目录（内网）")
SICHUAN = Catalog("510000", Zone.INTRANET, "四川省政务信息资源目录（内网）", "national/intranet")
CHENGDU = Catalog("510100", Zone.INTRANET, "成都市政务信息资源目录（内网）", "510000/intranet")
JINJIANG_CATALOG = Catalog(
    "510104", Zone.INTRANET, "锦江区政务信息资源目录（内网）", "510100/intranet"
)
MIANYANG = Catalog("510700", Zone.INTRANET, "绵阳市政务信息资源目录（内网）", "510000/intranet")
CHONGQING = Catalog("500000", Zone.INTRANET, "重庆市政务信息资源目录（内网）", "national/intranet")
TREE = (NATIONAL, SICHUAN, CHENGDU, JINJIANG_CATALOG, MIANYANG, CHONGQING)


def code(n: int, front: str = "301001001") -> str:
    """The resource code ``front/00000n``."""
    return f"{front}/{n:06d}"


def resource(code: str = "301001001/000001", **overrides: Any) -> Resource:
    """A valid, PUBLISHED, unclassified entry of the 成都 intranet catalog at version 1,
    provided by the 成都市公安局; `overrides` replace any field."""
    base = Resource(
        code=code,
        name="户籍人口信息",
        provider_code=POLICE.code,
        provider_name=POLICE.name,
        summary="全市户籍人口的基本登记信息",
        format_class=FormatClass.DATABASE,
        format_type="MySQL",
        share_type=ShareType.UNCONDITIONAL,
        update_cycle=UpdateCycle.DAILY,
        classification=Classification.UNCLASSIFIED,
        share_modes=frozenset({ShareMode.INTERFACE}),
        state=LifecycleState.PUBLISHED,
        version=1,
        origin="510100/intranet",
        updated_at=WHEN,
    )
    if "provider" in overrides:
        department: Department = overrides.pop("provider")
        overrides["provider_code"] = department.code
        overrides["provider_name"] = department.name
    return dataclasses.replace(base, **overrides)


def newer(entry: Resource, **overrides: Any) -> Resource:
    """`entry` one version on, with `overrides`."""
    return dataclasses.replace(entry, version=entry.version + 1, **overrides)
