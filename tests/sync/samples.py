"""Catalog entries and events for the sync tests: valid by graph.rules unless a test says not."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

from graph import (
    Classification,
    DataItem,
    FormatClass,
    LifecycleState,
    LifecycleStep,
    Resource,
    ShareMode,
    ShareType,
    UpdateCycle,
)
from sync.events import ChangeEvent, event_for

PROVIDER = "11510100MB0000001Y"  # a valid 统一社会信用代码 (GB 32100 check character Y)
CHENGDU_INTRANET = "510100/intranet"
CHENGDU_EXTRANET = "510100/extranet"
SICHUAN_INTRANET = "510000/intranet"
SICHUAN_EXTRANET = "510000/extranet"
AT = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)


def entry(code: str = "301001001/000001", **changes: Any) -> Resource:
    """A published, unclassified department resource of 成都 (intranet origin)."""
    base = Resource(
        code=code,
        name="企业登记信息",
        provider_code=PROVIDER,
        provider_name="成都市市场监督管理局",
        summary="全市企业登记注册的基本信息",
        format_class=FormatClass.DATABASE,
        format_type="MySQL",
        share_type=ShareType.CONDITIONAL,
        update_cycle=UpdateCycle.DAILY,
        classification=Classification.UNCLASSIFIED,
        items=(
            DataItem("统一社会信用代码", "string", 18),
            DataItem("企业名称", "string", 200, share_type=ShareType.UNCONDITIONAL),
        ),
        share_condition="用于市场监管业务",
        share_modes=frozenset({ShareMode.INTERFACE, ShareMode.BATCH_DOWNLOAD}),
        published_on=date(2024, 3, 1),
        related_codes=("301001001/000002",),
        derived_from=("101001001/000001",),
        themes=frozenset({"信用体系"}),
        state=LifecycleState.PUBLISHED,
        history=(
            LifecycleStep(LifecycleState.DRAFT, PROVIDER, AT),
            LifecycleStep(LifecycleState.PUBLISHED, "reviewer-7", AT, "审核通过"),
        ),
        version=3,
        origin=CHENGDU_INTRANET,
        updated_at=AT,
        extensions=(("internal_ticket", "OA-2024-17"), ("contact", "028-12345678")),
    )
    return dataclasses.replace(base, **changes)


def event(
    code: str = "301001001/000001", hops: tuple[str, ...] = (), **changes: Any
) -> ChangeEvent:
    """The event the origin emits for `entry(code, **changes)`."""
    return dataclasses.replace(
        event_for(entry(code, **changes), event_id="7d3f0c1e-2b4a-4c5d-9e8f-0a1b2c3d4e5f"),
        hops=hops,
    )
