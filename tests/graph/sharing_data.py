"""Test data of sharing: entries of each share type, the departments that request and answer,
applications, a frozen calendar (2026 official, 2027 not known unless loaded) and instants.

    request = submit_for(conditional_entry(), received=at(2026, 9, 30))
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graph import Actor, DataItem, Resource, Role, ShareMode, ShareType
from graph.sharing import (
    STATE_COUNCIL_2025,
    Application,
    Rulebook,
    ShareRequest,
    WorkingCalendar,
    parse_schedule,
    submit,
)
from tests.graph.entries import HEALTH, MARKET, POLICE, credit_code, resource

# The package as installed may know 2027 one day: capped at 2026, it does not.
CALENDAR = WorkingCalendar.official(until=2026)
SCHEDULE_2027 = parse_schedule(
    """
year = 2027
source = "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕9号）"  # an example

[[holidays]]
name = "元旦"
first = 2027-01-01
last = 2027-01-03
"""
)
INSTANCE = "510100/intranet"

PROVIDER = Actor(POLICE.code)  # 成都市公安局 provides the entries
REQUESTER = Actor(MARKET.code)  # 成都市市场监督管理局 asks
OTHER = Actor(HEALTH.code)  # a department that is neither
COORDINATOR = Actor(credit_code("510100", "MB0000099"), Role.REVIEWER)
ADMIN = Actor(credit_code("510100", "MB0000090"), Role.ADMINISTRATOR)
AUDITOR = Actor(credit_code("510100", "MB0000091"), Role.AUDITOR)
SYNC = Actor(credit_code("510100", "MB0000092"), Role.SYNC)

ITEMS = (
    DataItem("公民身份号码", "字符型", 18, is_base_item=True, share_type=ShareType.UNCONDITIONAL),
    DataItem("姓名", "字符型", 50, is_base_item=True, share_type=ShareType.UNCONDITIONAL),
    DataItem("户籍地址", "字符型", 200),
    DataItem("犯罪记录", "字符型", 2000, share_type=ShareType.NONE),
)
CONDITION = "仅限市场监管执法用途，不得向第三方提供"
LEGAL_BASIS = "《中华人民共和国居民身份证法》第十九条"


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """An instant on that Beijing day (02:00 UTC is 10:00 in Beijing)."""
    return datetime(year, month, day, hour - 8, tzinfo=UTC)


def conditional_entry(code: str = "101001001/000001", **overrides: Any) -> Resource:
    """A published CONDITIONAL base entry of the 成都市公安局, with items of each share type."""
    fields: dict[str, Any] = {
        "share_type": ShareType.CONDITIONAL,
        "share_condition": CONDITION,
        "items": ITEMS,
        "share_modes": frozenset({ShareMode.INTERFACE, ShareMode.FRONT_END_EXCHANGE}),
        "name": "成都市户籍人口信息",
        **overrides,
    }
    return resource(code, **fields)


def unconditional_entry(code: str = "301001001/000002", **overrides: Any) -> Resource:
    return resource(code, share_type=ShareType.UNCONDITIONAL, **overrides)


def none_entry(code: str = "301001001/000003", **overrides: Any) -> Resource:
    fields: dict[str, Any] = {"share_modes": frozenset(), **overrides}
    return resource(code, share_type=ShareType.NONE, legal_basis=LEGAL_BASIS, **fields)


def application(entry: Resource, **overrides: Any) -> Application:
    """A valid application for `entry`: its first non-NONE item... or the ones given."""
    items = overrides.pop("items", None)
    if items is None:
        items = tuple(i.name for i in entry.items if i.name == "户籍地址") or tuple(
            i.name for i in entry.items[:1]
        )
    fields: dict[str, Any] = {
        "resource_code": entry.code,
        "purpose": "核验市场主体登记人员身份",
        "scenario": "企业开办登记时核验法定代表人身份信息",
        "items": items,
        "share_mode": min(entry.share_modes, default=ShareMode.INTERFACE),
        "period_start": date(2026, 9, 1),
        "period_end": date(2027, 8, 31),
        **overrides,
    }
    return Application(**fields)


RECEIVED = at(2026, 9, 30)  # the day before National Day (国庆节, 1–7 October 2026)


def submit_for(
    entry: Resource,
    received: datetime = RECEIVED,
    requester: Actor = REQUESTER,
    rulebook: Rulebook = STATE_COUNCIL_2025,
    calendar: WorkingCalendar = CALENDAR,
    id: str = "req-1",
    **overrides: Any,
) -> ShareRequest:
    return submit(
        entry,
        requester,
        application(entry, **overrides),
        id=id,
        requested_from="510000/intranet",
        instance=INSTANCE,
        at=received,
        calendar=calendar,
        rulebook=rulebook,
    )


def later(instant: datetime, days: int = 1) -> datetime:
    return instant + timedelta(days=days)


def replace(request: ShareRequest, **changes: Any) -> ShareRequest:
    return dataclasses.replace(request, **changes)
